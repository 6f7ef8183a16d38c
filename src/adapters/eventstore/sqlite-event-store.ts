/**
 * The embedded event store: one SQLite file (WAL, synchronous=FULL) that several gateway processes may
 * share. Appends are validated and serialised here, then committed by a writer thread
 * (sqlite-writer.ts) in group commits: every append that arrives while one commit is being fsync'd
 * goes into the next, one BEGIN IMMEDIATE transaction with a savepoint per append
 * (sqlite-batch-commit.ts). Writers are serialised by SQLite's write lock, so revisions, gap-free
 * positions and the hash chain are decided while holding it, and a reader never sees position n + 1
 * before position n is committed. Reads run on this thread's own connection.
 */
import type Database from 'better-sqlite3';
import { LedgergateError, RevisionConflictError } from '../../domain/errors.js';
import type { EventRegistry } from '../../domain/events/registry.js';
import type { EventMetadata } from '../../domain/events/metadata.js';
import type {
  AppendResult,
  EventStore,
  NewEvent,
  ReadAllOptions,
  RecordedEvent,
} from '../../domain/ports.js';
import { pullSubscription, StoreSignals, type PullSubscriptionOptions } from './pull-subscription.js';
import { storageFailure } from './sqlite-errors.js';
import { defaultBusyTimeoutMs, openDatabase } from './sqlite-schema.js';
import { startSqliteWriter } from './sqlite-writer.js';
import type { WireEvent, WireOutcome } from './sqlite-writer-protocol.js';
import { canonicalJson } from '../../domain/evidence/event-hash.js';
import { fastPathHoldsForJsonText } from '../../domain/evidence/canonical-json.js';
import { checkAppendable } from './append-checks.js';
import { sqliteProjectionReads } from './sqlite-projection-reads.js';
import { sqliteReadAhead } from './sqlite-read-ahead.js';

export interface SqliteEventStoreOptions {
  readonly file: string;
  readonly registry: EventRegistry;
  readonly clock?: () => Date;
  /** Default page size of readAll when the caller gives no maxCount. */
  readonly defaultMaxCount?: number;
  readonly subscription?: PullSubscriptionOptions;
  /** How long an append waits for another process's write lock before failing with store_unavailable. */
  readonly busyTimeoutMs?: number;
  /**
   * A readAll page ends after the event that brings its data and metadata to this many bytes (it holds
   * at least one event), so reading past a few 1 MB events costs the event loop one of them per page.
   */
  readonly maxPageBytes?: number;
}

/** About ten milliseconds of parsing and validating on the event loop. */
export const defaultMaxPageBytes = 1024 * 1024;

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

/** An event's position, the bytes of its data and metadata, and its stream. */
type SizeRow = [position: number, bytes: number, stream: string];

const columns = 'position, stream_name, revision, type, data, metadata, recorded_at, hash, prev_hash';

/** Event types whose data is parsed on first access (see lazyRecorded). */
const lazilyParsed: ReadonlySet<string> = new Set(['ResultDelivered']);
/**
 * Data longer than this is parsed on first access whatever its type: a reader that passes over an
 * event (the sealer counting what is due) does not parse a 1 MB statement recorded as refused.
 */
const lazyDataChars = 64 * 1024;

