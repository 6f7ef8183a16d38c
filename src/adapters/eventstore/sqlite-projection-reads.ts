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
 * The data of the types in `deferredData` (a delivered result: the masked rows, most of the log's
 * bytes, which no fold reads) is not even handed to JavaScript: it is read, parsed and fully
 * validated by position on first access, like `readAll`'s lazily parsed events.
 */
import type Database from 'better-sqlite3';
import { LedgergateError } from '../../domain/errors.js';
import type { EventMetadata } from '../../domain/events/metadata.js';
import type { EventRegistry } from '../../domain/events/registry.js';
import type { FoldableEvent, ReadAllOptions } from '../../domain/ports.js';

/** Event types whose data is left in the file until someone reads it. */
export const deferredData: ReadonlySet<string> = new Set(['ResultDelivered']);

type PageRow = [position: number, streamName: string, type: string, data: string | null, occurredAt: unknown, sessionId: unknown];

export function sqliteProjectionReads(db: Database.Database, registry: EventRegistry, guard: <T>(work: () => T) => T) {
  const deferredList = [...deferredData].map((type) => `'${type.replaceAll("'", "''")}'`).join(', ');
  // SQLite pulls the two metadata members out in C; a metadata text that is not JSON yields NULLs
  // (json_valid first: `->>` would raise a bare SQLITE_ERROR without the row's position).
  const page = db
    .prepare(
      `SELECT position, stream_name, type, CASE WHEN type IN (${deferredList}) THEN NULL ELSE data END,
         CASE WHEN json_valid(metadata) THEN metadata ->> '$.occurredAt' END,
         CASE WHEN json_valid(metadata) THEN metadata ->> '$.sessionId' END
       FROM events WHERE position > ? ORDER BY position LIMIT ?`,
    )
    .raw();
  const fullRow = db.prepare('SELECT data, metadata FROM events WHERE position = ?').raw();

  const unreadable = (position: number, type: string, what: string): LedgergateError =>
    new LedgergateError('invalid_event', `${type} at position ${position} cannot be read: ${what}`, { type, position });

  const parse = (text: string, position: number, type: string, what: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      throw unreadable(position, type, `its ${what} is not JSON`);
    }
  };

  /** Reads, parses and validates a deferred event's data on first access. */
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

  const toFoldable = ([position, streamName, type, data, occurredAt, sessionId]: PageRow): FoldableEvent => {
    if (!registry.isKnown(type)) throw new LedgergateError('invalid_event', `Unknown event type ${type} at position ${position}`, { type, position });
    if (typeof occurredAt !== 'string') throw unreadable(position, type, 'its metadata has no occurrence time');
    if (sessionId !== null && typeof sessionId !== 'string') throw unreadable(position, type, 'its metadata has a session that is not a string');
    const metadata: Pick<EventMetadata, 'occurredAt' | 'sessionId'> = sessionId === null ? { occurredAt } : { occurredAt, sessionId };
    if (typeof data === 'string') return { streamName, position, type, data: parse(data, position, type, 'data'), metadata };
    if (data !== null || !deferredData.has(type)) throw unreadable(position, type, 'its data is not JSON text');
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

  return {
    async readForProjections({ from, maxCount }: ReadAllOptions, defaultMaxCount: number): Promise<FoldableEvent[]> {
      const limit = maxCount ?? defaultMaxCount;
      if (!Number.isInteger(from) || from < 0 || !Number.isInteger(limit) || limit < 1) {
        throw new LedgergateError('internal', `readForProjections needs an integer from >= 0 and maxCount >= 1`, { from, maxCount });
      }
      const rows = guard(() => page.all(from, limit) as PageRow[]);
      return rows.map(toFoldable);
    },
  };
}
