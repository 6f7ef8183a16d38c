import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { googleSqlToDuckDb } from '../../../src/adapters/warehouse/googlesql-to-duckdb.js';
import { isLedgergateError } from '../../../src/domain/errors.js';

const toDuck = (sql: string): string => {
  const { statements } = googleSqlToDuckDb(sql, 'demo-project');
  assert.equal(statements.length, 1);
  return statements[0];
};

const refused = (sql: string, pattern?: RegExp): void => {
  assert.throws(
    () => googleSqlToDuckDb(sql, 'demo-project'),
    (error: unknown) => isLedgergateError(error) && error.code === 'query_invalid' && (!pattern || pattern.test(error.message)),
  );
};

describe('GoogleSQL → DuckDB', () => {
  for (const form of ['`demo-project.sales.customers`', '`demo-project`.sales.customers', '`demo-project.sales`.customers', 'sales.customers', '`sales.customers`', '`DEMO-PROJECT`.Sales.Customers']) {
    it(`maps ${form} onto the DuckDB schema`, () => {
      assert.match(toDuck(`SELECT * FROM ${form}`), /FROM "sales"\."customers"$/i);
    });
  }

  it('maps names in writes, joins, subqueries and MERGE', () => {
    assert.match(toDuck('INSERT INTO `demo-project.sales.orders` (order_id) SELECT order_id FROM `sales.invoices`'), /INSERT INTO "sales"\."orders".*FROM "sales"\."invoices"/);
    assert.match(toDuck('DELETE FROM `sales.orders` WHERE order_id IN (SELECT order_id FROM sales.invoices)'), /DELETE FROM "sales"\."orders".*"sales"\."invoices"/);
    assert.match(toDuck('MERGE `sales.orders` T USING sales.invoices S ON T.order_id = S.order_id WHEN MATCHED THEN DELETE'), /MERGE INTO "sales"\."orders".*USING "sales"\."invoices"/);
  });

  it('leaves CTE names alone', () => {
    assert.match(toDuck('WITH recent AS (SELECT * FROM sales.orders) SELECT * FROM recent'), /FROM recent$/);
  });

  it('translates SAFE_CAST, * EXCEPT and QUALIFY', () => {
    assert.match(toDuck("SELECT SAFE_CAST('1' AS INT64)"), /TRY_CAST\('1' AS BIGINT\)/);
    assert.match(toDuck('SELECT * EXCEPT (ssn) FROM sales.customers'), /EXCLUDE \(ssn\)/);
    assert.match(toDuck('SELECT * FROM sales.customers QUALIFY ROW_NUMBER() OVER (ORDER BY customer_id) = 1'), /QUALIFY ROW_NUMBER\(\)/);
  });

  it('refuses tables of other projects, naming them', () => {
    refused('SELECT * FROM `other-project.sales.customers`', /other-project/);
  });

  it('refuses the internal ledger however it is named', () => {
    refused('SELECT * FROM _ledgergate.jobs');
    refused('SELECT * FROM `demo-project._LEDGERGATE.jobs`');
    refused("SELECT 'x' FROM sales.orders WHERE status = '_ledgergate'");
    refused('SELECT * FROM information_schema.tables');
  });

  it('refuses DuckDB table functions and functions reaching outside the tables', () => {
    refused("SELECT * FROM query('SELECT * FROM hr.salaries')");
    refused("SELECT * FROM sales.orders JOIN read_csv('/etc/passwd') r ON TRUE");
    refused("SELECT getenv('HOME')");
    refused('SELECT * FROM duckdb_tables()');
  });

  it('refuses unparseable SQL and over-long names without echoing literals', () => {
    assert.throws(
      () => googleSqlToDuckDb("SELECT FROM WHERE ( '123-45-6789'", 'demo-project'),
      (error: unknown) => isLedgergateError(error) && error.code === 'query_invalid' && !error.message.includes('123-45-6789'),
    );
    refused('SELECT * FROM a.b.c.d');
  });
});
