/**
 * The persisted read models over a real log (the in-memory store, held to the event-store contract,
 * and the same log seen with EventStoreDB-like sparse commit positions): a restart resumes from each
 * projection's checkpoint, a changed version rebuilds in the background while reads answer 503, and
 * rows and checkpoints commit together, so a failed write loses nothing and applies nothing twice.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { map } from 'rxjs';
import { auditRoutes } from '../../../src/adapters/http/audit-routes.js';
import { problemHandler } from '../../../src/adapters/http/problem.js';
import { silentLogger } from '../../../src/adapters/logging/silent-logger.js';
import { isLedgergateError } from '../../../src/domain/errors.js';
import type { EventStore, Logger, ReadAllOptions, RecordedEvent } from '../../../src/domain/ports.js';
import { accessLogProjection } from '../../../src/projections/access-log.js';
import type { SqlProjection } from '../../../src/projections/projection.js';
import { openReadModelDb, type ReadModelDb } from '../../../src/projections/read-model-db.js';
import { createReadModels, readModelProjections } from '../../../src/projections/read-models.js';
import { startProjectionRunner, type ProjectionRunner } from '../../../src/projections/runner.js';
import { createMemoryEventStore } from '../../support/memory-event-store.js';
import { lifecycle } from '../../support/request-lifecycles.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledgergate-read-models-'));
  dirs.push(dir);
  return dir;
};

async function appendRequests(store: EventStore, from: number, count: number): Promise<void> {
  for (let n = from; n < from + count; n++) {
    const { stream, events } = lifecycle(n);
    await store.append(stream, events, 'no_stream');
  }
}

/**
 * The same log as EventStoreDB numbers it: commit positions are byte offsets, increasing but not
 * dense (esdb-event-store.ts), and readers hand back only positions the store gave out.
 */
function sparsePositions(store: EventStore): EventStore {
  const out = (p: number) => p * 1000 + 77;
  const back = (p: number) => (p === 0 ? 0 : (p - 77) / 1000);
  const moved = (e: RecordedEvent): RecordedEvent => ({ ...e, position: out(e.position) });
  return {
    ...store,
    readAll: async (options: ReadAllOptions) => (await store.readAll({ ...options, from: back(options.from) })).map(moved),
    headPosition: async () => {
      const head = await store.headPosition();
      return head === 0 ? 0 : out(head);
    },
    subscribeAll: (from: number) => store.subscribeAll(back(from)).pipe(map(moved)),
  };
}

/** Records where every readAll started, to prove what a start replays. */
function readsOf(store: EventStore): { store: EventStore; froms: number[] } {
  const froms: number[] = [];
  return { froms, store: { ...store, readAll: (options: ReadAllOptions) => (froms.push(options.from), store.readAll(options)) } };
}

async function start(store: EventStore, readModelDb: ReadModelDb, projections: readonly SqlProjection[] = readModelProjections, pageSize = 50, logger: Logger = silentLogger) {
  const readModels = createReadModels(readModelDb, projections);
  const runner = await startProjectionRunner({ store, readModels: readModelDb, projections, status: readModels.status, logger, pageSize });
  return { readModels, runner };
}

/** The indexes a file's tables have beyond their keys (what readers look rows up by), by name. */
const readersIndexes = (readModelDb: ReadModelDb): string[] =>
  readModelDb.db.prepare("SELECT name || ': ' || sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").pluck().all() as string[];

