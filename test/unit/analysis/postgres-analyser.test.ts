/** The PostgreSQL reader (pgsql-ast-parser) as the gateway uses it: kinds, tables and lineage, fail closed. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createPostgresAnalyser } from '../../../src/adapters/analysis/postgres/postgres-analyser.js';
import { createFakeCatalog } from './fake-catalog.js';

const analyser = createPostgresAnalyser({ catalog: createFakeCatalog() });
const analyse = (sql: string) => analyser.analyse(sql, { defaultProject: 'demo-project' });

describe('PostgreSQL analyser', () => {
  const kindCases: [string, string[]][] = [
    ['SELECT email FROM sales.customers', ['select']],
    ['DROP TABLE sales.customers', ['drop']],
    ['TRUNCATE sales.orders', ['truncate']],
    ['WITH gone AS (DELETE FROM sales.orders RETURNING *) SELECT * FROM gone', ['select', 'delete']],
    ["COPY sales.customers TO '/tmp/out.csv'", ['export', 'unknown']],
    ["COPY sales.customers FROM '/tmp/in.csv'", ['load', 'unknown']],
    ['DO $$ BEGIN DROP TABLE sales.customers; END $$', ['script', 'unknown']],
    ['SET ROLE postgres', ['unknown']],
    ['GRANT SELECT ON sales.customers TO agent', ['grant', 'unknown']],
    ["SELECT pg_read_file('/etc/passwd')", ['select', 'call']],
    ["SELECT query_to_xml('DROP TABLE sales.customers', true, true, '')", ['select', 'call']],
    ["SELECT nextval('sales.seq')", ['select', 'call']],
    ['SELECT 1; DROP TABLE sales.orders', ['select', 'drop']],
    ['SELECT 1; COMMIT; DELETE FROM sales.orders', ['select', 'delete', 'unknown']],
    ['CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql', ['create', 'script']],
    ['SELEC email FROM sales.customers', ['unknown']],
  ];
  for (const [sql, kinds] of kindCases) {
    it(`reads ${sql}`, async () => {
      assert.deepEqual([...(await analyse(sql)).kinds].sort(), [...kinds].sort());
    });
  }

  it('names tables project.schema.table, unqualified ones in public, CTE names excluded only in scope', async () => {
    const analysis = await analyse(
      'SELECT * FROM (WITH customers AS (SELECT 1) SELECT * FROM customers) inner_q, customers JOIN sales.orders o ON true',
    );
    assert.deepEqual(analysis.tables, ['demo-project.public.customers', 'demo-project.sales.orders']);
  });

  it('follows lineage of plain selects, with aliases, expressions and *', async () => {
    const analysis = await analyse('SELECT c.email, upper(full_name) AS name, count(*) FROM sales.customers c WHERE ssn = $1 GROUP BY 1, 2');
    const [statement] = analysis.statements;
    assert.ok(statement);
    assert.equal(statement.flags.lineageIncomplete, false);
    assert.deepEqual(
      statement.outputColumns.map((column) => [column.name, column.confidence, column.lineage.map((source) => source.column)]),
      [['email', 'exact', ['email']], ['name', 'derived', ['full_name']], ['count', 'derived', []]],
    );
    assert.deepEqual(statement.filterColumns, [{ table: 'demo-project.sales.customers', column: 'ssn' }]);
    const star = (await analyse('SELECT * FROM sales.orders')).statements[0];
    assert.deepEqual(star?.outputColumns.map((column) => column.name), ['order_id', 'customer_id', 'amount', 'currency', 'status', 'ordered_at']);
  });

  it('leaves lineage incomplete where it cannot follow it', async () => {
    for (const sql of [
      'SELECT x.email FROM (SELECT email FROM sales.customers) x',
      'SELECT email FROM sales.customers UNION SELECT email FROM hr.salaries',
      'SELECT (SELECT ssn FROM sales.customers LIMIT 1) AS harmless',
      'SELECT * FROM sales.unknown_table',
    ]) {
      const analysis = await analyse(sql);
      assert.ok(analysis.statements.some((statement) => statement.flags.lineageIncomplete), sql);
    }
  });

  it('never reads a destructive statement hidden among reads as a plain select (generated)', async () => {
    const reads = ['SELECT 1', 'SELECT email FROM sales.customers', 'WITH a AS (SELECT 1) SELECT * FROM a', 'VALUES (1)'];
    const hidden = ['DROP TABLE sales.orders', 'DELETE FROM sales.orders', 'TRUNCATE sales.orders', 'ALTER TABLE sales.orders ADD COLUMN x int', "SELECT pg_terminate_backend(1)", 'COMMIT', "COPY sales.orders TO STDOUT", 'SET ROLE postgres'];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...reads)), fc.constantFrom(...hidden), fc.array(fc.constantFrom(...reads)), fc.constantFrom(';', ';\n', ' ; -- c\n'), async (before, bad, after, separator) => {
        const sql = [...before, bad, ...after].join(separator);
        const analysis = await analyse(sql);
        assert.ok(analysis.kinds.some((kind) => kind !== 'select'), sql);
      }),
      { numRuns: 150 },
    );
  });
});
