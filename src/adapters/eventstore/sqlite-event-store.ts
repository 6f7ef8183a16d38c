/**
 * The embedded event store: one SQLite file (WAL, synchronous=FULL) that several gateway processes may
 * share. Appends of one event-loop turn commit together in one BEGIN IMMEDIATE transaction (group
 * commit; one savepoint per append), so writers are serialised by SQLite's write
 * lock: the expected-revision check, the gap-free global position (max + 1) and the hash chain
 * (prevHash = hash of the previous global event) are all decided while holding it, and a reader never
 * sees position n + 1 before position n is committed.
 */
import type Database from 'better-sqlite3';
import { LedgergateError, RevisionConflictError } from '../../domain/errors.js';
import type { EventRegistry } from '../../domain/events/registry.js';
import type { EventMetadata } from '../../domain/events/metadata.js';
import { chainHash, genesisHash } from '../../domain/evidence/event-hash.js';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  RecordedEvent,
} from '../../domain/ports.js';
import { pullSubscription, StoreSignals, type PullSubscriptionOptions } from './pull-subscription.js';
import { storageFailure } from './sqlite-errors.js';
import { openDatabase } from './sqlite-schema.js';
import { checkAppendable, describeExpected } from './append-checks.js';

export interface SqliteEventStoreOptions {
  readonly file: string;
  readonly registry: EventRegistry;
  readonly clock?: () => Date;
  /** Default page size of readAll when the caller gives no maxCount. */
  readonly defaultMaxCount?: number;
  readonly subscription?: PullSubscriptionOptions;
  /** How long an append waits for another process's write lock before failing with store_unavailable. */
  readonly busyTimeoutMs?: number;
}

export interface SqliteEventStore extends EventStore {
  readonly file: string;
}

interface EventRow {
  position: number;
  stream_name: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
  hash: string;
  prev_hash: string;
}

const columns = 'position, stream_name, revision, type, data, metadata, recorded_at, hash, prev_hash';

/** Event types whose data is parsed on first access (see lazyRecorded). */
const lazilyParsed: ReadonlySet<string> = new Set(['ResultDelivered']);

