/** What the embedded SQLite store promises beyond the port: the hash chain, file safety, several processes. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createEventRegistry } from '../../src/domain/events/registry.js';
import { LedgergateError } from '../../src/domain/errors.js';
import type { RecordedEvent } from '../../src/domain/ports.js';
import { chainHash, genesisHash } from '../../src/domain/evidence/event-hash.js';
import { openSqliteEventStore } from '../../src/adapters/eventstore/sqlite-event-store.js';
import { authFailed, authFailures, collectUntil, makeTempDir, metadataFor, suppressedOf } from '../support/event-store-fixtures.js';
import { runTogether } from '../support/event-store-processes.js';

const registry = createEventRegistry();
let temp: { dir: string; remove(): Promise<void> };
let fileCounter = 0;
const freshFile = () => join(temp.dir, `store-${++fileCounter}.db`);
const open = (file: string, extra: { busyTimeoutMs?: number } = {}) => openSqliteEventStore({ file, registry, ...extra });

before(async () => {
  temp = await makeTempDir('sqlite-store');
});
after(async () => {
  await temp.remove();
});

function assertChainIntact(events: readonly RecordedEvent[]): void {
  let prev = genesisHash;
  events.forEach((event, i) => {
    assert.equal(event.position, i + 1, 'positions are gap-free from 1');
    assert.equal(event.prevHash, prev, `prevHash of position ${event.position} is the previous hash`);
    assert.equal(event.hash, chainHash(prev, event), `hash of position ${event.position} recomputes`);
    prev = event.hash!;
  });
}

const isConfigErrorNaming = (file: string, pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof LedgergateError);
  assert.equal(error.code, 'invalid_config');
  assert.ok(error.message.includes(file), `message names the file: ${error.message}`);
  assert.match(error.message, pattern);
  return true;
};

describe('SQLite event store: hash chain', () => {
  it('chains every event to the previous one across streams, batches and reopening', async () => {
    const file = freshFile();
    const first = open(file);
    await first.append('query-a', authFailures(3), 'no_stream');
    await first.append('query-b', [authFailed(10)], 'no_stream');
    await first.close();
    const reopened = open(file);
    await reopened.append('query-a', authFailures(2, 3), 2);
    const events = await reopened.readAll({ from: 0 });
    assert.equal(events.length, 6);
    assertChainIntact(events);
    await reopened.close();
  });

  it('uses the clock for recordedAt, which the hash covers', async () => {
    const store = openSqliteEventStore({ file: freshFile(), registry, clock: () => new Date('2030-01-02T03:04:05.000Z') });
    await store.append('query-clock', [authFailed(0)], 'no_stream');
    const [event] = await store.readStream('query-clock');
    assert.equal(event!.recordedAt, '2030-01-02T03:04:05.000Z');
    assert.notEqual(chainHash(genesisHash, { ...event!, recordedAt: '2030-01-02T03:04:06.000Z' }), event!.hash);
    await store.close();
  });

  it('refuses to read a row that was edited into an invalid event', async () => {
    const file = freshFile();
    const store = open(file);
    await store.append('query-tampered', [authFailed(0)], 'no_stream');
    const raw = new Database(file);
    raw.prepare("UPDATE events SET data = '{\"reason\":1}' WHERE position = 1").run();
    raw.close();
    await assert.rejects(store.readStream('query-tampered'), (e: unknown) => e instanceof LedgergateError && e.code === 'invalid_event');
    await assert.rejects(store.readAll({ from: 0 }), (e: unknown) => e instanceof LedgergateError && e.code === 'invalid_event');
    await store.close();
  });
});

describe('SQLite event store: delivered results are parsed when read', () => {
  const delivered = (rows: number) => ({
    type: 'ResultDelivered',
    data: { requestId: 'r', columns: [{ name: 'n', type: 'INT64' }], rows: Array.from({ length: rows }, (_, n) => ({ n })), rowCount: rows, truncated: false, bytesProcessed: 8, resultHash: 'a'.repeat(64) },
    metadata: metadataFor('r'),
  });

  it('a ResultDelivered reads back equal, its rows parsed on access; an edited one fails on access, its metadata at once', async () => {
    const file = freshFile();
    const store = open(file);
    const written = delivered(3);
    await store.append('query-lazy', [written, authFailed(1)], 'no_stream');
    const [result, other] = await store.readStream('query-lazy');
    assert.deepEqual(result!.data, written.data);
    assert.equal(result!.type, 'ResultDelivered');
    assertChainIntact([result!, other!]);
    assert.deepEqual(JSON.parse(JSON.stringify(result)).data, written.data, 'serialises like an eager event');

    const raw = new Database(file);
    raw.prepare("UPDATE events SET data = '{\"rows\":1}' WHERE position = 1").run();
    const [edited] = await store.readStream('query-lazy');
    assert.equal(edited!.position, 1, 'a projection passing over it by type is not stopped');
    assert.throws(() => edited!.data, (e: unknown) => e instanceof LedgergateError && e.code === 'invalid_event');
    raw.prepare("UPDATE events SET metadata = '{}' WHERE position = 1").run();
    raw.close();
    await assert.rejects(store.readStream('query-lazy'), (e: unknown) => e instanceof LedgergateError && e.code === 'invalid_event');
    await store.close();
  });
});

describe('SQLite event store: big events are parsed when read', () => {
  // A statement refused for its size is still recorded whole: 1 MB of SQL in one QueryRequested.
  const bigRequest = (sqlChars: number) => {
    const sql = `SELECT ${'1 + '.repeat(Math.ceil(sqlChars / 4))}1 AS x`;
    return {
      type: 'QueryRequested',
      data: {
        requestId: 'big',
        sql,
        sqlHash: createHash('sha256').update(sql).digest('hex'),
        maxRows: 10,
        principal: { subject: 'agent', issuer: 'https://issuer.test', groups: ['ai-agents'] },
        channel: 'rest',
      },
      metadata: metadataFor('big'),
    };
  };

  it('a 1 MB request reads back whole and chained; edited, it fails when its data is read, and its metadata at once', async () => {
    const file = freshFile();
    const store = open(file);
    const written = bigRequest(1_000_000);
    await store.append('query-big', [authFailed(0), written], 'no_stream');
    const events = await store.readAll({ from: 0 });
    assert.deepEqual(events[1]!.data, written.data, 'the whole SQL text is kept');
    assertChainIntact(events);

    const raw = new Database(file);
    raw.prepare('UPDATE events SET data = ? WHERE position = 2').run(JSON.stringify({ ...written.data, sql: 42, pad: 'x'.repeat(70_000) }));
    const [, edited] = await store.readAll({ from: 0 });
    assert.equal(edited!.type, 'QueryRequested', 'a reader passing over it by type is not stopped');
    assert.throws(() => edited!.data, (e: unknown) => e instanceof LedgergateError && e.code === 'invalid_event');
    raw.prepare("UPDATE events SET metadata = '{}' WHERE position = 2").run();
    raw.close();
    await assert.rejects(store.readAll({ from: 0 }), (e: unknown) => e instanceof LedgergateError && e.code === 'invalid_event');
    await store.close();
  });
});

describe('SQLite event store: files that are not a ledgergate store', () => {
  it('refuses a foreign SQLite database, naming the file, and leaves it untouched', () => {
    const file = freshFile();
    const foreign = new Database(file);
    foreign.exec("CREATE TABLE customers (email TEXT); INSERT INTO customers VALUES ('x@example.com')");
    foreign.close();
    const before = createHash('sha256').update(readFileSync(file)).digest('hex');
    assert.throws(() => open(file), isConfigErrorNaming(file, /not a ledgergate event store/));
    assert.equal(createHash('sha256').update(readFileSync(file)).digest('hex'), before, 'file unchanged');
  });

  it('refuses an SQLite database of another application', () => {
    const file = freshFile();
    const other = new Database(file);
    other.pragma('application_id = 1234');
    other.exec('CREATE TABLE t (x)');
    other.close();
    assert.throws(() => open(file), isConfigErrorNaming(file, /another application/));
  });

  it('refuses a file of random bytes, naming the file', () => {
    const file = freshFile();
    writeFileSync(file, randomBytes(8192));
    assert.throws(() => open(file), isConfigErrorNaming(file, /not an SQLite database|corrupt/));
  });

  it('refuses a store written by a newer schema version', async () => {
    const file = freshFile();
    await open(file).close();
    const raw = new Database(file);
    raw.prepare('UPDATE ledgergate_schema SET version = 99').run();
    raw.close();
    assert.throws(() => open(file), isConfigErrorNaming(file, /schema version 99/));
  });

  it('opens an empty file as a new store', async () => {
    const file = freshFile();
    writeFileSync(file, '');
    const store = open(file);
    assert.equal(await store.headPosition(), 0);
    await store.close();
  });
});

describe('SQLite event store: unavailability', () => {
  it('fails with store_unavailable when another writer holds the lock past the busy timeout', async () => {
    const file = freshFile();
    const store = open(file, { busyTimeoutMs: 100 });
    const locker = new Database(file);
    locker.prepare('BEGIN IMMEDIATE').run();
    try {
      await assert.rejects(store.append('query-locked', [authFailed(0)], 'no_stream'), (e: unknown) => {
        assert.ok(e instanceof LedgergateError);
        assert.equal(e.code, 'store_unavailable');
        assert.match(e.message, /locked/);
        return true;
      });
    } finally {
      locker.prepare('ROLLBACK').run();
      locker.close();
    }
    await store.append('query-locked', [authFailed(0)], 'no_stream');
    assert.equal((await store.readStream('query-locked')).length, 1, 'works again once the lock is gone');
    await store.close();
  });

  it('answers store_unavailable once closed, and completes its subscriptions', async () => {
    const store = open(freshFile());
    let completed = false;
    store.subscribeAll(0).subscribe({ complete: () => (completed = true) });
    await store.close();
    assert.ok(completed);
    await assert.rejects(store.append('query-closed', [authFailed(0)], 'no_stream'), (e: unknown) =>
      e instanceof LedgergateError && e.code === 'store_unavailable');
  });
});

describe('SQLite event store: several writers on one file', () => {
  it('lets exactly one of two store instances win the same expected revision', async () => {
    const file = freshFile();
    const [a, b] = [open(file), open(file)];
    await a.append('query-shared', [authFailed(0)], 'no_stream');
    const outcomes = await Promise.allSettled([a.append('query-shared', [authFailed(1)], 0), b.append('query-shared', [authFailed(2)], 0)]);
    assert.deepEqual(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
    assert.equal((await b.readStream('query-shared')).length, 2);
    await a.close();
    await b.close();
  });

  it('delivers appends made through another instance to a live subscription (polling)', async () => {
    const file = freshFile();
    const [reader, writer] = [open(file), open(file)];
    const collector = collectUntil(reader.subscribeAll(0), (got) => got.length >= 2);
    await writer.append('query-elsewhere', authFailures(2), 'no_stream');
    assert.deepEqual((await collector.done).map((e) => e.position), [1, 2]);
    collector.subscription.unsubscribe();
    await reader.close();
    await writer.close();
  });

  it('ends a readAll page at its byte budget, and reading on from each page still gives every event once, in order', async () => {
    const file = freshFile();
    const store = openSqliteEventStore({ file, registry, maxPageBytes: 600 });
    for (let i = 0; i < 25; i++) await store.append(`query-one-${i}`, [authFailed(i)], 'no_stream');
    const sizeOf = (e: RecordedEvent) => JSON.stringify(e.data).length + JSON.stringify(e.metadata).length;
    const seen: number[] = [];
    let from = 0;
    let pages = 0;
    for (;;) {
      const page = await store.readAll({ from, maxCount: 1000 });
      if (page.length === 0) break;
      pages += 1;
      // Every event but the last of a page fits under the budget: the last one is what reached it.
      assert.ok(page.slice(0, -1).reduce((sum, e) => sum + sizeOf(e), 0) < 600, 'the page ended at the event that reached the budget');
      seen.push(...page.map(suppressedOf));
      from = (page.at(-1) as RecordedEvent).position;
    }
    assert.deepEqual(seen, Array.from({ length: 25 }, (_, i) => i));
    assert.ok(pages >= 5, `25 events of ~150 bytes under a 600-byte budget take several pages (took ${pages})`);
    assert.equal((await store.readAll({ from: 0, maxCount: 3 })).length, 3, 'maxCount still bounds a page of small events');
    await store.close();
  });

  it('keeps the small events that follow the one reaching the budget in its stream on its page', async () => {
    const file = freshFile();
    const store = openSqliteEventStore({ file, registry, maxPageBytes: 600 });
    await store.append('query-first', authFailures(3), 'no_stream');
    await store.append('query-second', authFailures(3, 3), 'no_stream');
    await store.append('query-third', authFailures(3, 6), 'no_stream');
    // ~150 bytes an event: the budget is reached at the fourth event, the first of query-second.
    const first = await store.readAll({ from: 0, maxCount: 1000 });
    assert.deepEqual(first.map(suppressedOf), [0, 1, 2, 3, 4, 5], 'the page runs to the end of query-second, not into query-third');
    const rest = await store.readAll({ from: (first.at(-1) as RecordedEvent).position, maxCount: 1000 });
    assert.deepEqual(rest.map(suppressedOf), [6, 7, 8]);
    await store.close();
  });

  it('a live subscription reads on past a page ended at the byte budget instead of sleeping until the next poll', async () => {
    const file = freshFile();
    // A poll an hour away: only reading on at once can deliver the whole backlog within the collector's time.
    const store = openSqliteEventStore({ file, registry, maxPageBytes: 600, subscription: { pollIntervalMs: 3_600_000 } });
    await store.append('query-backlog', authFailures(25), 'no_stream');
    const collector = collectUntil(store.subscribeAll(0), (got) => got.length >= 25);
    assert.deepEqual((await collector.done).map(suppressedOf), Array.from({ length: 25 }, (_, i) => i));
    collector.subscription.unsubscribe();
    await store.close();
  });

  it('lets exactly one of two OS processes win the same expected revision', async () => {
    const file = freshFile();
    const store = open(file);
    await store.append('query-race', [authFailed(0, metadataFor('race'))], 'no_stream');
    const results = await runTogether([
      ['race', file, 'query-race'],
      ['race', file, 'query-race'],
    ]);
    const outcomes = results.map((r) => r.outcome).sort();
    assert.deepEqual(outcomes, ['revision_conflict', 'won'], JSON.stringify(results));
    const events = await store.readStream('query-race');
    assert.deepEqual(events.map((e) => e.revision), [0, 1]);
    assertChainIntact(await store.readAll({ from: 0 }));
    await store.close();
  });

  it('keeps positions gap-free and the chain intact under interleaved appends from two processes', async () => {
    const file = freshFile();
    await open(file).close();
    const perProcess = 100;
    const results = await runTogether([
      ['many', file, 'p1', String(perProcess)],
      ['many', file, 'p2', String(perProcess)],
    ]);
    assert.ok(results.every((r) => r.outcome === 'done'), JSON.stringify(results).slice(0, 500));
    const store = open(file);
    const events = await store.readAll({ from: 0, maxCount: 10_000 });
    assert.equal(events.length, perProcess * 2);
    assertChainIntact(events);
    const writers = events.map((e) => e.metadata.gatewayId);
    const switches = writers.filter((w, i) => i > 0 && w !== writers[i - 1]).length;
    assert.ok(switches > 1, `the two processes' appends interleaved (${switches} switches)`);
    for (const label of ['p1', 'p2']) {
      const ours = events.filter((e) => e.metadata.gatewayId === label);
      assert.deepEqual(ours.map((e) => (e.data as { suppressed: number }).suppressed), Array.from({ length: perProcess }, (_, i) => i));
      const reported = results.find((r, i) => i === (label === 'p1' ? 0 : 1))!.positions as number[];
      assert.deepEqual(reported, ours.map((e) => e.position), 'each append reported the position it got');
    }
    for (let s = 0; s < 5; s++) {
      const stream = await store.readStream(`p1-${s}`);
      assert.deepEqual(stream.map((e) => e.revision), stream.map((_, i) => i));
    }
    await store.close();
  });
});
