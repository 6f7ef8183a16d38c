/**
 * The EventStoreDB store (@eventstore/db-client 6.x), for more than one gateway replica. Semantics match
 * the SQLite store (revisions from 0, expected-revision conflicts, empty missing streams, validation on
 * write and read) with two documented differences:
 *  - The global position is the event's commit position in the transaction log. It is ordered and
 *    unique per event, but NOT gap-free (it is a byte offset), so callers must treat positions as opaque
 *    increasing numbers. Numbers stay exact up to 2^53 bytes of log.
 *  - Events carry no hash chain: appends from several replicas cannot read the previous global hash
 *    atomically, so hash/prevHash are absent (the evidence sealer chains at seal time instead).
 * System streams and system events (names starting with `$`) are invisible to readAll/subscribeAll.
 */
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type JSONType,
  type Position,
  type ReadPosition,
  type ResolvedEvent,
  type RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import { LedgergateError, RevisionConflictError } from '../../domain/errors.js';
import type { EventRegistry } from '../../domain/events/registry.js';
import type { EventMetadata } from '../../domain/events/metadata.js';
import type { EventStore, ExpectedRevision, ReadAllOptions, RecordedEvent } from '../../domain/ports.js';
import { checkAppendable, describeExpected } from './append-checks.js';
import { esdbFailure } from './esdb-errors.js';
import { pullSubscription, StoreSignals, type PullSubscriptionOptions } from './pull-subscription.js';

export interface EsdbEventStoreOptions {
  readonly connectionString: string;
  readonly registry: EventRegistry;
  /** Default page size of readAll when the caller gives no maxCount. */
  readonly defaultMaxCount?: number;
  readonly subscription?: PullSubscriptionOptions;
}

type EsdbRecorded = NonNullable<AllStreamResolvedEvent['event']>;


const isSystemName = (name: string) => name.startsWith('$');

