/** EXTERNAL_QUERY read through the PostgreSQL reader: its kinds and tables join the request's, fail closed. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createPolyglotAnalyser } from '../../../src/adapters/analysis/polyglot-analyser.js';
import { createFakeCatalog } from './fake-catalog.js';

const analyser = createPolyglotAnalyser({ catalog: createFakeCatalog(), warmUp: false, externalQuery: { postgresConnections: ['demo-project.us.crm'] } });
const analyse = (sql: string) => analyser.analyse(sql, { defaultProject: 'demo-project' });
const quote = (sql: string): string => `'${sql.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const external = (sql: string, connection = 'demo-project.us.crm'): string => `SELECT * FROM EXTERNAL_QUERY('${connection}', ${quote(sql)})`;

describe('EXTERNAL_QUERY', () => {
  it('reads a literal PostgreSQL query: kinds, connection-qualified tables, predicate columns', async () => {
    const analysis = await analyse(
      `SELECT o.order_id, e.email FROM sales.orders o JOIN EXTERNAL_QUERY('demo-project.us.crm', 'SELECT id, email FROM public.contacts WHERE ssn = ''x''') e ON e.id = o.customer_id`.replace("''x''", "\\'x\\'"),
    );
    assert.deepEqual(analysis.kinds, ['select']);
    assert.deepEqual(analysis.tables, ['demo-project.sales.orders', 'demo-project.us.crm.public.contacts']);
    const [statement] = analysis.statements;
    assert.ok(statement?.flags.lineageIncomplete, 'result columns get the strictest rule of every table read');
    assert.ok(statement?.filterColumns.some((column) => column.table === 'demo-project.us.crm.public.contacts' && column.column === 'ssn'));
  });

  it('traces a plain projection to the external columns, else leaves lineage incomplete', async () => {
    const traced = (await analyse(`SELECT e.id AS key, email FROM EXTERNAL_QUERY('demo-project.us.crm', 'SELECT id, lower(email) AS email FROM contacts') AS e`)).statements[0];
    assert.equal(traced?.flags.lineageIncomplete, false);
    assert.deepEqual(
      traced?.outputColumns.map((column) => [column.name, column.confidence, column.lineage.map((source) => `${source.table}.${source.column}`)]),
      [['key', 'exact', ['demo-project.us.crm.public.contacts.id']], ['email', 'derived', ['demo-project.us.crm.public.contacts.email']]],
    );
    for (const sql of [
      `SELECT UPPER(email) AS e FROM EXTERNAL_QUERY('demo-project.us.crm', 'SELECT email FROM contacts')`,
      `SELECT * FROM EXTERNAL_QUERY('demo-project.us.crm', 'SELECT * FROM contacts')`,
      `SELECT o.order_id, e.email FROM sales.orders o, EXTERNAL_QUERY('demo-project.us.crm', 'SELECT email FROM contacts') e`,
    ]) {
      assert.ok((await analyse(sql)).statements[0]?.flags.lineageIncomplete, sql);
    }
  });

  it('counts every external column as a predicate when the outer query filters, and is unknown when they are not known', async () => {
    const probing = await analyse(`SELECT id FROM EXTERNAL_QUERY('demo-project.us.crm', 'SELECT id, ssn FROM contacts') WHERE ssn LIKE '1%'`);
    assert.ok(probing.statements[0]?.filterColumns.some((column) => column.column === 'ssn' && column.table === 'demo-project.us.crm.public.contacts'));
    const blind = await analyse(`SELECT * FROM EXTERNAL_QUERY('demo-project.us.crm', 'SELECT * FROM contacts') ORDER BY 1`);
    assert.ok(blind.kinds.includes('unknown'));
  });

  it('joins the inner statement kinds: DDL and DML inside are seen', async () => {
    assert.ok((await analyse(external('DROP TABLE public.contacts'))).kinds.includes('drop'));
    assert.ok((await analyse(external('SELECT 1; DELETE FROM contacts'))).kinds.includes('delete'));
    assert.ok((await analyse(external("SELECT pg_read_file('/etc/passwd')"))).kinds.includes('call'));
    assert.ok((await analyse(external('SELEC nonsense'))).kinds.includes('unknown'));
  });

  it('is unknown for a non-literal argument, a MySQL or unlisted connection', async () => {
    for (const sql of [
      "SELECT * FROM EXTERNAL_QUERY('demo-project.us.crm', CONCAT('SELECT ', '1'))",
      "DECLARE q STRING DEFAULT 'SELECT 1'; SELECT * FROM EXTERNAL_QUERY('demo-project.us.crm', q)",
      external('SELECT 1', 'demo-project.us.mysql-orders'),
    ]) {
      assert.ok((await analyse(sql)).kinds.includes('unknown'), sql);
    }
  });

  it('never loses a non-select statement inside the string (generated)', async () => {
    const inner = fc.constantFrom('DROP TABLE contacts', 'TRUNCATE contacts', 'DELETE FROM contacts', 'UPDATE contacts SET a = 1', 'CREATE TABLE x (a int)', 'COMMIT', 'SET ROLE postgres', "SELECT set_config('role', 'x', false)");
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('SELECT 1', 'SELECT id FROM contacts')), inner, fc.constantFrom('; ', ';\n', ' ; /* c */ '), async (reads, bad, separator) => {
        const analysis = await analyse(external([...reads, bad].join(separator)));
        assert.ok(analysis.kinds.some((kind) => kind !== 'select'), bad);
      }),
      { numRuns: 60 },
    );
  });
});
