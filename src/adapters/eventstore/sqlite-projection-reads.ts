/**
 * The SQLite store's read for rebuilding read models (EventStore.readForProjections): the events of
 * `readAll`, in the same order and at the same positions, holding only what a fold reads — stream,
 * position, type, data, and the metadata's occurrence time and session — without ajv re-checking
 * every event's schema.
 *
 * Why skipping the schema check here is safe:
 * - every row of `events` was written by this store's writer thread after `append` had validated the
 *   event against the same registry (sqlite-event-store.ts); nothing else writes the table;
 * - the hash chain covers each row's type, data and metadata, so a row edited behind the store's
 *   back is found by evidence verification — a schema check on read never proved authenticity, it
 *   only caught a row damaged or edited into another shape;
 * - what is built from these events is derived data: read models can be dropped and rebuilt, and
 *   every read a person sees an event through (`readStream`, `readAll`, exports) still validates.
 * What still fails closed, as a damaged row did before: data or metadata that is not JSON, an event
 * type the registry does not know, metadata without a string occurrence time or with a non-string
 * session. Any of these throws invalid_event naming the position, and the rebuild stops there.
 *
 * Data the caller says no fold reads (`unread`) stays in SQLite: a whole data (`'*'`, e.g. a
 * delivered result's masked rows) is not handed to JavaScript at all and is read, parsed and fully
 * validated by position only if someone touches it; listed members (e.g. an analysis's per-statement
 * lineage, the bulk of a wide query's events) are removed by SQLite before JavaScript parses the rest.
 */
import type Database from 'better-sqlite3';
import { LedgergateError } from '../../domain/errors.js';
import type { EventMetadata } from '../../domain/events/metadata.js';
import type { EventRegistry } from '../../domain/events/registry.js';
import type { FoldableEvent, ProjectionReadOptions, UnreadData } from '../../domain/ports.js';
import type { JsonPage, ReadAhead } from './sqlite-read-ahead.js';

type PageRow = [position: number, streamName: string, type: string, data: unknown, occurredAt: unknown, sessionId: unknown];

