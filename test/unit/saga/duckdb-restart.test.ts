/**
 * The embedded DuckDB warehouse after a restart: a SELECT whose job ran keeps its ledger row but not
 * its rows, so the resumed saga fails it with result_unavailable instead of running it again; a
 * write that committed is recognised and recorded, never applied twice.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoWarehouseFile } from '../../../src/adapters/warehouse/demo-dataset.js';
import { openDuckDbWarehouse } from '../../../src/adapters/warehouse/duckdb-warehouse.js';
import { jobIdFor } from '../../../src/app/execution-saga.js';
import { crashAfterClaim, createSagaWorld } from './saga-harness.js';
import { recordsOf } from '../../support/result-records.js';

describe('saga resume on the embedded DuckDB warehouse', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledgergate-saga-duckdb-'));
  const file = join(dir, 'demo.duckdb');
  before(async () => {
    await createDemoWarehouseFile(file);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a SELECT again when its results died with the process (reads leave no durable job; re-reading changes nothing)', async () => {
    const first = await openDuckDbWarehouse({ file, projectId: 'demo-project' });
    const world = createSagaWorld({ warehouse: first });
    const sql = 'SELECT order_id FROM `demo-project.sales.orders` ORDER BY order_id LIMIT 3';
    await world.submit('d1', sql);
    await crashAfterClaim(world, 'd1');
    // The job ran and finished; the gateway died before appending the outcome.
    await first.execute({ jobId: jobIdFor('d1'), sql, maxRows: 10, maxResultBytes: 100_000, timeoutMs: 10_000 });
    await first.close();

    const reopened = await openDuckDbWarehouse({ file, projectId: 'demo-project' });
    try {
      world.useWarehouse(reopened);
      await world.saga().execute('d1', { resume: true });
      const events = await world.events('d1');
      assert.equal(events.find((e) => e.type === 'ExecutionFailed'), undefined);
      assert.equal(events.find((e) => e.type === 'ExecutionSucceeded')?.data.rowCount, 3);
      assert.equal(events.filter((e) => e.type === 'ResultDelivered').length, 1);
    } finally {
      await reopened.close();
    }
  });

  it('records a committed INSERT from its ledger row after a restart, without inserting again', async () => {
    const first = await openDuckDbWarehouse({ file, projectId: 'demo-project' });
    const world = createSagaWorld({ warehouse: first });
    const sql = "INSERT INTO sales.orders (order_id, customer_id, amount, currency, status, ordered_at) VALUES (990001, 1, 5.00, 'USD', 'paid', TIMESTAMP '2024-01-02 00:00:00')";
    await world.submit('d2', sql);
    await crashAfterClaim(world, 'd2');
    await first.execute({ jobId: jobIdFor('d2'), sql, maxRows: 10, maxResultBytes: 100_000, timeoutMs: 10_000 });
    await first.close();

    const reopened = await openDuckDbWarehouse({ file, projectId: 'demo-project' });
    try {
      world.useWarehouse(reopened);
      await world.saga().execute('d2', { resume: true });
      const succeeded = (await world.events('d2')).find((e) => e.type === 'ExecutionSucceeded');
      assert.equal(succeeded?.data.affectedRows, 1);
      const count = await reopened.execute({ jobId: 'count-d2', sql: 'SELECT count(*) AS n FROM sales.orders WHERE order_id = 990001', maxRows: 1, maxResultBytes: 10_000, timeoutMs: 10_000 });
      assert.equal(recordsOf(count)[0].n, 1);
    } finally {
      await reopened.close();
    }
  });
});
