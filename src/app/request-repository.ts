/**
 * Loads a request's state from its stream and appends a decider's events with the expected
 * revision: the one place where commands meet the event store.
 */
import type { EventMetadata } from '../domain/events/metadata.js';
import type { EventRegistry } from '../domain/events/registry.js';
import { RevisionConflictError } from '../domain/errors.js';
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
  /** The stream as this write left it: pass it as `known` to the next command instead of reading again. */
  readonly loaded: LoadedRequest;
}

export interface HandleOptions {
  /**
   * The state and revision the caller already holds (from its own last write or read), so the command
   * costs no read. A stale one is harmless: the append conflicts, and the stream is read once and decided again.
   */
  readonly known?: LoadedRequest;
  /** How many times to read again and decide again when another writer appended first (default 0: throw). */
  readonly conflictRetries?: number;
}

/**
 * A command, several decided in order and appended together (one durable write), or a maker of
 * either for commands that take the time of each attempt.
 */
export type CommandInput = RequestCommand | readonly RequestCommand[] | (() => RequestCommand | readonly RequestCommand[]);

export interface RequestRepository {
  load(requestId: string): Promise<LoadedRequest>;
  /**
   * Decides against the stream's state and appends at its revision: one read (none with `known`), one
   * append, one notification. A concurrent writer makes it throw RevisionConflictError once the retries are spent.
   */
  handle(requestId: string, command: CommandInput, context: CommandContext, options?: HandleOptions): Promise<HandledCommand>;
}

/** A brand-new request's stream: nothing to read before its first append. */
export const newRequest: LoadedRequest = { state: undefined, expectedRevision: 'no_stream' };

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
    let state = requestDecider.initialState();
    for (const event of recorded) {
      const requestEvent = asRequestEvent(event);
      if (requestEvent) state = requestDecider.evolve(state, requestEvent, event.metadata.occurredAt);
    }
    const last = recorded.at(-1);
    return { state: state.status === 'none' ? undefined : state, expectedRevision: last ? last.revision : 'no_stream' };
  }

  async function append(requestId: string, commands: readonly RequestCommand[], loaded: LoadedRequest, context: CommandContext): Promise<HandledCommand> {
    const state: RequestDeciderState = loaded.state ?? requestDecider.initialState();
    const occurredAt = clock.now().toISOString();
    const events: RequestEvent[] = [];
    let next = state;
    for (const command of commands) {
      const decided = requestDecider.decide(command, next);
      next = decided.reduce((s, event) => requestDecider.evolve(s, event, occurredAt), next);
      events.push(...decided);
    }
    if (events.length === 0 && state.status !== 'none') return { state, events, loaded };
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
    const written = await store.append(
      requestStreamName(requestId),
      events.map((event) => ({
        type: event.type,
        data: event.data,
        metadata: { ...metadata, schemaVersion: registry.isKnown(event.type) ? registry.versionOf(event.type) : 1 },
      })),
      loaded.expectedRevision,
    );
    // The one wake-up for this append; the projection runner wakes waiters only for other replicas' events.
    notifier.notify(requestId);
    // decide answers a missing request with SubmitQuery's QueryRequested or an error, never with nothing.
    if (next.status === 'none') throw new Error('decide produced no request state');
    return { state: next, events, loaded: { state: next, expectedRevision: written.nextExpectedRevision } };
  }

  return {
    load,
    async handle(requestId, input, context, options = {}) {
      const made = typeof input === 'function' ? input : () => input;
      const commandsOf = (): readonly RequestCommand[] => {
        const commands = made();
        return isCommandList(commands) ? commands : [commands];
      };
      const retries = options.conflictRetries ?? 0;
      let loaded = options.known ?? (await load(requestId));
      // A known state was only the caller's belief: its conflict earns one fresh read beyond the retries.
      let attemptsLeft = retries + (options.known ? 1 : 0);
      for (;;) {
        try {
          return await append(requestId, commandsOf(), loaded, context);
        } catch (error) {
          if (!(error instanceof RevisionConflictError) || attemptsLeft <= 0) throw error;
          attemptsLeft -= 1;
          loaded = await load(requestId);
        }
      }
    },
  };
}

const isCommandList = (input: RequestCommand | readonly RequestCommand[]): input is readonly RequestCommand[] => Array.isArray(input);
