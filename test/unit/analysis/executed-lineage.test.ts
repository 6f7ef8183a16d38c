/**
 * Lineage of the SQL the embedded warehouse runs: the DuckDB transpilation of the agent's GoogleSQL,
 * analysed in DuckDB's dialect against the catalog's schemas.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { executedLineage } from '../../../src/adapters/analysis/executed-lineage.js';
import { ensureTranspilerReady, googleSqlToDuckDb } from '../../../src/adapters/warehouse/googlesql-to-duckdb.js';
import type { TableSchema } from '../../../src/domain/ports.js';

const customers: TableSchema = {
  table: { project: 'demo-project', dataset: 'sales', table: 'customers' },
  columns: ['customer_id', 'email', 'ssn', 'city', 'country'].map((name) => ({ name, type: name === 'customer_id' ? 'INT64' : 'STRING' })),
};
const orders: TableSchema = {
  table: { project: 'demo-project', dataset: 'sales', table: 'orders' },
  columns: ['order_id', 'customer_id', 'amount'].map((name) => ({ name, type: 'INT64' })),
};

async function ran(googleSql: string) {
  await ensureTranspilerReady();
  const sql = googleSqlToDuckDb(googleSql, 'demo-project').statements[0] as string;
  return executedLineage({ dialect: 'duckdb', sql }, [customers, orders]);
}

const table = (name: string) => `demo-project.sales.${name}`;

describe('lineage of the executed DuckDB SQL', () => {
  it('follows aliases, joins and expressions to catalogued columns', async () => {
    const outputs = await ran('SELECT o.order_id, c.email AS who, CONCAT(c.city, c.ssn) AS x FROM sales.orders o JOIN sales.customers c ON c.customer_id = o.customer_id');
    const sorted = (lineage: readonly { column: string }[]) => [...lineage].sort((a, b) => a.column.localeCompare(b.column));
    assert.deepEqual(outputs?.map((o) => [o.name, sorted(o.lineage)]), [
      ['order_id', [{ table: table('orders'), column: 'order_id' }]],
      ['who', [{ table: table('customers'), column: 'email' }]],
      ['x', [{ table: table('customers'), column: 'city' }, { table: table('customers'), column: 'ssn' }]],
    ]);
  });

  it('reads a reference it cannot follow to a catalogued column as unknown (a column list, a whole row)', async () => {
    const listed = await ran('SELECT a FROM (SELECT ssn, city FROM sales.customers) AS t(city, a)');
    assert.deepEqual(listed?.map((o) => [o.name, o.confidence]), [['a', 'unknown']]);
    const row = await ran('SELECT TO_JSON_STRING(c) AS j FROM sales.customers c');
    assert.deepEqual(row?.map((o) => [o.name, o.confidence]), [['j', 'unknown']]);
    const counted = await ran('SELECT COUNT(*) AS n FROM sales.customers');
    assert.deepEqual(counted?.map((o) => [o.name, o.confidence, o.lineage]), [['n', 'derived', []]]);
  });

  it('cannot read what is not SQL', () => {
    assert.equal(executedLineage({ dialect: 'duckdb', sql: 'SELEC nonsense FROM' }, [customers]), undefined);
  });
});
