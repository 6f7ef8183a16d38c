/**
 * The EventStoreDB store (@eventstore/db-client 6.x), for more than one gateway replica. Semantics match
 * the SQLite store (revisions from 0, expected-revision conflicts, empty missing streams, validation on
 * write and read) with documented differences:
 *  - The global position is the event's commit position in the transaction log: ordered and unique,
 *    NOT dense (a byte offset). Callers treat positions as opaque increasing numbers and only hand back
 *    positions the store gave out (or 0). Numbers stay exact up to 2^53 bytes of log.
 *  - Events carry no hash chain: appends from several replicas cannot read the previous global hash
 *    atomically, so hash/prevHash are absent (the evidence sealer numbers and chains them at seal time).
 *  - `$all` is shared: system events, link events and other applications' events are skipped by every
 *    read. This gateway's events are told apart by a `$ledgergate` metadata marker, never by guessing.
 *  - Payloads over the inline limit are stored by content hash (see esdb-content.ts) and put back on read.
 * Every read and append has a deadline; a read is drained or cancelled, never left open.
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
  type RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import { LedgergateError, RevisionConflictError } from '../../domain/errors.js';
import type { EventRegistry } from '../../domain/events/registry.js';
import type { EventMetadata } from '../../domain/events/metadata.js';
import type { AppendResult, EventStore, ExpectedRevision, ReadAllOptions, RecordedEvent } from '../../domain/ports.js';
import { checkAppendable, describeExpected } from './append-checks.js';
import {
  contentChunkType,
  contentMarker,
  defaultInlineLimit,
  deterministicEventId,
  eventMarker,
  externalise,
  isContentReference,
  ownerKey,
  reassemble,
  type ContentPart,
} from './esdb-content.js';
import { esdbFailure, isTransient } from './esdb-errors.js';
import { drainWithDeadline, withDeadline } from './esdb-reads.js';
import { pullSubscription, StoreSignals, type PullSubscriptionOptions } from './pull-subscription.js';

export interface EsdbEventStoreOptions {
  readonly connectionString: string;
  readonly registry: EventRegistry;
  /** Default page size of readAll when the caller gives no maxCount. */
  readonly defaultMaxCount?: number;
  readonly subscription?: PullSubscriptionOptions;
  /** Deadline of every read and append (default 10 s, the client's own default for appends). */
  readonly deadlineMs?: number;
  /** Payloads whose JSON is larger are stored by content hash (default 256 KiB). */
  readonly inlineLimit?: number;
}

type EsdbRecorded = EsdbRecordedEvent<{ type: string; data: JSONType; metadata?: unknown }>;

const backwardsPage = 32;

