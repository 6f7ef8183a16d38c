/** The fake BigQuery's DuckDB engine: real GoogleSQL over the demo data, with plausible job statistics. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDuckDbEngine, type DuckDbEngine } from '../../support/fake-bigquery/duckdb-engine.js';
import { EngineError } from '../../support/fake-bigquery/types.js';

describe('fake BigQuery DuckDB engine', () => {
  let engine: DuckDbEngine;
  before(async () => {
    engine = await createDuckDbEngine();
  });
  after(() => engine.close());

  it('dry-runs a join: SELECT, both referenced tables, bytes from their sizes, the output schema — and runs nothing', async () => {
    const result = await engine.run(
      'SELECT c.country, COUNT(*) AS total FROM `demo-project.sales.orders` o JOIN sales.customers c USING (customer_id) GROUP BY c.country',
      { dryRun: true },
    );
    assert.equal(result.statementType, 'SELECT');
    assert.deepEqual(
      result.referencedTables.map((t) => `${t.projectId}.${t.datasetId}.${t.tableId}`).sort(),
      ['demo-project.sales.customers', 'demo-project.sales.orders'],
    );
    assert.ok(result.totalBytesProcessed > 0);
    assert.deepEqual(result.schema.map((f) => [f.name, f.type]), [['country', 'STRING'], ['total', 'INT64']]);
    assert.equal(result.rows.length, 0);
  });

  it('runs a SELECT with BigQuery types and exact values', async () => {
    const result = await engine.run('SELECT order_id, amount, ordered_at FROM sales.orders ORDER BY order_id LIMIT 2', { dryRun: false });
    assert.equal(result.rows.length, 2);
    assert.deepEqual(result.schema.map((f) => f.type), ['INT64', 'NUMERIC', 'TIMESTAMP']);
    assert.equal(result.rows[0][0], 1);
    assert.match(String(result.rows[0][1]), /^\d+\.\d{2}$/);
    assert.match(String(result.rows[0][2]), /^2024-\d\d-\d\dT/);
  });

  it('applies an INSERT once per run and reports the affected rows', async () => {
    const before = await engine.countRows('sales', 'orders');
    const sql = "INSERT INTO sales.orders (order_id, customer_id, amount, currency, status, ordered_at) VALUES (555001, 2, 3.50, 'USD', 'paid', TIMESTAMP '2024-03-03 00:00:00')";
    const dry = await engine.run(sql, { dryRun: true });
    assert.equal(dry.statementType, 'INSERT');
    assert.equal(await engine.countRows('sales', 'orders'), before, 'a dry run changes nothing');
    const ran = await engine.run(sql, { dryRun: false });
    assert.equal(ran.numDmlAffectedRows, 1);
    assert.equal(await engine.countRows('sales', 'orders'), before + 1);
  });

  it('fails bad SQL and unknown tables the way BigQuery names them', async () => {
    await assert.rejects(engine.run('SELEC nonsense', { dryRun: true }), (e: unknown) => e instanceof EngineError && e.reason === 'invalidQuery');
    await assert.rejects(engine.run('SELECT * FROM sales.nope', { dryRun: true }), (e: unknown) => e instanceof EngineError && e.reason === 'notFound');
    assert.deepEqual(engine.datasets(), ['analytics', 'hr', 'sales']);
    assert.equal(engine.table('sales', 'customers')?.find((f) => f.name === 'ssn')?.type, 'STRING');
  });
});
