/**
 * The SQLite store's rebuild read (readForProjections): the events of readAll, minus what the caller
 * says no fold reads, without the schema re-check — and still refusing a row that is not what the
 * store wrote: data or metadata that is not JSON, an unknown type, metadata without its time.
 * Rows are damaged here behind the store's back, through a second SQLite connection.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/adapters/eventstore/sqlite-event-store.js';
import { silentLogger } from '../../src/adapters/logging/silent-logger.js';
import { isLedgergateError } from '../../src/domain/errors.js';
import { createEventRegistry } from '../../src/domain/events/registry.js';
import type { FoldableEvent, RecordedEvent } from '../../src/domain/ports.js';
import { openReadModelDb } from '../../src/projections/read-model-db.js';
import { createReadModels } from '../../src/projections/read-models.js';
import { startProjectionRunner } from '../../src/projections/runner.js';
import { unreadByReadModels } from '../../src/projections/unread-data.js';
import { makeTempDir } from '../support/event-store-fixtures.js';
import { richLifecycle } from '../support/rich-lifecycles.js';

let temp: { dir: string; remove(): Promise<void> };
let store: SqliteEventStore;
let raw: Database.Database;
let log: RecordedEvent[];

before(async () => {
  temp = await makeTempDir('sqlite-projection-reads');
  const file = join(temp.dir, 'events.sqlite');
  store = openSqliteEventStore({ file, registry: createEventRegistry() });
  for (let n = 0; n < 14; n++) {
    const { stream, events } = richLifecycle(n);
    await store.append(stream, events, 'no_stream');
  }
  log = await store.readAll({ from: 0, maxCount: 10_000 });
  raw = new Database(file);
});
after(async () => {
  raw.close();
  await store.close();
  await temp.remove();
});

const readAllForProjections = async (unread = unreadByReadModels): Promise<FoldableEvent[]> => {
  const read = store.readForProjections;
  assert.ok(read);
  return read({ from: 0, maxCount: 10_000, unread });
};

/** Changes one stored row for the duration of `check`, then puts it back. */
async function damaged(position: number, set: string, values: unknown[], check: () => Promise<void>): Promise<void> {
  const before = raw.prepare('SELECT type, data, metadata FROM events WHERE position = ?').get(position) as { type: string; data: string; metadata: string };
  raw.prepare(`UPDATE events SET ${set} WHERE position = ?`).run(...values, position);
  try {
    await check();
  } finally {
    raw.prepare('UPDATE events SET type = ?, data = ?, metadata = ? WHERE position = ?').run(before.type, before.data, before.metadata, position);
  }
}

const refusedAt = (position: number) => (error: unknown) => {
  assert.ok(isLedgergateError(error), String(error));
  assert.equal(error.code, 'invalid_event');
  assert.match(error.message, new RegExp(`position ${position}\\b`));
  return true;
};

