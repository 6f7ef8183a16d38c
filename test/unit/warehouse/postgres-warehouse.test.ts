/** The PostgreSQL adapter's own guarantees beyond the shared contract, against PGlite over the wire. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isLedgergateError } from '../../../src/domain/errors.js';
import type { ExecuteRequest, Warehouse } from '../../../src/domain/ports.js';
import { openPostgresWarehouse } from '../../../src/adapters/warehouse/postgres-warehouse.js';
import { startPostgresTarget, type PostgresTarget } from '../../support/postgres-target.js';

let counter = 0;
const request = (sql: string): ExecuteRequest => ({ jobId: `pg-${process.pid}-${++counter}`, sql, maxRows: 100, maxResultBytes: 1_000_000, timeoutMs: 10_000 });

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isLedgergateError(error), String(error));
    return { code: error.code, message: error.message };
  }
  return assert.fail('expected a failure');
}

describe('PostgreSQL warehouse', () => {
  let target: PostgresTarget;
  let warehouse: Warehouse;
  const count = async (): Promise<unknown> => (await warehouse.execute(request('SELECT count(*) AS n FROM sales.orders'))).rows[0]?.[0];

  before(async () => {
    target = await startPostgresTarget();
    warehouse = await openPostgresWarehouse({ connectionString: target.url, projectId: 'demo-project', poolSize: 2 });
  });
  after(async () => {
    await warehouse.close();
    await target.stop();
  });

  it('runs one statement per job: a second one is refused and nothing runs', async () => {
    const refused = await failure(warehouse.execute(request('SELECT 1; DELETE FROM sales.orders')));
    assert.equal(refused.code, 'query_invalid');
    assert.equal(await count(), 1000);
  });

  it('reads in a READ ONLY transaction: a read that would lock or write is refused', async () => {
    const refused = await failure(warehouse.execute(request('SELECT order_id FROM sales.orders FOR UPDATE')));
    assert.equal(refused.code, 'query_invalid');
    assert.match(refused.message, /read-only/);
  });

  it('runs calls and anything it cannot classify on the read path, where nothing can write', async () => {
    assert.equal((await warehouse.execute(request('CREATE SEQUENCE sales.order_numbers'))).affectedRows, 0);
    for (const sql of ["SELECT nextval('sales.order_numbers')", 'COPY sales.customers TO STDOUT', 'DO $$ BEGIN DELETE FROM sales.orders; END $$']) {
      const refused = await failure(warehouse.execute(request(sql)));
      assert.equal(refused.code, 'query_invalid', `${sql}: ${refused.message}`);
    }
    assert.equal(await count(), 1000);
    assert.deepEqual((await warehouse.execute(request("SELECT upper('x') AS u"))).rows, [['X']]);
  });

  it('a failed write leaves neither data nor a done ledger row, and reports failed', async () => {
    const bad = request("INSERT INTO sales.orders (order_id, customer_id, amount, currency, status, ordered_at) VALUES (900100, 1, 'x123-45-6789', 'USD', 'paid', now())");
    const failed = await failure(warehouse.execute(bad));
    assert.doesNotMatch(failed.message, /123-45-6789/, 'a value never reaches the message');
    assert.equal((await warehouse.getJob(bad.jobId)).state, 'failed');
    assert.equal(await count(), 1000);
  });

  it('runs a write once even when the same job id arrives twice at once', async () => {
    const insert = request("INSERT INTO sales.orders (order_id, customer_id, amount, currency, status, ordered_at) VALUES (900200, 1, 1.00, 'USD', 'paid', now())");
    const [first, second] = await Promise.all([warehouse.execute(insert), warehouse.execute(insert)]);
    assert.equal(first.affectedRows, 1);
    assert.equal(second.affectedRows, 1);
    assert.equal((await warehouse.execute(request('SELECT count(*) AS n FROM sales.orders WHERE order_id = 900200'))).rows[0]?.[0], 1);
    await warehouse.execute(request('DELETE FROM sales.orders WHERE order_id = 900200'));
  });

  it('estimates from EXPLAIN: statement type, tables and a byte estimate', async () => {
    assert.ok(warehouse.dryRun);
    const read = await warehouse.dryRun('SELECT o.amount FROM sales.orders o JOIN sales.customers c USING (customer_id)');
    assert.equal(read.statementType, 'SELECT');
    assert.deepEqual(read.referencedTables.map((table) => `${table.project}.${table.dataset}.${table.table}`).sort(), ['demo-project.sales.customers', 'demo-project.sales.orders']);
    assert.ok(read.totalBytesProcessed > 1000, `estimate ${read.totalBytesProcessed}`);
    const write = await warehouse.dryRun('DELETE FROM sales.orders WHERE order_id = 1');
    assert.equal(write.statementType, 'DELETE');
    assert.equal(await count(), 1000, 'EXPLAIN never ran the delete');
    assert.equal((await failure(warehouse.dryRun('SELECT 1; DROP TABLE sales.orders'))).code, 'query_invalid');
  });

  it('cancelling an unknown or finished job is a no-op', async () => {
    const done = await warehouse.execute(request('SELECT 1 AS one'));
    await warehouse.cancel(done.jobId);
    assert.deepEqual(await warehouse.getJob(done.jobId), { state: 'done' });
  });
});