export function openEsdbEventStore(options: EsdbEventStoreOptions): EventStore {
  const { registry } = options;
  const defaultMaxCount = options.defaultMaxCount ?? 1000;
  const deadlineMs = options.deadlineMs ?? 10_000;
  const inlineLimit = options.inlineLimit ?? defaultInlineLimit;
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
  /** One more attempt after a transient failure: the client has reconnected (to the leader) by then. */
  const retried = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await guarded(work);
    } catch (error) {
      if (!isTransient(error) || signals.closed) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
      return guarded(work);
    }
  };

  const readAllPage = (fromPosition: ReadPosition, maxCount: number, direction: typeof FORWARDS | typeof BACKWARDS) =>
    drainWithDeadline(client.readAll({ fromPosition, maxCount, direction }), deadlineMs, 'reading $all');

  const readWholeStream = async (stream: string): Promise<EsdbRecorded[]> => {
    try {
      const page = await drainWithDeadline(client.readStream(stream, { direction: FORWARDS, fromRevision: START }), deadlineMs, `reading ${stream}`);
      return page.flatMap((resolved) => (resolved.event ? [resolved.event as EsdbRecorded] : []));
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  };

  const isOurs = (event: EsdbRecordedEvent | undefined): event is EsdbRecorded =>
    event !== undefined &&
    event.isJson &&
    !event.streamId.startsWith('$') &&
    !event.type.startsWith('$') &&
    typeof event.metadata === 'object' &&
    event.metadata !== null &&
    (event.metadata as Record<string, unknown>)[ownerKey] === eventMarker;

  const toRecorded = async (event: EsdbRecorded, commitPosition: bigint | undefined): Promise<RecordedEvent> => {
    const commit = event.position?.commit ?? commitPosition;
    if (commit === undefined) {
      throw new LedgergateError('store_unavailable', 'EventStoreDB returned an event without a position (server older than 22.6?)');
    }
    if (event.position) positions.remember(event.position);
    const metadata = withoutSystemKeys(event.metadata) as EventMetadata;
    let data: unknown = event.data;
    if (isContentReference(data)) {
      const reference = data;
      data = reassemble(reference, (await readWholeStream(`ledgergate-content-${reference.$ledgergateContent}`)).map((part) => part.data));
    }
    registry.validate(event.type, data, metadata);
    return {
      streamName: event.streamId,
      revision: Number(event.revision),
      position: Number(commit),
      type: event.type,
      data,
      metadata,
      recordedAt: event.created.toISOString(),
    };
  };

  const writeParts = async (parts: readonly ContentPart[]) => {
    for (const part of parts) {
      const event = jsonEvent({ id: part.id, type: contentChunkType, data: part.data, metadata: { [ownerKey]: contentMarker } });
      const result = await withDeadline(client.appendToStream(part.stream, [event], { expectedRevision: ANY }), deadlineMs, 'storing content');
      if (!result.success) throw new LedgergateError('internal', `EventStoreDB did not store content part ${part.data.index} of ${part.stream}`);
    }
  };

  const appendOnce = async (stream: string, events: ReturnType<typeof jsonEvent>[], parts: readonly ContentPart[], expected: ExpectedRevision) => {
    await writeParts(parts);
    try {
      const result = await withDeadline(client.appendToStream(stream, events, { expectedRevision: toEsdbExpected(expected) }), deadlineMs, `appending to ${stream}`);
      // With throwOnAppendFailure off a conflict arrives as success: false (and a made-up revision).
      if (!result.success) throw new RevisionConflictError(stream, describeExpected(expected), 'no_stream');
      return result;
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        const actual = error.actualVersion === NO_STREAM ? 'no_stream' : Number(error.actualVersion);
        throw new RevisionConflictError(stream, describeExpected(expected), actual);
      }
      throw error;
    }
  };

  const store: EventStore = {
    async append(stream, events, expectedRevision): Promise<AppendResult> {
      checkAppendable(stream, events, expectedRevision);
      const parts: ContentPart[] = [];
      const eventData = events.map((event, index) => {
        const data = JSON.parse(JSON.stringify(event.data)) as JSONType;
        const metadata = JSON.parse(JSON.stringify(event.metadata)) as EventMetadata;
        registry.validate(event.type, data, metadata);
        const json = JSON.stringify(data);
        let stored: JSONType = data;
        if (json.length > inlineLimit) {
          const outside = externalise(json);
          parts.push(...outside.parts);
          stored = outside.reference as unknown as JSONType;
        }
        return jsonEvent({
          id: deterministicEventId(stream, expectedRevision, index, event.type, data, metadata),
          type: event.type,
          data: stored,
          // $correlationId/$causationId let EventStoreDB's own projections follow the request.
          metadata: {
            ...metadata,
            [ownerKey]: eventMarker,
            $correlationId: metadata.correlationId,
            $causationId: metadata.causationId ?? metadata.correlationId,
          },
        });
      });
      const result = await retried(() => appendOnce(stream, eventData, parts, expectedRevision));
      signals.appended();
      if (result.position) positions.remember(result.position);
      const lastPosition = result.position ? Number(result.position.commit) : await store.headPosition();
      return { nextExpectedRevision: Number(result.nextExpectedRevision), lastPosition };
    },

    async readStream(stream) {
      return retried(async () => {
        const events: RecordedEvent[] = [];
        for (const event of await readWholeStream(stream)) {
          if (isOurs(event)) events.push(await toRecorded(event, undefined));
        }
        return events;
      });
    },

    async readAll({ from, maxCount }: ReadAllOptions) {
      const wanted = maxCount ?? defaultMaxCount;
      if (!Number.isSafeInteger(from) || from < 0 || !Number.isSafeInteger(wanted) || wanted < 1) {
        throw new LedgergateError('internal', 'readAll needs an integer from >= 0 and maxCount >= 1', { from, maxCount });
      }
      return retried(async () => {
        const events: RecordedEvent[] = [];
        let cursor: ReadPosition = from === 0 ? START : positions.at(from);
        // Forward reads include the event at the start position; everything up to here is behind us.
        let seenThrough = BigInt(from);
        // Skipped events (and the inclusive start event) count against a server page, so keep reading
        // until the page is full or the log is exhausted; a short page then means "caught up".
        for (;;) {
          // Twice what is missing: on a shared log about as many records are not ours as are.
          const batch = (wanted - events.length) * 2 + 1;
          const page: AllStreamResolvedEvent[] = await readAllPage(cursor, batch, FORWARDS);
          for (const resolved of page) {
            const event = resolved.event;
            const commit = event?.position?.commit ?? resolved.commitPosition;
            if (commit === undefined || commit <= seenThrough || events.length >= wanted) continue;
            seenThrough = commit;
            if (event?.position) cursor = event.position;
            if (isOurs(event)) events.push(await toRecorded(event, resolved.commitPosition));
          }
          if (events.length >= wanted || page.length < batch) return events;
        }
      });
    },

    async headPosition() {
      return retried(async () => {
        let cursor: ReadPosition = END;
        for (;;) {
          // The whole page is drained before looking at it: no read is ever left open.
          const page: AllStreamResolvedEvent[] = await readAllPage(cursor, backwardsPage, BACKWARDS);
          const newest = page.find((resolved) => isOurs(resolved.event));
          if (newest?.event?.position) {
            positions.remember(newest.event.position);
            return Number(newest.event.position.commit);
          }
          const oldest = page.at(-1)?.event?.position;
          if (page.length < backwardsPage || !oldest) return 0;
          cursor = oldest;
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
