import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoWarehouseFile } from '../../../src/adapters/warehouse/demo-dataset.js';
import { openDuckDbWarehouse } from '../../../src/adapters/warehouse/duckdb-warehouse.js';
import { isLedgergateError } from '../../../src/domain/errors.js';
import type { ExecuteRequest, QueryResult, Warehouse } from '../../../src/domain/ports.js';
import { recordsOf } from '../../support/result-records.js';

const dir = mkdtempSync(join(tmpdir(), 'ledgergate-duck-'));
const demo = join(dir, 'demo.duckdb');
let fileCounter = 0;
const freshCopy = (): string => {
  const file = join(dir, `copy-${++fileCounter}.duckdb`);
  copyFileSync(demo, file);
  return file;
};
const req = (jobId: string, sql: string, extra: Partial<ExecuteRequest> = {}): ExecuteRequest => ({
  jobId, sql, maxRows: 100, maxResultBytes: 1_000_000, timeoutMs: 20_000, ...extra,
});
const row0 = (result: QueryResult) => recordsOf(result)[0];
const failsWith = async (promise: Promise<unknown>, code: string): Promise<string> => {
  try { await promise; } catch (error) {
    assert.ok(isLedgergateError(error), String(error));
    assert.equal(error.code, code, error.message);
    return error.message;
  }
  return assert.fail('expected a failure');
};