/** A member name that is safe to put in a JSON path literal. */
const plainMember = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function sqliteProjectionReads(db: Database.Database, registry: EventRegistry, guard: <T>(work: () => T) => T, readAhead: ReadAhead) {
  const fullRow = db.prepare('SELECT data, metadata FROM events WHERE position = ?').raw();
  const pages = new Map<string, { sql: string; statement: Database.Statement; jsonSql: string; jsonStatement: Database.Statement; wholeDataUnread: ReadonlySet<string> }>();

  /** One prepared statement per distinct `unread` (a runner passes the same few over and over). */
  const pageFor = (unread: UnreadData) => {
    const key = JSON.stringify(Object.entries(unread).sort(([a], [b]) => a.localeCompare(b)));
    const found = pages.get(key);
    if (found) return found;
    const wholeDataUnread = new Set<string>();
    const cases: string[] = [];
    for (const [type, members] of Object.entries(unread)) {
      // Names end up in SQL text: only the registry's own types and plain member names are accepted.
      if (!registry.isKnown(type)) throw new LedgergateError('internal', `unread names an unknown event type ${type}`, { type });
      if (members === '*') {
        wholeDataUnread.add(type);
        cases.push(`WHEN '${type}' THEN NULL`);
      } else if (members.length > 0) {
        if (!members.every((m) => plainMember.test(m))) throw new LedgergateError('internal', `unread names a member of ${type} that is not a plain name`, { type });
        // Data that is not JSON text comes back NULL (and is refused below, with its position).
        cases.push(`WHEN '${type}' THEN CASE WHEN typeof(data) = 'text' AND json_valid(data) THEN json_remove(data, ${members.map((m) => `'$.${m}'`).join(', ')}) END`);
      }
    }
    const data = cases.length === 0 ? 'data' : `CASE type ${cases.join(' ')} ELSE data END`;
    // SQLite pulls the two metadata members out in C; a metadata text that is not JSON yields NULLs
    // (json_valid first: `->>` would raise a bare SQLITE_ERROR without the row's position).
    const columns = `position, stream_name, type, ${data} AS data,
           CASE WHEN json_valid(metadata) THEN metadata ->> '$.occurredAt' END AS occurred_at,
           CASE WHEN json_valid(metadata) THEN metadata ->> '$.sessionId' END AS session_id`;
    const sql = `SELECT ${columns} FROM events WHERE position > ? ORDER BY position LIMIT ?`;
    // The same page as ONE JSON text (why: jsonPageOf). Data that is not text, or not strict RFC 8259
    // JSON (json() alone would take JSON5 and rewrite it, where JSON.parse refuses it), comes out
    // null: the page is then read row by row, where such a row is refused with its position. What
    // json_valid takes, JSON.parse reads alike (test/contract/event-store-sqlite-projection-reads.test.ts).
    const jsonSql = `SELECT count(*), json_group_array(json_array(position, stream_name, type, json(CASE WHEN typeof(data) = 'text' AND json_valid(data) THEN data END), occurred_at, session_id)) FROM (${sql})`;
    const made = { sql, statement: db.prepare(sql).raw(), jsonSql, jsonStatement: db.prepare(jsonSql).raw(), wholeDataUnread };
    pages.set(key, made);
    return made;
  };

  const unreadable = (position: number, type: string, what: string): LedgergateError =>
    new LedgergateError('invalid_event', `${type} at position ${position} cannot be read: ${what}`, { type, position });

  const parse = (text: string, position: number, type: string, what: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      throw unreadable(position, type, `its ${what} is not JSON`);
    }
  };

  /** Reads, parses and validates an unread event's whole data on first access. */
  const deferred = (position: number, type: string): (() => unknown) => {
    let parsed: { value: unknown } | undefined;
    return () => {
      if (!parsed) {
        const [data, metadata] = guard(() => fullRow.get(position) as [string, string]);
        const value = parse(data, position, type, 'data');
        registry.validate(type, value, parse(metadata, position, type, 'metadata'));
        parsed = { value };
      }
      return parsed.value;
    };
  };

  /**
   * One row as a foldable event; `data` is the row's data text (the row-by-row read) or the value
   * SQLite already parsed it into (a JSON page), null when left unread.
   */
  const toFoldable = ([position, streamName, type, data, occurredAt, sessionId]: PageRow, wholeDataUnread: ReadonlySet<string>, parsed: boolean): FoldableEvent => {
    if (!registry.isKnown(type)) throw new LedgergateError('invalid_event', `Unknown event type ${type} at position ${position}`, { type, position });
    if (typeof occurredAt !== 'string') throw unreadable(position, type, 'its metadata has no occurrence time');
    if (sessionId !== null && typeof sessionId !== 'string') throw unreadable(position, type, 'its metadata has a session that is not a string');
    const metadata: Pick<EventMetadata, 'occurredAt' | 'sessionId'> = sessionId === null ? { occurredAt } : { occurredAt, sessionId };
    if (data !== null) return { streamName, position, type, data: parsed ? data : typeof data === 'string' ? parse(data, position, type, 'data') : notJsonText(position, type), metadata };
    if (!wholeDataUnread.has(type)) throw unreadable(position, type, 'its data is not JSON text');
    const read = deferred(position, type);
    return {
      streamName,
      position,
      type,
      get data(): unknown {
        return read();
      },
      metadata,
    };
  };

  const notJsonText = (position: number, type: string): never => {
    throw unreadable(position, type, 'its data is not JSON text');
  };

  /**
   * The rows of a page given as one JSON text, or undefined when it is not exactly what the row-by-row
   * read would give — not an array of `count` rows of six, positions not rising from `from`, or a null
   * data the row-by-row read would refuse (the JSON literal null and SQL NULL look alike here) — so
   * that the caller reads the page row by row instead and reports what is wrong with which row.
   *
   * Why one text: the event loop then makes each event's objects straight from the page, in one
   * JSON.parse, instead of first receiving every row's data as a string of its own (copied from the
   * thread, then parsed and dropped); the page text itself is one large object the young generation
   * never copies. Measured on a 200k-event log: the event loop's share of the read fell by a third.
   */
  const jsonPageOf = (page: JsonPage, from: number, wholeDataUnread: ReadonlySet<string>): PageRow[] | undefined => {
    let rows: unknown;
    try {
      rows = JSON.parse(page.text);
    } catch {
      return undefined;
    }
    if (!Array.isArray(rows) || rows.length !== page.count) return undefined;
    let previous = from;
    for (const row of rows as unknown[]) {
      if (!Array.isArray(row) || row.length !== 6) return undefined;
      const [position, , type, data] = row as PageRow;
      if (typeof position !== 'number' || !Number.isInteger(position) || position <= previous) return undefined;
      if (data === null && !wholeDataUnread.has(type)) return undefined;
      previous = position;
    }
    return rows as PageRow[];
  };

  /** The page as one JSON text on this connection, or undefined when SQLite refuses it (data that is not JSON). */
  const jsonPageHere = (statement: Database.Statement, from: number, limit: number): JsonPage | undefined => {
    try {
      const [count, text] = guard(() => statement.get(from, limit) as [number, string]);
      return { count, text };
    } catch {
      return undefined;
    }
  };

  return {
    async readForProjections({ from, maxCount, unread = {} }: ProjectionReadOptions, defaultMaxCount: number): Promise<FoldableEvent[]> {
      const limit = maxCount ?? defaultMaxCount;
      if (!Number.isInteger(from) || from < 0 || !Number.isInteger(limit) || limit < 1) {
        throw new LedgergateError('internal', `readForProjections needs an integer from >= 0 and maxCount >= 1`, { from, maxCount });
      }
      const { sql, statement, jsonSql, jsonStatement, wholeDataUnread } = pageFor(unread);
      // A backlog of full pages is read one page ahead on another thread (sqlite-read-ahead.ts).
      const page = (await readAhead.take(jsonSql, from, limit)) ?? jsonPageHere(jsonStatement, from, limit);
      const fromJson = page === undefined ? undefined : jsonPageOf(page, from, wholeDataUnread);
      const rows = fromJson ?? guard(() => statement.all(from, limit) as PageRow[]);
      const last = rows[rows.length - 1];
      if (last && rows.length === limit) readAhead.readNext(jsonSql, last[0], limit);
      else void readAhead.stop();
      return rows.map((row) => toFoldable(row, wholeDataUnread, fromJson !== undefined));
    },
  };
}
