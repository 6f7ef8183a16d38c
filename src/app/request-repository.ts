/**
 * Loads a request's state from its stream and appends a decider's events with the expected
 * revision: the one place where commands meet the event store.
 */
import type { EventMetadata } from '../domain/events/metadata.js';
import type { EventRegistry } from '../domain/events/registry.js';
import type { Clock, EventStore, ExpectedRevision } from '../domain/ports.js';
import type { RequestCommand } from '../domain/request/commands.js';
import { requestDecider } from '../domain/request/request-decider.js';
import type { RequestDeciderState, RequestState } from '../domain/request/request-state.js';
import { asRequestEvent, requestStreamName, type RequestEvent } from '../domain/request/request-stream.js';
import type { RequestNotifier } from './request-notifier.js';

export interface CommandContext {
  readonly principal?: EventMetadata['principal'];
  readonly clientIp?: string;
  readonly userAgent?: string;
  readonly sessionId?: string;
  readonly causationId?: string;
}

export interface LoadedRequest {
  /** Undefined when no such request exists. */
  readonly state: RequestState | undefined;
  readonly expectedRevision: ExpectedRevision;
}

export interface HandledCommand {
  readonly state: RequestState;
  readonly events: readonly RequestEvent[];
}

export interface RequestRepository {
  load(requestId: string): Promise<LoadedRequest>;
  /** Decides against the freshly loaded state and appends; a concurrent writer makes it throw RevisionConflictError. */
  handle(requestId: string, command: RequestCommand, context: CommandContext): Promise<HandledCommand>;
}

export function createRequestRepository(deps: {
  store: EventStore;
  registry: EventRegistry;
  clock: Clock;
  notifier: RequestNotifier;
  gatewayId: string;
}): RequestRepository {
  const { store, registry, clock, notifier, gatewayId } = deps;

  async function fold(requestId: string): Promise<{ state: RequestDeciderState; expectedRevision: ExpectedRevision }> {
    const recorded = await store.readStream(requestStreamName(requestId));
    let state = requestDecider.initialState();
    for (const event of recorded) {
      const requestEvent = asRequestEvent(event);
      if (requestEvent) state = requestDecider.evolve(state, requestEvent, event.metadata.occurredAt);
    }
    const last = recorded.at(-1);
    return { state, expectedRevision: last ? last.revision : 'no_stream' };
  }

  return {
    async load(requestId) {
      const { state, expectedRevision } = await fold(requestId);
      return { state: state.status === 'none' ? undefined : state, expectedRevision };
    },
    async handle(requestId, command, context) {
      const { state, expectedRevision } = await fold(requestId);
      const events = requestDecider.decide(command, state);
      if (events.length === 0 && state.status !== 'none') return { state, events };
      const occurredAt = clock.now().toISOString();
      const metadata: EventMetadata = {
        correlationId: requestId,
        occurredAt,
        schemaVersion: 1,
        gatewayId,
        ...(context.causationId ? { causationId: context.causationId } : {}),
        ...(context.principal ? { principal: context.principal } : {}),
        ...(context.clientIp ? { clientIp: context.clientIp } : {}),
        ...(context.userAgent ? { userAgent: context.userAgent } : {}),
        ...(context.sessionId ? { sessionId: context.sessionId } : {}),
      };
      await store.append(
        requestStreamName(requestId),
        events.map((event) => ({
          type: event.type,
          data: event.data,
          metadata: { ...metadata, schemaVersion: registry.isKnown(event.type) ? registry.versionOf(event.type) : 1 },
        })),
        expectedRevision,
      );
      const next = events.reduce((s, event) => requestDecider.evolve(s, event, occurredAt), state);
      notifier.notify(requestId);
      // decide answers a missing request with SubmitQuery's QueryRequested or an error, never with nothing.
      if (next.status === 'none') throw new Error('decide produced no request state');
      return { state: next, events };
    },
  };
}