export function openEsdbEventStore(options: EsdbEventStoreOptions): EventStore {
  const { registry } = options;
  const defaultMaxCount = options.defaultMaxCount ?? 1000;
  const client = connect(options.connectionString);
  const signals = new StoreSignals();
  const positions = new PositionCache();

  const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
    if (signals.closed) throw new LedgergateError('store_unavailable', 'EventStoreDB store is closed');
    try {
      return await work();
    } catch (error) {
      throw esdbFailure(error);
    }
  };

  const toRecorded = (event: EsdbRecordedEvent, commitPosition: bigint | undefined): RecordedEvent => {
    const commit = event.position?.commit ?? commitPosition;
    if (commit === undefined) {
      throw new LedgergateError('store_unavailable', 'EventStoreDB returned an event without a position (server older than 22.6?)');
    }
    if (event.position) positions.remember(event.position);
    if (!event.isJson) {
      throw new LedgergateError('invalid_event', `Event ${event.type} in ${event.streamId} is not JSON`, { type: event.type });
    }
    const metadata = withoutSystemKeys(event.metadata) as EventMetadata;
    registry.validate(event.type, event.data, metadata);
    return {
      streamName: event.streamId,
      revision: Number(event.revision),
      position: Number(commit),
      type: event.type,
      data: event.data,
      metadata,
      recordedAt: event.created.toISOString(),
    };
  };

  const isUserEvent = (resolved: AllStreamResolvedEvent): resolved is AllStreamResolvedEvent & { event: EsdbRecorded } =>
    resolved.event !== undefined && !isSystemName(resolved.event.type) && !isSystemName(resolved.event.streamId);

  const store: EventStore = {
    async append(stream, events, expectedRevision) {
      checkAppendable(stream, events, expectedRevision);
      const eventData = events.map((event) => {
        const data = JSON.parse(JSON.stringify(event.data)) as JSONType;
        const metadata = JSON.parse(JSON.stringify(event.metadata)) as EventMetadata;
        registry.validate(event.type, data, metadata);
        return jsonEvent({
          type: event.type,
          data,
          // $correlationId/$causationId let EventStoreDB's own projections follow the request.
          metadata: { ...metadata, $correlationId: metadata.correlationId, $causationId: metadata.causationId ?? metadata.correlationId },
        });
      });
      try {
        const result = await guarded(() =>
          client.appendToStream(stream, eventData, { expectedRevision: toEsdbExpected(expectedRevision) }),
        );
        signals.appended();
        if (result.position) positions.remember(result.position);
        const lastPosition = result.position ? Number(result.position.commit) : await store.headPosition();
        return { nextExpectedRevision: Number(result.nextExpectedRevision), lastPosition };
      } catch (error) {
        if (error instanceof WrongExpectedVersionError) {
          const actual = error.actualVersion === NO_STREAM ? 'no_stream' : Number(error.actualVersion);
          throw new RevisionConflictError(stream, describeExpected(expectedRevision), actual);
        }
        throw error;
      }
    },

    async readStream(stream) {
      return guarded(async () => {
        const events: RecordedEvent[] = [];
        try {
          for await (const resolved of client.readStream(stream, { direction: FORWARDS, fromRevision: START })) {
            if (resolved.event) events.push(toRecorded(resolved.event, commitOf(resolved)));
          }
        } catch (error) {
          if (error instanceof StreamNotFoundError) return [];
          throw error;
        }
        return events;
      });
    },

    async readAll({ from, maxCount }: ReadAllOptions) {
      const wanted = maxCount ?? defaultMaxCount;
      return guarded(async () => {
        const events: RecordedEvent[] = [];
        let cursor: ReadPosition = from === 0 ? START : positions.at(from);
        // Skipped system events (and the inclusive start event) count against a server page, so keep
        // reading until the page is full or the log is exhausted; a short page then means "caught up".
        for (;;) {
          const batch = wanted - events.length + 1;
          let seen = 0;
          const page: AsyncIterable<AllStreamResolvedEvent> = client.readAll({ fromPosition: cursor, maxCount: batch, direction: FORWARDS });
          for await (const resolved of page) {
            seen += 1;
            if (resolved.event?.position) cursor = resolved.event.position;
            if (!isUserEvent(resolved) || resolved.event.position.commit <= BigInt(from)) continue;
            if (events.length < wanted && (events.length === 0 || resolved.event.position.commit > BigInt(events.at(-1)!.position))) {
              events.push(toRecorded(resolved.event, resolved.commitPosition));
            }
          }
          if (events.length >= wanted || seen < batch) return events;
        }
      });
    },

    async headPosition() {
      return guarded(async () => {
        let cursor: ReadPosition = END;
        for (;;) {
          let seen = 0;
          const page: AsyncIterable<AllStreamResolvedEvent> = client.readAll({ fromPosition: cursor, maxCount: 32, direction: BACKWARDS });
          for await (const resolved of page) {
            seen += 1;
            if (isUserEvent(resolved)) {
              positions.remember(resolved.event.position);
              return Number(resolved.event.position.commit);
            }
            if (resolved.event?.position) cursor = resolved.event.position;
          }
          if (seen < 32) return 0;
        }
      });
    },

    subscribeAll(from) {
      return pullSubscription({ readAll: (page) => store.readAll(page) }, signals, from, options.subscription);
    },

    async close() {
      if (signals.closed) return;
      signals.close();
      await client.dispose();
    },
  };
  return store;
}

function connect(connectionString: string): EventStoreDBClient {
  try {
    return EventStoreDBClient.connectionString(connectionString);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new LedgergateError('invalid_config', `LEDGERGATE_EVENT_STORE is not a valid EventStoreDB connection string: ${reason}`);
  }
}

function toEsdbExpected(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  return BigInt(expected);
}

const commitOf = (resolved: ResolvedEvent): bigint | undefined => resolved.commitPosition;

function withoutSystemKeys(metadata: unknown): unknown {
  if (typeof metadata !== 'object' || metadata === null || metadata instanceof Uint8Array || Array.isArray(metadata)) {
    return metadata;
  }
  return Object.fromEntries(Object.entries(metadata).filter(([key]) => !key.startsWith('$')));
}

/**
 * readAll resumes from a full log position (commit and prepare). Callers only hand back the commit
 * position, so remember the prepare positions of events recently seen; for a position not seen by this
 * instance, prepare = commit holds for events written through gRPC appends (no explicit transactions).
 */
class PositionCache {
  readonly #prepares = new Map<bigint, bigint>();

  remember(position: Position): void {
    this.#prepares.set(position.commit, position.prepare);
    if (this.#prepares.size > 10_000) {
      const oldest = this.#prepares.keys().next().value;
      if (oldest !== undefined) this.#prepares.delete(oldest);
    }
  }

  at(commitPosition: number): Position {
    const commit = BigInt(commitPosition);
    return { commit, prepare: this.#prepares.get(commit) ?? commit };
  }
}