describe('SQLite store: the rebuild read', () => {
  it('gives readAll\'s events in order, with their stream, type, time and session, and data minus what is declared unread', async () => {
    const folded = await readAllForProjections();
    assert.equal(folded.length, log.length);
    folded.forEach((event, i) => {
      const full = log[i] as RecordedEvent;
      assert.deepEqual([event.position, event.streamName, event.type], [full.position, full.streamName, full.type]);
      assert.deepEqual(event.metadata, { occurredAt: full.metadata.occurredAt, sessionId: full.metadata.sessionId });
      const unread = unreadByReadModels[event.type];
      // A whole data left unread is still there, read from the file (and validated) on first access.
      if (unread === undefined || unread === '*') return assert.deepEqual(event.data, full.data);
      const expected = { ...(full.data as Record<string, unknown>) };
      for (const member of unread) delete expected[member];
      assert.deepEqual(event.data, expected);
    });
    assert.ok(folded.some((e) => e.type === 'QueryAnalysed') && folded.some((e) => e.type === 'ResultDelivered'));
    const everything = await readAllForProjections({});
    assert.deepEqual(everything.map((e) => e.data), log.map((e) => e.data), 'nothing declared unread: all the data');
  });

  it('reads a page from any position, like readAll', async () => {
    const read = store.readForProjections;
    assert.ok(read);
    const page = await read({ from: 20, maxCount: 7, unread: unreadByReadModels });
    assert.deepEqual(page.map((e) => e.position), log.slice(20, 27).map((e) => e.position));
    assert.deepEqual(await read({ from: log.length, maxCount: 5 }), []);
  });

  it('refuses a damaged row of any event it hands over, naming its position, and a rebuild over it stops', async () => {
    const kinds = {
      'data that is not JSON': ['data = ?', ['{"requestId": "x", ']],
      'an unknown event type': ['type = ?', ['QueryTeleported']],
      'metadata that is not JSON': ['metadata = ?', ['{"occurredAt": ']],
      'metadata without its time': ['metadata = ?', ['{"correlationId":"c","schemaVersion":1}']],
      'a time that is not a string': ['metadata = ?', ['{"correlationId":"c","occurredAt":5,"schemaVersion":1}']],
      'a session that is not a string': ['metadata = json_set(metadata, \'$.sessionId\', 7)', []],
      'metadata that is not an object': ['metadata = ?', ['[1, 2]']],
      // The page is handed over as one JSON text: data must not be able to end its row early, nor
      // be read more kindly there (JSON5) than JSON.parse reads it, nor pass as text when it is not.
      'data that would close its row in a page': ['data = ?', ['{"requestId":"x"}],[999999,"request-x","QueryRequested",{}']],
      'data in JSON5': ['data = ?', ["{requestId: 'x'}"]],
      'data stored as a blob': ['data = CAST(data AS BLOB)', []],
    } as const;
    // Every event whose data is handed over (a whole data left unread is checked when read: next test).
    const handedOver = log.filter((e) => unreadByReadModels[e.type] !== '*').map((e) => e.position);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...handedOver), fc.constantFrom(...(Object.keys(kinds) as (keyof typeof kinds)[])), async (position, kind) => {
        const [set, values] = kinds[kind];
        await damaged(position, set, [...values], async () => {
          await assert.rejects(readAllForProjections(), refusedAt(position), kind);
          const readModelDb = openReadModelDb({ file: ':memory:' });
          const { projections, status } = createReadModels(readModelDb);
          await assert.rejects(startProjectionRunner({ store, readModels: readModelDb, projections, status, logger: silentLogger, pageSize: 40 }), refusedAt(position));
          readModelDb.close();
        });
      }),
      { numRuns: 30 },
    );
  });

  it('hands over any data text exactly as JSON.parse reads it, and refuses, naming the position, what JSON.parse refuses', async () => {
    // Types whose data is handed over whole, so the expected data is JSON.parse of the stored text.
    const whole = log.filter((e) => unreadByReadModels[e.type] === undefined).map((e) => e.position);
    const json = fc.jsonValue().map((value) => JSON.stringify(value));
    // Valid JSON with a few characters put in somewhere: mostly invalid, sometimes JSON5-ish or still valid.
    const nearlyJson = json.chain((text) => fc.tuple(fc.nat(text.length), fc.string({ maxLength: 3, unit: fc.constantFrom(',', ']', '}', '"', "'", ' ', '\\', 'a', '0', '.', '\u2028', '\ufeff') })).map(([at, put]) => text.slice(0, at) + put + text.slice(at)));
    const odd = fc.constantFrom('{"a":1}\n', ' {"a":1} ', '{"a":1,"a":2}', '{"__proto__":{"x":1}}', '{"n":1e999}', '{"n":-0}', '{"n":123456789012345678901234567890}', '{"s":"\\u0000\\ud800"}', '{"a":[1,2,]}', '{a:1}', 'NaN', '[' .repeat(1200) + ']'.repeat(1200));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...whole), fc.oneof(json, nearlyJson, odd), async (position, text) => {
        let expected: { data: unknown } | undefined;
        try {
          expected = { data: JSON.parse(text) };
        } catch {
          expected = undefined;
        }
        await damaged(position, 'data = ?', [text], async () => {
          if (expected === undefined) return void (await assert.rejects(readAllForProjections(), refusedAt(position), text));
          const event = (await readAllForProjections()).find((e) => e.position === position);
          assert.ok(event);
          assert.deepEqual(event.data, expected.data, text);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('a whole data left unread is refused when someone reads it, as readAll\'s lazily parsed data is', async () => {
    const delivered = log.find((e) => unreadByReadModels[e.type] === '*');
    assert.ok(delivered);
    await damaged(delivered.position, 'data = ?', ['{"rows": ['], async () => {
      const event = (await readAllForProjections()).find((e) => e.position === delivered.position);
      assert.ok(event);
      assert.throws(() => event.data, refusedAt(delivered.position));
    });
    await damaged(delivered.position, 'data = ?', ['{"rows": []}'], async () => {
      const event = (await readAllForProjections()).find((e) => e.position === delivered.position);
      assert.throws(() => event?.data, (error: unknown) => isLedgergateError(error) && error.code === 'invalid_event', 'schema-checked when read');
    });
  });

  it('accepts only known event types and plain member names as unread (they become SQL)', async () => {
    const read = store.readForProjections;
    assert.ok(read);
    await assert.rejects(read({ from: 0, maxCount: 1, unread: { "x' OR 1=1 --": '*' } }), (e: unknown) => isLedgergateError(e) && e.code === 'internal');
    await assert.rejects(read({ from: 0, maxCount: 1, unread: { QueryAnalysed: ["tables') --"] } }), (e: unknown) => isLedgergateError(e) && e.code === 'internal');
  });
});