describe('DuckDB warehouse', () => {
  before(async () => { await createDemoWarehouseFile(demo); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('returns rows as positional cells, so a repeated output name cannot overwrite a value, and reports the SQL it ran', async () => {
    const warehouse = await openDuckDbWarehouse({ file: freshCopy(), projectId: 'demo-project' });
    try {
      const result = await warehouse.execute(req('dup', "SELECT 'a' AS x, 'b' AS x, 3 AS y"));
      assert.deepEqual(result.rows, [['a', 'b', 3]]);
      assert.equal(result.columns.length, 3);
      assert.equal(new Set(result.columns.map((c) => c.name)).size, 3, `engine names: ${result.columns.map((c) => c.name).join()}`);
      assert.equal(result.executed?.dialect, 'duckdb');
      assert.match(result.executed?.sql ?? '', /SELECT 'a' AS x, 'b' AS x, 3 AS y/i);
    } finally {
      await warehouse.close();
    }
  });

  it('creates the demo file only once', async () => {
    assert.equal(await createDemoWarehouseFile(demo), false);
  });

  it('remembers writes across a restart (never repeated); a read from before the restart runs again', async () => {
    const file = freshCopy();
    let warehouse: Warehouse = await openDuckDbWarehouse({ file, projectId: 'demo-project' });
    const insert = req('w1', "INSERT INTO analytics.page_views (view_id, hostname) VALUES (99999, 'x.example.com')");
    assert.equal((await warehouse.execute(insert)).affectedRows, 1);
    await warehouse.execute(req('r1', 'SELECT 1 AS one'));
    await warehouse.close();
    warehouse = await openDuckDbWarehouse({ file, projectId: 'demo-project' });
    try {
      assert.equal((await warehouse.execute(insert)).affectedRows, 1);
      const count = await warehouse.execute(req('c1', 'SELECT COUNT(*) AS n FROM analytics.page_views WHERE view_id = 99999'));
      assert.equal(row0(count).n, 1);
      assert.deepEqual(await warehouse.getJob('w1'), { state: 'done' });
      // Reads leave no durable trace (re-running one changes nothing), so it is unknown and simply runs again.
      assert.deepEqual(await warehouse.getJob('r1'), { state: 'unknown' });
      await failsWith(warehouse.getResults('r1', 10, 1000), 'not_found');
      assert.equal(row0(await warehouse.execute(req('r1', 'SELECT 1 AS one'))).one, 1);
      assert.deepEqual(await warehouse.getJob('r1'), { state: 'done' });
    } finally {
      await warehouse.close();
    }
  });

  it('answers a write retried after a restart from its ledger row even when its statement no longer prepares', async () => {
    const file = freshCopy();
    let warehouse: Warehouse = await openDuckDbWarehouse({ file, projectId: 'demo-project' });
    await warehouse.execute(req('mk', 'CREATE TABLE analytics.scratch (n INT64)'));
    const insert = req('w-gone', 'INSERT INTO analytics.scratch (n) VALUES (1), (2)');
    assert.equal((await warehouse.execute(insert)).affectedRows, 2);
    await warehouse.execute(req('rm', 'DROP TABLE analytics.scratch'));
    await warehouse.close();
    warehouse = await openDuckDbWarehouse({ file, projectId: 'demo-project' });
    try {
      // The table is gone, so the INSERT cannot even be prepared now; it ran before, and says so.
      assert.equal((await warehouse.execute(insert)).affectedRows, 2);
      await failsWith(warehouse.execute(req('w-new', 'INSERT INTO analytics.scratch (n) VALUES (3)')), 'query_invalid');
    } finally {
      await warehouse.close();
    }
  });

  it('a failed write leaves no rows and is not run again', async () => {
    const warehouse = await openDuckDbWarehouse({ file: freshCopy(), projectId: 'demo-project' });
    try {
      const bad = req('bad', "INSERT INTO sales.orders (order_id, amount) VALUES (77777, CAST('x' AS NUMERIC))");
      await failsWith(warehouse.execute(bad), 'query_failed');
      assert.equal((await warehouse.getJob('bad')).state, 'failed');
      await failsWith(warehouse.execute(bad), 'query_failed');
      const count = await warehouse.execute(req('c', 'SELECT COUNT(*) AS n FROM sales.orders WHERE order_id = 77777'));
      assert.equal(row0(count).n, 0);
    } finally {
      await warehouse.close();
    }
  });

  it('converts values faithfully and reports BigQuery types', async () => {
    const warehouse = await openDuckDbWarehouse({ file: freshCopy(), projectId: 'demo-project' });
    try {
      const result = await warehouse.execute(req('types', `SELECT 9007199254740993 AS big, (SELECT amount FROM sales.orders WHERE order_id = 1) AS dec,
        DATE '2024-02-29' AS d, TIMESTAMP '2024-01-02 03:04:05.123456+00' AS ts, b'hi' AS bytes, [1, 2] AS arr,
        STRUCT(1 AS a, 'x' AS b) AS st, TRUE AS flag, CAST(1.5 AS FLOAT64) AS f, JSON '{"k": [1]}' AS j`));
      const types = Object.fromEntries(result.columns.map((c) => [c.name, c.type]));
      assert.deepEqual(types, { big: 'INT64', dec: 'NUMERIC', d: 'DATE', ts: 'TIMESTAMP', bytes: 'BYTES', arr: 'ARRAY<INT64>', st: 'STRUCT<a INT64, b STRING>', flag: 'BOOL', f: 'FLOAT64', j: 'JSON' });
      assert.match(String(row0(result).dec), /^\d+\.\d{2}$/);
      const row = row0(result);
      assert.equal(row.big, '9007199254740993');
      assert.equal(row.d, '2024-02-29');
      assert.equal(row.ts, '2024-01-02T03:04:05.123456Z');
      assert.equal(row.bytes, Buffer.from('hi').toString('base64'));
      assert.deepEqual(row.arr, [1, 2]);
      assert.deepEqual(row.st, { a: 1, b: 'x' });
      assert.equal(row.flag, true);
      assert.equal(row.f, 1.5);
      assert.deepEqual(row.j, { k: [1] });
    } finally {
      await warehouse.close();
    }
  });

  it('interrupts a job past its timeout', async () => {
    const warehouse = await openDuckDbWarehouse({ file: freshCopy(), projectId: 'demo-project' });
    try {
      const slow = 'SELECT COUNT(*) AS n FROM analytics.page_views a, analytics.page_views b, analytics.page_views c, analytics.page_views d WHERE a.view_count + b.view_count + c.view_count = d.view_count * 7';
      const started = Date.now();
      await failsWith(warehouse.execute(req('slow', slow, { timeoutMs: 300 })), 'warehouse_timeout');
      assert.ok(Date.now() - started < 10_000);
      assert.equal((await warehouse.getJob('slow')).state, 'failed');
      // Job connections are kept for the next job only when theirs ended cleanly: nothing interrupted leaks.
      for (let i = 0; i < 3; i++) assert.equal(row0(await warehouse.execute(req(`after-${i}`, 'SELECT 2 AS two'))).two, 2);
    } finally {
      await warehouse.close();
    }
  });

  it('hides its job ledger from the catalog and from agent SQL', async () => {
    const warehouse = await openDuckDbWarehouse({ file: freshCopy(), projectId: 'demo-project' });
    try {
      assert.ok(!(await warehouse.listDatasets()).includes('_ledgergate'));
      assert.deepEqual(await warehouse.listTables('_ledgergate'), []);
      await failsWith(warehouse.execute(req('peek', 'SELECT * FROM _ledgergate.jobs')), 'query_invalid');
      const before = warehouse.version();
      await warehouse.execute(req('ddl', 'CREATE TABLE analytics.scratch (x INT64)'));
      assert.notEqual(warehouse.version(), before);
    } finally {
      await warehouse.close();
    }
  });

  it('refuses a file that another process holds open, naming it', async () => {
    const file = freshCopy();
    const warehouse = await openDuckDbWarehouse({ file, projectId: 'demo-project' });
    try {
      const script = `import('@duckdb/node-api').then(async ({ DuckDBInstance }) => { try { await DuckDBInstance.create(${JSON.stringify(file)}); console.log('opened'); } catch (e) { console.log('locked'); } })`;
      assert.equal(execFileSync(process.execPath, ['-e', script]).toString().trim(), 'locked');
    } finally {
      await warehouse.close();
    }
    await failsWith(openDuckDbWarehouse({ file: join(dir, 'missing.duckdb'), projectId: 'demo-project' }), 'invalid_config');
  });
});