/** The real audit routes and problem mapping, for an auditor (authentication is not under test here). */
async function serveAudit(store: EventStore, readModels: ReturnType<typeof createReadModels>, runner: ProjectionRunner): Promise<{ url: string; server: Server }> {
  const app = express();
  app.use((_req, res, next) => {
    res.locals.principal = { subject: 'ada', issuer: 'https://issuer.test', groups: ['auditors'] };
    next();
  });
  app.use(auditRoutes({ accessLog: readModels.accessLog, sessions: readModels.sessions, store, runner, access: { groups: () => ['auditors'] } }));
  app.use(problemHandler(silentLogger));
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A projection that records, in its own table, every position it was given: re-applying one fails the test. */
const appliedPositions: SqlProjection = {
  name: 'applied_positions',
  version: 1,
  create: (db) => db.exec('CREATE TABLE IF NOT EXISTS applied_positions (position INTEGER PRIMARY KEY)'),
  drop: (db) => db.exec('DROP TABLE IF EXISTS applied_positions'),
  applier(db) {
    const insert = db.prepare('INSERT INTO applied_positions (position) VALUES (?)');
    return { apply: (event) => void insert.run(event.position), flush: () => undefined, discard: () => undefined };
  },
};
const positionsIn = (readModelDb: ReadModelDb) => readModelDb.db.prepare('SELECT position FROM applied_positions ORDER BY position').pluck().all() as number[];

for (const [label, wrap] of [['dense positions (SQLite store)', (s: EventStore) => s], ['sparse commit positions (EventStoreDB)', sparsePositions]] as const) {
  describe(`persisted read models over ${label}`, () => {
    it('a restart resumes from the checkpoint: only new events are read and applied, and the rows survive', async () => {
      const memory = createMemoryEventStore();
      const dir = freshDir();
      await appendRequests(memory, 0, 30);
      const firstDb = openReadModelDb({ dataDir: dir });
      const first = await start(wrap(memory), firstDb, [...readModelProjections, appliedPositions]);
      const headBefore = await wrap(memory).headPosition();
      assert.equal(first.readModels.accessLog.rows().length, 30);
      first.runner.stop();
      firstDb.close();

      await appendRequests(memory, 30, 10);
      const reads = readsOf(wrap(memory));
      const secondDb = openReadModelDb({ dataDir: dir });
      assert.equal(secondDb.file, firstDb.file, 'a restarted replica takes its file back');
      const second = await start(reads.store, secondDb, [...readModelProjections, appliedPositions]);
      assert.equal(reads.froms[0], headBefore, 'the first read after restart starts at the checkpoint, not at 0');
      assert.ok(!reads.froms.includes(0));
      const all = (await wrap(memory).readAll({ from: 0, maxCount: 10_000 })).map((e) => e.position);
      assert.deepEqual(positionsIn(secondDb), all, 'every event applied exactly once across the two runs');
      const ids = second.readModels.accessLog.rows().map((r) => r.requestId);
      assert.deepEqual(ids, Array.from({ length: 40 }, (_, n) => `req-${String(n).padStart(6, '0')}`));
      second.runner.stop();
      secondDb.close();
    });

    it('a changed version is rebuilt in the background: reads answer read_model_rebuilding until it has caught up, then the rows are whole', async () => {
      const memory = createMemoryEventStore();
      const dir = freshDir();
      await appendRequests(memory, 0, 40);
      const firstDb = openReadModelDb({ dataDir: dir });
      (await start(wrap(memory), firstDb)).runner.stop();
      const whole = createReadModels(firstDb).accessLog.rows();
      firstDb.close();

      // The rebuild's reads wait on a gate, so the test sees the gateway serving mid-rebuild.
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const base = wrap(memory);
      const gated: EventStore = { ...base, readAll: async (options) => (await gate, base.readAll(options)) };
      const bumped = readModelProjections.map((p) => (p.name === accessLogProjection.name ? { ...p, version: p.version + 1 } : p));
      const secondDb = openReadModelDb({ dataDir: dir });
      const { readModels, runner } = await start(gated, secondDb, bumped);
      const http = await serveAudit(gated, readModels, runner);
      assert.throws(() => readModels.accessLog.rows(), (error) => isLedgergateError(error) && error.code === 'read_model_rebuilding');
      const busy = await fetch(`${http.url}/v1/audit/access-log?format=json`);
      assert.equal(busy.status, 503);
      assert.equal(busy.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.ok(Number(busy.headers.get('retry-after')) > 0, 'Retry-After says when to come back');
      assert.equal(((await busy.json()) as { code: string }).code, 'read_model_rebuilding');
      const sessions = await fetch(`${http.url}/v1/sessions`);
      assert.equal(sessions.status, 200, 'the other read models serve meanwhile');
      assert.ok(((await sessions.json()) as { items: unknown[] }).items.length > 0);
      open();
      await runner.rebuilt();
      assert.deepEqual(readModels.accessLog.rows(), whole);
      const served = await fetch(`${http.url}/v1/audit/access-log?format=json`);
      assert.equal(served.status, 200);
      assert.deepEqual(((await served.json()) as { items: unknown[] }).items, whole);
      http.server.close();
      assert.equal(secondDb.checkpoint(accessLogProjection.name)?.version, accessLogProjection.version + 1);
      // Live events after the rebuild reach it too.
      await appendRequests(memory, 40, 2);
      await runner.catchUp();
      assert.equal(readModels.accessLog.rows().length, 42);
      runner.stop();
      secondDb.close();
    });
  });
}

describe('persisted read models: one transaction per page', () => {
  it('a new file is built with its readers\' indexes made at the end: the same indexes as its projections make, used by their reads', async () => {
    const memory = createMemoryEventStore();
    await appendRequests(memory, 0, 30);
    const db = openReadModelDb({ dataDir: freshDir() });
    const indexesSeen: string[][] = [];
    // What the file holds while the first transaction is written: the folds' keys, not the readers' indexes.
    const watching: SqlProjection = { ...readModelProjections[0]!, applier: (d) => {
      const inner = readModelProjections[0]!.applier(d);
      return { ...inner, flush: () => (indexesSeen.push(readersIndexes(db)), inner.flush()) };
    } };
    const projections = [watching, ...readModelProjections.slice(1)];
    const { readModels, runner } = await start(memory, db, projections, 20);
    runner.stop();
    assert.ok(indexesSeen.length > 0 && indexesSeen.every((seen) => seen.length === 0), 'no reader index while building');
    const made = openReadModelDb({ file: ':memory:' });
    readModelProjections.forEach((p) => p.create(made.db));
    assert.ok(readersIndexes(made).length >= 8);
    assert.deepEqual(readersIndexes(db), readersIndexes(made));
    const plan = db.db.prepare('EXPLAIN QUERY PLAN SELECT position FROM access_log WHERE session_id = ?').all('s') as { detail: string }[];
    assert.match(plan.map((step) => step.detail).join(' '), /access_log_session/);
    assert.equal(readModels.accessLog.rows().length, 30);
    made.close();
    db.close();
  });

  it('a failed write rolls back the page’s rows and checkpoint together; the next start loses nothing and applies nothing twice', async () => {
    const memory = createMemoryEventStore();
    await appendRequests(memory, 0, 20);
    const dir = freshDir();
    const db = openReadModelDb({ dataDir: dir });
    // The disk fills up when the 19th request's row is written: the transaction holding it fails (at
    // start, a transaction covers a few pages; each commits rows and checkpoint together).
    accessLogProjection.create(db.db);
    db.saveCheckpoint(accessLogProjection.name, { version: accessLogProjection.version, position: 0 });
    db.saveCheckpoint(appliedPositions.name, { version: appliedPositions.version, position: 0 });
    appliedPositions.create(db.db);
    db.db.exec("CREATE TRIGGER disk_full BEFORE INSERT ON access_log WHEN NEW.request_id = 'req-000018' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
    const projections = [accessLogProjection, appliedPositions];
    await assert.rejects(start(memory, db, projections, 10), /disk is full/);
    const checkpoint = db.checkpoint(accessLogProjection.name)?.position ?? -1;
    const rows = createReadModels(db, projections).accessLog.rows();
    assert.ok(checkpoint > 0, `the transactions before the failed one committed (${checkpoint})`);
    assert.equal(db.checkpoint(appliedPositions.name)?.position, checkpoint, 'both checkpoints at the last whole transaction');
    assert.ok(rows.length > 0 && rows.every((r) => r.position <= checkpoint), 'no row beyond the checkpoint');
    assert.deepEqual(positionsIn(db), Array.from({ length: checkpoint }, (_, i) => i + 1), 'the other projection rolled back with it');
    assert.ok(!rows.some((r) => r.requestId === 'req-000018'));

    db.db.exec('DROP TRIGGER disk_full');
    const { readModels, runner } = await start(memory, db, projections, 50);
    assert.equal(readModels.accessLog.rows().length, 20);
    const made = openReadModelDb({ file: ':memory:' });
    projections.forEach((p) => p.create(made.db));
    assert.deepEqual(readersIndexes(db), readersIndexes(made), 'a build stopped half-way has its readers\' indexes again after the next start');
    made.close();
    assert.deepEqual(positionsIn(db), (await memory.readAll({ from: 0, maxCount: 10_000 })).map((e) => e.position));
    runner.stop();
    db.close();
  });

  it('a live batch whose write fails is rolled back and retried: nothing is lost, nothing applied twice, read-your-writes resumes', async () => {
    const memory = createMemoryEventStore();
    await appendRequests(memory, 0, 3);
    const db = openReadModelDb({ dataDir: freshDir() });
    const projections = [...readModelProjections, appliedPositions];
    const errors: string[] = [];
    const logger: Logger = { ...silentLogger, error: (message) => void errors.push(message) };
    const { readModels, runner } = await start(memory, db, projections, 50, logger);
    const before = db.checkpoint(accessLogProjection.name)?.position;
    db.db.exec("CREATE TRIGGER disk_full BEFORE INSERT ON access_log WHEN NEW.request_id = 'req-000003' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
    await appendRequests(memory, 3, 1);
    await runner.catchUp(300);
    assert.ok(errors.includes('read models could not be written; retrying'), 'the batch did fail');
    assert.equal(readModels.accessLog.rows().length, 3, 'the failed batch left no row');
    assert.equal(db.checkpoint(accessLogProjection.name)?.position, before, 'nor a checkpoint past its rows');
    assert.equal(db.checkpoint(appliedPositions.name)?.position, before, 'and the other projections rolled back with it');
    db.db.exec('DROP TRIGGER disk_full');
    await runner.catchUp(5000);
    assert.equal(readModels.accessLog.rows().length, 4);
    assert.deepEqual(positionsIn(db), (await memory.readAll({ from: 0, maxCount: 10_000 })).map((e) => e.position));
    runner.stop();
    db.close();
  });

  it('replicas sharing a data directory each hold a read-model file of their own', () => {
    const dir = freshDir();
    const a = openReadModelDb({ dataDir: dir });
    const b = openReadModelDb({ dataDir: dir });
    assert.notEqual(a.file, b.file);
    a.close();
    const c = openReadModelDb({ dataDir: dir });
    assert.equal(c.file, a.file, 'a freed file is taken again (and resumed from)');
    b.close();
    c.close();
  });
});
