/**
 * The Warehouse port's contract: every adapter (embedded DuckDB, BigQuery against its fake server)
 * passes it. It assumes the demo dataset (src/adapters/warehouse/demo-dataset.ts) is loaded under
 * project `demo-project` and checks port behaviour only, never engine internals. The SQL is the
 * target's dialect: GoogleSQL for DuckDB and BigQuery, PostgreSQL for a PostgreSQL target (where the
 * few GoogleSQL-only constructs are replaced by the PostgreSQL way of asking the same thing).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isLedgergateError } from '../../src/domain/errors.js';
import type { ExecuteRequest, QueryResult, Warehouse } from '../../src/domain/ports.js';
import { recordsOf } from '../support/result-records.js';

export interface OpenedWarehouse {
  readonly warehouse: Warehouse;
  cleanup(): Promise<void>;
}

let jobCounter = 0;
const freshJobId = (label: string): string => `contract-${label}-${process.pid}-${Date.now()}-${++jobCounter}`;

const request = (sql: string, overrides: Partial<ExecuteRequest> = {}): ExecuteRequest => ({
  jobId: freshJobId('q'),
  sql,
  maxRows: 1000,
  maxResultBytes: 10_000_000,
  timeoutMs: 20_000,
  ...overrides,
});

async function rejectsWith(promise: Promise<unknown>, codes: readonly string[]): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isLedgergateError(error), `expected a LedgergateError, got ${String(error)}`);
    assert.ok(codes.includes(error.code), `expected one of ${codes.join(', ')}, got ${error.code}: ${error.message}`);
    return error.message;
  }
  assert.fail('expected the call to fail');
}

export type ContractDialect = 'googlesql' | 'postgresql';

const dialectSql = {
  googlesql: {
    customersById: 'SELECT customer_id, email, birth_date, created_at FROM `demo-project.sales.customers` WHERE customer_id = 1',
    tableForms: ['`demo-project.sales.customers`', '`demo-project`.sales.customers', '`demo-project.sales`.customers', 'sales.customers', '`sales.customers`', '`sales`.`customers`'],
    safeCast: "SELECT SAFE_CAST('not a number' AS INT64) AS bad, SAFE_CAST('42' AS INT64) AS good",
    exceptColumns: 'SELECT * EXCEPT (ssn, card_number) FROM sales.customers WHERE customer_id = 2',
    firstPerCountry: 'SELECT country, customer_id FROM sales.customers WHERE TRUE QUALIFY ROW_NUMBER() OVER (PARTITION BY country ORDER BY customer_id) = 1',
    foreignProject: 'SELECT * FROM `other-project.sales.customers`',
  },
  postgresql: {
    customersById: 'SELECT customer_id, email, birth_date, created_at FROM sales.customers WHERE customer_id = 1',
    tableForms: ['sales.customers', '"sales".customers', '"sales"."customers"', 'SALES.Customers'],
    // OFFSET 0 keeps the planner from folding the guarded cast of a constant before the guard.
    safeCast: "SELECT CASE WHEN v.n ~ '^[0-9]+$' THEN v.n::bigint END AS bad, '42'::bigint AS good FROM (SELECT 'not a number'::text AS n OFFSET 0) AS v",
    exceptColumns: 'SELECT customer_id, full_name, email, phone, birth_date, city, country, notes, created_at FROM sales.customers WHERE customer_id = 2',
    firstPerCountry:
      'SELECT country, customer_id FROM (SELECT country, customer_id, ROW_NUMBER() OVER (PARTITION BY country ORDER BY customer_id) AS n FROM sales.customers) ranked WHERE n = 1',
    foreignProject: 'SELECT * FROM "other-project".sales.customers',
  },
} as const;

export function warehouseContract(name: string, open: () => Promise<OpenedWarehouse>, dialect: ContractDialect = 'googlesql'): void {
  const sql = dialectSql[dialect];
  describe(`Warehouse contract: ${name}`, () => {
    let opened: OpenedWarehouse;
    let warehouse: Warehouse;
    const run = (sql: string, overrides: Partial<ExecuteRequest> = {}): Promise<QueryResult> =>
      warehouse.execute(request(sql, overrides));

    before(async () => {
      opened = await open();
      warehouse = opened.warehouse;
    });
    after(async () => {
      await opened.cleanup();
    });

    it('selects rows and reports BigQuery column types', async () => {
      const result = await run(sql.customersById);
      assert.deepEqual(
        result.columns.map((column) => [column.name, column.type]),
        [['customer_id', 'INT64'], ['email', 'STRING'], ['birth_date', 'DATE'], ['created_at', 'TIMESTAMP']],
      );
      assert.equal(result.rows.length, 1);
      assert.equal(result.totalRows, 1);
      assert.equal(result.truncated, false);
      const row = recordsOf(result)[0];
      assert.equal(row.customer_id, 1);
      assert.match(String(row.email), /^[^@\s]+@[^@\s]+\.[a-z]+$/);
      assert.match(String(row.birth_date), /^\d{4}-\d{2}-\d{2}$/);
      assert.ok(!Number.isNaN(Date.parse(String(row.created_at))), 'timestamp parses');
    });

    it('returns NUMERIC values as exact decimal strings', async () => {
      const result = await run('SELECT amount FROM sales.orders WHERE order_id = 1');
      assert.equal(result.columns[0].type, 'NUMERIC');
      assert.match(String(recordsOf(result)[0].amount), /^\d+(\.\d+)?$/);
    });

    for (const form of sql.tableForms) {
      it(`resolves the table name ${form}`, async () => {
        const result = await run(`SELECT COUNT(*) AS n FROM ${form}`);
        assert.equal(recordsOf(result)[0].n, 200);
      });
    }

    it('runs SAFE_CAST (or the dialect\'s guarded cast)', async () => {
      const result = await run(sql.safeCast);
      assert.deepEqual(recordsOf(result)[0], { bad: null, good: 42 });
    });

    it('runs SELECT * EXCEPT (…) (or the dialect\'s column list)', async () => {
      const result = await run(sql.exceptColumns);
      const names = result.columns.map((column) => column.name);
      assert.ok(names.includes('email'));
      assert.ok(!names.includes('ssn') && !names.includes('card_number'));
    });

    it('runs QUALIFY (or the dialect\'s filtered window)', async () => {
      const result = await run(sql.firstPerCountry);
      const countries = recordsOf(result).map((row) => row.country);
      assert.equal(new Set(countries).size, countries.length, 'one row per country');
      assert.ok(countries.length >= 3);
    });

    it('truncates at maxRows and still reports the total', async () => {
      const result = await run('SELECT order_id FROM sales.orders ORDER BY order_id', { maxRows: 10 });
      assert.equal(result.rows.length, 10);
      assert.equal(result.truncated, true);
      assert.equal(result.totalRows, 1000);
      assert.deepEqual(recordsOf(result).map((row) => row.order_id), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });

    it('truncates once the stored rows pass maxResultBytes', async () => {
      const result = await run('SELECT * FROM sales.customers', { maxResultBytes: 2000 });
      assert.ok(result.rows.length > 0 && result.rows.length < 200, `kept ${result.rows.length} rows`);
      assert.equal(result.truncated, true);
      assert.ok(JSON.stringify(result.rows).length <= 2000);
    });

    it('never runs a write twice for the same job id', async () => {
      const jobId = freshJobId('insert');
      const insert = request(
        "INSERT INTO sales.orders (order_id, customer_id, amount, currency, status, ordered_at) VALUES (900001, 1, 10.50, 'USD', 'paid', TIMESTAMP '2024-05-01 10:00:00+00')",
        { jobId },
      );
      const first = await warehouse.execute(insert);
      const second = await warehouse.execute(insert);
      assert.equal(first.affectedRows, 1);
      assert.equal(second.affectedRows, 1, 'the repeat reports the original outcome');
      const count = await run('SELECT COUNT(*) AS n FROM sales.orders WHERE order_id = 900001');
      assert.equal(recordsOf(count)[0].n, 1);
      assert.deepEqual(await warehouse.getJob(jobId), { state: 'done' });
    });

    it('reports job states', async () => {
      assert.deepEqual(await warehouse.getJob(freshJobId('never')), { state: 'unknown' });
      const done = await run('SELECT 1 AS one');
      assert.deepEqual(await warehouse.getJob(done.jobId), { state: 'done' });
      const failedId = freshJobId('failed');
      await rejectsWith(run('SELECT no_such_column FROM sales.orders', { jobId: failedId }), ['query_invalid']);
      const failed = await warehouse.getJob(failedId);
      assert.equal(failed.state, 'failed');
    });

    it('returns the results of a finished select by job id', async () => {
      const result = await run('SELECT order_id FROM sales.orders ORDER BY order_id LIMIT 5');
      const again = await warehouse.getResults(result.jobId, 2, 1_000_000);
      assert.deepEqual(again.rows, [[1], [2]]);
      assert.equal(again.truncated, true);
      await rejectsWith(warehouse.getResults(freshJobId('missing'), 10, 1000), ['not_found']);
    });

    it('lists datasets, tables and columns', async () => {
      const datasets = await warehouse.listDatasets();
      for (const dataset of ['analytics', 'hr', 'sales']) assert.ok(datasets.includes(dataset), dataset);
      assert.ok(!datasets.some((dataset) => dataset.startsWith('_')), 'internal datasets stay hidden');
      const tables = (await warehouse.listTables('sales')).map((table) => table.table).sort();
      assert.deepEqual(tables, ['customers', 'invoices', 'orders']);
      const schema = await warehouse.getTable({ project: 'demo-project', dataset: 'sales', table: 'customers' });
      assert.ok(schema);
      const types = Object.fromEntries(schema.columns.map((column) => [column.name, column.type]));
      assert.equal(types.ssn, 'STRING');
      assert.equal(types.birth_date, 'DATE');
      assert.equal(types.created_at, 'TIMESTAMP');
      assert.equal(await warehouse.getTable({ project: 'demo-project', dataset: 'sales', table: 'nope' }), undefined);
      assert.equal(await warehouse.getTable({ project: 'other-project', dataset: 'sales', table: 'customers' }), undefined);
      assert.equal(typeof warehouse.version(), 'string');
    });

    it('rejects unknown tables and foreign projects with a clear code', async () => {
      await rejectsWith(run('SELECT * FROM sales.no_such_table'), ['query_invalid', 'not_found']);
      const message = await rejectsWith(run(sql.foreignProject), ['query_invalid', 'not_found']);
      assert.match(message, /other-project/);
    });

    it('rejects bad SQL as query_invalid without echoing literals', async () => {
      const message = await rejectsWith(run("SELEC * FROM sales.customers WHERE ssn = '123-45-6789'"), ['query_invalid']);
      assert.doesNotMatch(message, /123-45-6789/);
    });
  });
}