export function openSqliteEventStore(options: SqliteEventStoreOptions): SqliteEventStore {
  const { file, registry } = options;
  const clock = options.clock ?? (() => new Date());
  const defaultMaxCount = options.defaultMaxCount ?? 1000;
  const db = openDatabase(file, options.busyTimeoutMs);
  const signals = new StoreSignals();
  const statements = prepareStatements(db);

  const guard = <T>(work: () => T): T => {
    if (signals.closed) throw new LedgergateError('store_unavailable', `Event store ${file} is closed`, { file });
    try {
      return work();
    } catch (error) {
      throw storageFailure(file, error);
    }
  };

  const toRecorded = (row: EventRow): RecordedEvent => {
    const metadata = JSON.parse(row.metadata) as EventMetadata;
    if (lazilyParsed.has(row.type)) return lazyRecorded(row, metadata);
    const data: unknown = JSON.parse(row.data);
    // Validated on read too: a row edited behind the store's back must not flow on silently.
    registry.validate(row.type, data, metadata);
    return {
      streamName: row.stream_name,
      revision: row.revision,
      position: row.position,
      type: row.type,
      data,
      metadata,
      recordedAt: row.recorded_at,
      hash: row.hash,
      prevHash: row.prev_hash,
    };
  };

  /**
   * A delivered result (the masked rows, most of the log's bytes) is parsed and validated when someone
   * reads its data — the requester's GET, a replay, an export — not when a projection that only needs
   * its type and position passes over it. An edited row still fails, on first access.
   */
  const lazyRecorded = (row: EventRow, metadata: EventMetadata): RecordedEvent => {
    registry.validateMetadata(row.type, metadata);
    let parsed: { value: unknown } | undefined;
    return {
      streamName: row.stream_name,
      revision: row.revision,
      position: row.position,
      type: row.type,
      get data(): unknown {
        if (!parsed) {
          const value: unknown = JSON.parse(row.data);
          registry.validate(row.type, value, metadata);
          parsed = { value };
        }
        return parsed.value;
      },
      metadata,
      recordedAt: row.recorded_at,
      hash: row.hash,
      prevHash: row.prev_hash,
    };
  };

  const appendInTransaction = db.transaction(
    (stream: string, events: readonly SerialisedEvent[], expected: ExpectedRevision): AppendResult => {
      const last = statements.lastRevisionOf.get(stream) as { revision: number } | undefined;
      const actual = last ? last.revision : 'no_stream';
      const conflict =
        (expected === 'no_stream' && actual !== 'no_stream') || (typeof expected === 'number' && expected !== actual);
      if (conflict) throw new RevisionConflictError(stream, describeExpected(expected), actual);

      const head = statements.lastEvent.get() as { position: number; hash: string } | undefined;
      let prevHash = head ? head.hash : genesisHash;
      let position = head ? head.position : 0;
      let revision = last ? last.revision : -1;
      const recordedAt = clock().toISOString();
      for (const { type, data, metadata, dataJson, metadataJson } of events) {
        position += 1;
        revision += 1;
        const hash = chainHash(prevHash, { streamName: stream, revision, position, type, data, metadata, recordedAt });
        statements.insert.run(position, stream, revision, type, dataJson, metadataJson, recordedAt, hash, prevHash);
        prevHash = hash;
      }
      return { nextExpectedRevision: revision, lastPosition: position };
    },
  );

  // Group commit: appends issued in the same event-loop turn share one transaction and so one fsync.
  // Each keeps its own savepoint (a nested better-sqlite3 transaction), so a revision conflict fails
  // only its own append; every promise settles only after the shared COMMIT is on disk.
  let pending: PendingAppend[] = [];
  const commitBatch = db.transaction((batch: readonly PendingAppend[]) =>
    batch.map((item): BatchOutcome => {
      try {
        return { ok: appendInTransaction(item.stream, item.events, item.expected) };
      } catch (error) {
        if (error instanceof RevisionConflictError) return { error };
        throw error;
      }
    }),
  );
  const flush = (): void => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    let outcomes: BatchOutcome[];
    try {
      outcomes = guard(() => commitBatch.immediate(batch));
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i] as BatchOutcome;
      if ('ok' in outcome) item.resolve(outcome.ok);
      else item.reject(outcome.error);
    });
    signals.appended();
  };

  const store: SqliteEventStore = {
    file,

    append(stream, events, expectedRevision) {
      try {
        checkAppendable(stream, events, expectedRevision);
        const serialised = events.map(serialise);
        for (const event of serialised) registry.validate(event.type, event.data, event.metadata);
        if (signals.closed) throw new LedgergateError('store_unavailable', `Event store ${file} is closed`, { file });
        return new Promise<AppendResult>((resolve, reject) => {
          if (pending.length === 0) setImmediate(flush);
          pending.push({ stream, events: serialised, expected: expectedRevision, resolve, reject });
        });
      } catch (error) {
        return Promise.reject(error);
      }
    },

    async readStream(stream) {
      const rows = guard(() => statements.readStream.all(stream) as EventRow[]);
      return rows.map(toRecorded);
    },

    async readAll({ from, maxCount }: ReadAllOptions) {
      const limit = maxCount ?? defaultMaxCount;
      if (!Number.isInteger(from) || from < 0 || !Number.isInteger(limit) || limit < 1) {
        throw new LedgergateError('internal', `readAll needs an integer from >= 0 and maxCount >= 1`, { from, maxCount });
      }
      const rows = guard(() => statements.readAll.all(from, limit) as EventRow[]);
      return rows.map(toRecorded);
    },

    async headPosition() {
      return guard(() => (statements.head.get() as { head: number }).head);
    },

    subscribeAll(from) {
      // Reads go through store.readAll so that every page is validated exactly like a direct read.
      return pullSubscription({ readAll: (page) => store.readAll(page) }, signals, from, options.subscription);
    },

    async close() {
      if (signals.closed) return;
      flush();
      signals.close();
      db.close();
    },
  };
  return store;
}

interface PendingAppend {
  readonly stream: string;
  readonly events: readonly SerialisedEvent[];
  readonly expected: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

type BatchOutcome = { ok: AppendResult } | { error: RevisionConflictError };

interface SerialisedEvent {
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly dataJson: string;
  readonly metadataJson: string;
}

/**
 * Validation and the hash see exactly what a reader will get back: the JSON round trip of what was
 * given (undefined members dropped, Dates as strings).
 */
function serialise(event: NewEvent): SerialisedEvent {
  const dataJson = JSON.stringify(event.data) ?? 'null';
  const metadataJson = JSON.stringify(event.metadata) ?? 'null';
  return { type: event.type, data: JSON.parse(dataJson), metadata: JSON.parse(metadataJson), dataJson, metadataJson };
}

function prepareStatements(db: Database.Database) {
  return {
    lastRevisionOf: db.prepare('SELECT revision FROM events WHERE stream_name = ? ORDER BY revision DESC LIMIT 1'),
    lastEvent: db.prepare('SELECT position, hash FROM events ORDER BY position DESC LIMIT 1'),
    head: db.prepare('SELECT coalesce(max(position), 0) AS head FROM events'),
    insert: db.prepare(`INSERT INTO events (${columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    readStream: db.prepare(`SELECT ${columns} FROM events WHERE stream_name = ? ORDER BY revision`),
    readAll: db.prepare(`SELECT ${columns} FROM events WHERE position > ? ORDER BY position LIMIT ?`),
  };
}
