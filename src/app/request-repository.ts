/**
 * Loads a request's state from its stream and appends a decider's events with the expected
 * revision: the one place where commands meet the event store.
 */
import type { EventMetadata } from '../domain/events/metadata.js';
import type { EventRegistry } from '../domain/events/registry.js';
import type { Clock, EventStore, ExpectedRevision } from '../domain/ports.js';
import type { RequestCommand } from '../domain/request/commands.js';
import { decide } from '../domain/request/decide.js';
import { asRequestEvent, requestStreamName, type RequestEvent } from '../domain/request/request-events.js';
import { evolve, type MaybeRequestState, type RequestState } from '../domain/request/request-state.js';
import type { RequestNotifier } from './request-notifier.js';

export interface CommandContext {
  readonly principal?: EventMetadata['principal'];
  readonly clientIp?: string;
  readonly userAgent?: string;
  readonly sessionId?: string;
  readonly causationId?: string;
}

export interface LoadedRequest {
  readonly state: MaybeRequestState;
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

  async function load(requestId: string): Promise<LoadedRequest> {
    const recorded = await store.readStream(requestStreamName(requestId));
    let state: MaybeRequestState;
    for (const event of recorded) {
      const requestEvent = asRequestEvent(event);
      if (requestEvent) state = evolve(state, requestEvent, event.metadata.occurredAt);
    }
    const last = recorded.at(-1);
    return { state, expectedRevision: last ? last.revision : 'no_stream' };
  }

  return {
    load,
    async handle(requestId, command, context) {
      const { state, expectedRevision } = await load(requestId);
      const events = decide(command, state);
      if (events.length === 0 && state) return { state, events };
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
      const next = events.reduce<MaybeRequestState>((s, event) => evolve(s, event, occurredAt), state);
      notifier.notify(requestId);
      if (!next) throw new Error('decide produced no request state');
      return { state: next, events };
    },
  };
}