export function openSqliteEventStore(options: SqliteEventStoreOptions): SqliteEventStore {
  const { file, registry } = options;
  const clock = options.clock ?? (() => new Date());
  const defaultMaxCount = options.defaultMaxCount ?? 1000;
  const db = openDatabase(file, options.busyTimeoutMs);
  const signals = new StoreSignals();
  const statements = prepareStatements(db);
  const maxPageBytes = options.maxPageBytes ?? defaultMaxPageBytes;
  // Pages readAll ended at the byte budget rather than at the end of the log (the live feed reads on at once).
  const cutPages = new WeakSet<readonly RecordedEvent[]>();

  /**
   * Where a page of `limit` events after `from` must end early to stay within the byte budget (the
   * event that reaches it is the page's last), or undefined when the whole page fits. Sizes come from
   * the record headers: octet_length does not load the text. The first look sums the position range
   * the page covers (positions here are gap-free), a few microseconds; only a page over the budget is
   * looked at event by event.
   */
  const pageEndAtBudget = (from: number, limit: number): number | undefined => {
    const total = statements.rangeBytes.get(from, from, limit) as number | null;
    if (total === null || total < maxPageBytes) return undefined;
    const sizes = statements.sizes.all(from, limit) as SizeRow[];
    const at = (i: number): SizeRow => sizes[i] as SizeRow;
    let bytes = 0;
    for (let i = 0; i < sizes.length; i++) {
      bytes += at(i)[1];
      if (bytes < maxPageBytes) continue;
      // The small events written after it in the same stream (its append's analysis and decision) stay
      // on its page: a read model folding the request then writes its row once, not once per page.
      let end = i;
      while (end + 1 < sizes.length && at(end + 1)[2] === at(i)[2] && at(end + 1)[1] <= lazyDataChars) end += 1;
      return end + 1 < limit ? at(end)[0] : undefined;
    }
    return undefined;
  };

  const guard = <T>(work: () => T): T => {
    if (signals.closed) throw new LedgergateError('store_unavailable', `Event store ${file} is closed`, { file });
    try {
      return work();
    } catch (error) {
      throw storageFailure(file, error);
    }
  };

  const readAhead = sqliteReadAhead({ file, busyTimeoutMs: options.busyTimeoutMs ?? defaultBusyTimeoutMs });
  const projectionReads = sqliteProjectionReads(db, registry, guard, readAhead);

  const toRecorded = (row: EventRow): RecordedEvent => {
    const metadata = JSON.parse(row.metadata) as EventMetadata;
    if (lazilyParsed.has(row.type) || row.data.length > lazyDataChars) return lazyRecorded(row, metadata);
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
   * A delivered result (the masked rows, most of the log's bytes) or any other big event is parsed and
   * validated when someone reads its data — the requester's GET, a replay, an export — not when a
   * reader that only needs its type and position passes over it. An edited row still fails, on first access.
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

  // Appends are committed by a writer thread with its own connection (group commit off the event loop);
  // this connection only reads. WAL lets it read while the writer commits, and it sees a commit as soon
  // as the writer reports it.
  const writer = startSqliteWriter({ file, busyTimeoutMs: options.busyTimeoutMs ?? defaultBusyTimeoutMs }, clock);
  let closing = false;

  // Live subscriptions and waiters are woken once per committed batch (its appends settle together),
  // after it is durable and readable on this connection.
  let wakeScheduled = false;
  const wakeReaders = (): void => {
    if (wakeScheduled) return;
    wakeScheduled = true;
    queueMicrotask(() => {
      wakeScheduled = false;
      signals.appended();
    });
  };

  const toResult = (outcome: WireOutcome): AppendResult => {
    if ('ok' in outcome) return outcome.ok;
    const { stream, expected, actual } = outcome.conflict;
    throw new RevisionConflictError(stream, expected, actual);
  };

  const store: SqliteEventStore = {
    file,

    async append(stream, events, expectedRevision) {
      checkAppendable(stream, events, expectedRevision);
      const serialised = events.map(serialise);
      for (const event of serialised) registry.validate(event.type, event.data, event.metadata);
      if (closing) throw new LedgergateError('store_unavailable', `Event store ${file} is closed`, { file });
      const wireEvents = serialised.map(toWire);
      let outcome: WireOutcome;
      try {
        outcome = await writer.append({ stream, streamCanonical: canonicalJson(stream), expected: expectedRevision, events: wireEvents });
      } catch (error) {
        throw storageFailure(file, error);
      }
      wakeReaders();
      return toResult(outcome);
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
      const through = guard(() => pageEndAtBudget(from, limit));
      const rows = guard(() => (through === undefined ? statements.readAll.all(from, limit) : statements.readRange.all(from, through)) as EventRow[]);
      const page = rows.map(toRecorded);
      if (through !== undefined) cutPages.add(page);
      return page;
    },

    readForProjections: (options) => projectionReads.readForProjections(options, defaultMaxCount),

    async headPosition() {
      return guard(() => (statements.head.get() as { head: number }).head);
    },

    subscribeAll(from) {
      // Reads go through store.readAll so that every page is validated exactly like a direct read.
      return pullSubscription({ readAll: (page) => store.readAll(page), endedEarly: (page) => cutPages.has(page) }, signals, from, options.subscription);
    },

    async close() {
      if (closing) return;
      closing = true;
      // Appends already accepted are committed before the store goes away.
      await writer.close();
      await readAhead.stop();
      signals.close();
      db.close();
    },
  };
  return store;
}

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

/** The row's JSON text, and what the writer thread needs to hash it (see sqlite-writer-thread.ts). */
function toWire({ type, data, metadata, dataJson, metadataJson }: SerialisedEvent): WireEvent {
  return {
    type,
    dataJson,
    metadataJson,
    typeCanonical: canonicalJson(type),
    dataCanonical: fastPathHoldsForJsonText(dataJson) ? null : canonicalJson(data),
    metadataCanonical: fastPathHoldsForJsonText(metadataJson) ? null : canonicalJson(metadata),
  };
}

function prepareStatements(db: Database.Database) {
  return {
    head: db.prepare('SELECT coalesce(max(position), 0) AS head FROM events'),
    readStream: db.prepare(`SELECT ${columns} FROM events WHERE stream_name = ? ORDER BY revision`),
    readAll: db.prepare(`SELECT ${columns} FROM events WHERE position > ? ORDER BY position LIMIT ?`),
    rangeBytes: db.prepare('SELECT sum(octet_length(data) + octet_length(metadata)) FROM events WHERE position > ? AND position <= ? + ?').pluck(),
    sizes: db.prepare('SELECT position, octet_length(data) + octet_length(metadata), stream_name FROM events WHERE position > ? ORDER BY position LIMIT ?').raw(),
    readRange: db.prepare(`SELECT ${columns} FROM events WHERE position > ? AND position <= ? ORDER BY position`),
  };
}
