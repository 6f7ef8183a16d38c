import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalysedStatement, OutputColumn, SourceColumn } from '../../../src/domain/analysis/types.js';
import { createPolyglotAnalyser } from '../../../src/adapters/analysis/polyglot-analyser.js';
import { createFakeCatalog } from './fake-catalog.js';

const analyser = createPolyglotAnalyser({ catalog: createFakeCatalog() });

const tableNames = { c: 'customers', o: 'orders', s: 'salaries', pv: 'page_views' } as const;
const datasets = { c: 'sales', o: 'sales', s: 'hr', pv: 'analytics' } as const;

/** `c.ssn` → the customers table's ssn column, fully qualified. */
function col(short: string): SourceColumn {
  const [alias, column] = short.split('.') as [keyof typeof tableNames, string];
  return { table: `demo-project.${datasets[alias]}.${tableNames[alias]}`, column };
}

function sorted(columns: readonly SourceColumn[]): SourceColumn[] {
  return [...columns].sort((a, b) => `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`));
}

async function statementOf(sql: string): Promise<AnalysedStatement> {
  const analysis = await analyser.analyse(sql, { defaultProject: 'demo-project', defaultDataset: 'sales' });
  assert.equal(analysis.statements.length, 1);
  return analysis.statements[0] as AnalysedStatement;
}

async function output(sql: string, name: string): Promise<OutputColumn> {
  const statement = await statementOf(sql);
  const found = statement.outputColumns.find((column) => column.name === name);
  assert.ok(found, `output ${name} in ${statement.outputColumns.map((column) => column.name).join(',')}`);
  return found;
}

async function assertOutput(sql: string, name: string, lineage: string[], confidence: OutputColumn['confidence']): Promise<void> {
  const found = await output(sql, name);
  assert.deepEqual(sorted(found.lineage), sorted(lineage.map(col)));
  assert.equal(found.confidence, confidence);
}

async function assertWholeStatementUnknown(sql: string): Promise<void> {
  const statement = await statementOf(sql);
  assert.equal(statement.flags.lineageIncomplete, true);
  assert.ok(statement.outputColumns.every((column) => column.confidence === 'unknown'));
}

describe('polyglot analyser: output column lineage', () => {
  it('follows an alias to the bare column', () => assertOutput('SELECT ssn AS x FROM customers', 'x', ['c.ssn'], 'exact'));
  it('keeps a qualified bare column exact', () => assertOutput('SELECT c.email FROM sales.customers c', 'email', ['c.email'], 'exact'));
  it('reads case folding, trimming and a cast to STRING as the value itself (shape kept)', async () => {
    await assertOutput('SELECT LOWER(email) AS e FROM customers', 'e', ['c.email'], 'exact');
    await assertOutput('SELECT UPPER(TRIM(email)) AS e FROM customers', 'e', ['c.email'], 'exact');
    await assertOutput('SELECT LTRIM(RTRIM(phone)) AS p FROM customers', 'p', ['c.phone'], 'exact');
    await assertOutput('SELECT CAST(birth_date AS STRING) AS b FROM customers', 'b', ['c.birth_date'], 'exact');
    await assertOutput('SELECT SAFE_CAST(card_number AS STRING) AS n FROM customers', 'n', ['c.card_number'], 'exact');
  });
  it('reads anything else over a protected column as derived', async () => {
    await assertOutput("SELECT TRIM(email, 'a') AS e FROM customers", 'e', ['c.email'], 'derived');
    await assertOutput("SELECT CONCAT('a@', REPLACE(email, '@', '.')) AS e FROM customers", 'e', ['c.email'], 'derived');
    await assertOutput('SELECT SUBSTR(email, 2) AS e FROM customers', 'e', ['c.email'], 'derived');
    await assertOutput('SELECT CAST(birth_date AS DATE) AS b FROM customers', 'b', ['c.birth_date'], 'derived');
  });
  it('never reads a value through a CTE or derived table as the value itself (the CTE may rewrite it)', async () => {
    await assertOutput("WITH p AS (SELECT REPLACE(email, '@', '.') AS e FROM customers) SELECT e FROM p", 'e', ['c.email'], 'derived');
    await assertOutput("SELECT e FROM (SELECT CONCAT('x@', email) AS e FROM customers)", 'e', ['c.email'], 'derived');
  });
  it('reads a name given twice as derived', () => assertOutput('SELECT email AS x, ssn AS x FROM customers', 'x', ['c.email'], 'derived'));
  it('follows every argument of CONCAT', () => assertOutput('SELECT CONCAT(city, ssn) AS x FROM customers', 'x', ['c.city', 'c.ssn'], 'derived'));
  it('reads casts as derived', () => assertOutput('SELECT CAST(ssn AS INT64) AS n FROM customers', 'n', ['c.ssn'], 'derived'));
  it('reads SAFE_CAST as derived', () => assertOutput('SELECT SAFE_CAST(phone AS INT64) p FROM customers', 'p', ['c.phone'], 'derived'));
  it('follows REVERSE', () => assertOutput('SELECT REVERSE(ssn) AS r FROM customers', 'r', ['c.ssn'], 'derived'));
  it('follows SUBSTR', () => assertOutput('SELECT SUBSTR(ssn, 1, 3) AS s FROM customers', 's', ['c.ssn'], 'derived'));
  it('follows TO_BASE64 over a cast', () =>
    assertOutput('SELECT TO_BASE64(CAST(email AS BYTES)) AS b FROM customers', 'b', ['c.email'], 'derived'));
  it('follows both branches of a CASE', () =>
    assertOutput('SELECT CASE WHEN ssn IS NULL THEN "x" ELSE email END AS v FROM customers', 'v', ['c.email', 'c.ssn'], 'derived'));
  it('follows a CTE to its base table', () =>
    assertOutput('WITH a AS (SELECT ssn AS s FROM customers) SELECT s FROM a', 's', ['c.ssn'], 'derived'));
  it('follows CTEs and subqueries together', () =>
    assertOutput('WITH a AS (SELECT email FROM hr.salaries) SELECT e FROM (SELECT email AS e FROM a)', 'e', ['s.email'], 'derived'));
  it('follows a derived table', () => assertOutput('SELECT x.ssn FROM (SELECT ssn FROM hr.salaries) AS x', 'ssn', ['s.ssn'], 'derived'));
  it('gives up on column lists of derived tables and CTEs (one side of the transpiler may drop them)', async () => {
    await assertWholeStatementUnknown('SELECT a FROM (SELECT ssn, city FROM customers) AS t(city, a)');
    await assertWholeStatementUnknown('WITH t (b, a) AS (SELECT email, ssn FROM customers) SELECT a, b FROM t');
  });
  it('gives up on * RENAME, COLUMNS(…) and functions it does not know', async () => {
    await assertWholeStatementUnknown('SELECT * RENAME (ssn AS city) FROM customers');
    await assertWholeStatementUnknown("SELECT COLUMNS('s.*') FROM customers");
    await assertWholeStatementUnknown('SELECT city, NOT_A_KNOWN_FUNCTION(ssn) AS q FROM customers');
    await assertWholeStatementUnknown('SELECT city FROM (SELECT HISTOGRAM(ssn) AS h, city FROM customers)');
  });
  it('follows a scalar subquery', () => assertOutput('SELECT (SELECT MAX(ssn) FROM hr.salaries) AS m', 'm', ['s.ssn'], 'derived'));
  it('follows every branch of a UNION', () =>
    assertOutput('SELECT ssn FROM customers UNION ALL SELECT email FROM hr.salaries', 'ssn', ['c.ssn', 's.email'], 'derived'));
  it('follows STRING_AGG', () => assertOutput('SELECT STRING_AGG(email) AS e FROM customers', 'e', ['c.email'], 'derived'));
  it('follows ARRAY_AGG', () => assertOutput('SELECT ARRAY_AGG(ssn) AS a FROM hr.salaries', 'a', ['s.ssn'], 'derived'));
  it('follows MAX', () => assertOutput('SELECT MAX(salary) AS m FROM hr.salaries', 'm', ['s.salary'], 'derived'));
  it('reads an UNNEST element as derived from its column', () =>
    assertOutput('SELECT n FROM customers c, UNNEST(SPLIT(c.notes)) AS n', 'n', ['c.notes'], 'derived'));
  it('gives constants and COUNT(*) no lineage', async () => {
    await assertOutput('SELECT COUNT(*) AS n FROM customers', 'n', [], 'derived');
    await assertOutput('SELECT 1 AS one FROM customers', 'one', [], 'derived');
  });
  it('follows INSERT … SELECT', () =>
    assertOutput('INSERT INTO orders (order_id) SELECT customer_id FROM customers', 'customer_id', ['c.customer_id'], 'exact'));

  it('expands * through the catalog', async () => {
    const statement = await statementOf('SELECT * FROM hr.salaries');
    assert.deepEqual(
      statement.outputColumns.map((column) => [column.name, column.confidence]),
      ['employee_id', 'full_name', 'email', 'ssn', 'salary', 'bank_iban'].map((name) => [name, 'exact']),
    );
    assert.deepEqual(statement.outputColumns[3]?.lineage, [col('s.ssn')]);
  });

  it('expands t.* to that table only', async () => {
    const statement = await statementOf('SELECT o.* FROM orders o JOIN customers c USING (customer_id)');
    assert.deepEqual(
      statement.outputColumns.map((column) => column.name),
      ['order_id', 'customer_id', 'amount', 'currency', 'status', 'ordered_at'],
    );
    assert.equal(statement.outputColumns.some((column) => column.lineage.some((source) => source.column === 'ssn')), false);
  });

  it('leaves the excepted column out of * EXCEPT', async () => {
    const statement = await statementOf('SELECT * EXCEPT (ssn) FROM customers');
    const names = statement.outputColumns.map((column) => column.name);
    assert.equal(names.includes('ssn'), false);
    assert.equal(names.length, 10);
    assert.equal(statement.outputColumns.some((column) => column.lineage.some((source) => source.column === 'ssn')), false);
  });

  it('keeps an explicitly selected column that a star excepts', async () => {
    const statement = await statementOf('SELECT * EXCEPT (ssn), ssn AS ssn FROM hr.salaries');
    assert.ok(statement.outputColumns.some((column) => column.name === 'ssn'));
  });

  it('reads a whole-row value as unknown', () => assertWholeStatementUnknown('SELECT c FROM customers c'));
  it('reads TO_JSON_STRING of a row as unknown', () => assertWholeStatementUnknown('SELECT TO_JSON_STRING(c) AS j FROM customers c'));
  it('reads STRUCT(t.*) as unknown', () => assertWholeStatementUnknown('SELECT STRUCT(c.*) AS s FROM customers c'));
  it('reads * REPLACE as unknown, since it renames values', () =>
    assertWholeStatementUnknown('SELECT * REPLACE (ssn AS email) FROM customers'));
  it('reads a table the catalog does not know as unknown', () => assertWholeStatementUnknown('SELECT a, b FROM sales.nope'));
  it('reads * over an unknown table as unknown', () => assertWholeStatementUnknown('SELECT * FROM sales.nope'));
  it('reads unknown tables mixed with known ones as unknown', () =>
    assertWholeStatementUnknown('SELECT c.email FROM customers c JOIN sales.nope n ON n.id = c.customer_id'));
  it('reads a column the catalog does not have as unknown', async () => {
    const found = await output('SELECT no_such_column FROM customers', 'no_such_column');
    assert.equal(found.confidence, 'unknown');
  });
  it('reads an ARRAY subquery it cannot follow as unknown', async () => {
    const statement = await statementOf('SELECT ARRAY(SELECT email FROM hr.salaries) AS a');
    assert.equal(statement.flags.lineageIncomplete, true);
    assert.equal(statement.outputColumns[0]?.confidence, 'unknown');
  });
});

describe('polyglot analyser: filter, join, group and order columns', () => {
  const sql = `SELECT c.city, ROW_NUMBER() OVER (PARTITION BY country) AS rn
    FROM customers c JOIN orders o ON o.customer_id = c.customer_id
    WHERE ssn LIKE "1%" GROUP BY c.city, country HAVING MAX(o.amount) > 1 ORDER BY email`;

  it('reads WHERE and HAVING columns as filters', async () => {
    const statement = await statementOf(sql);
    for (const expected of ['c.ssn', 'o.amount']) assert.ok(statement.filterColumns.some((c) => c.column === col(expected).column && c.table === col(expected).table), expected);
  });
  it('reads JOIN ON columns', async () => {
    assert.deepEqual(sorted((await statementOf(sql)).joinColumns), sorted([col('c.customer_id'), col('o.customer_id')]));
  });
  it('reads JOIN USING columns', async () => {
    const statement = await statementOf('SELECT 1 FROM customers JOIN orders USING (customer_id)');
    assert.deepEqual(sorted(statement.joinColumns), sorted([col('c.customer_id'), col('o.customer_id')]));
  });
  it('reads GROUP BY columns', async () => {
    const groups = (await statementOf(sql)).groupColumns;
    assert.ok(groups.some((c) => c.column === 'city'));
    assert.ok(groups.some((c) => c.column === 'country'));
  });
  it('reads ORDER BY columns', async () => {
    assert.deepEqual((await statementOf(sql)).orderColumns, [col('c.email')]);
  });
  it('resolves ORDER BY an alias to its source column', async () => {
    assert.deepEqual((await statementOf('SELECT ssn AS x FROM customers ORDER BY x')).orderColumns, [col('c.ssn')]);
  });
  it('resolves a QUALIFY on a window alias to the columns behind it', async () => {
    const statement = await statementOf('SELECT ROW_NUMBER() OVER (ORDER BY birth_date) AS rn FROM customers QUALIFY rn = 1');
    assert.ok(statement.filterColumns.some((c) => c.column === 'birth_date'));
  });
  it('reads filter columns in a subquery', async () => {
    const statement = await statementOf('SELECT email FROM customers WHERE customer_id IN (SELECT employee_id FROM hr.salaries WHERE salary > 10)');
    assert.ok(statement.filterColumns.some((c) => c.table === col('s.salary').table && c.column === 'salary'));
  });
  it('reads the WHERE of UPDATE and DELETE', async () => {
    assert.deepEqual((await statementOf('DELETE FROM hr.salaries WHERE salary > 3')).filterColumns, [col('s.salary')]);
    const update = await statementOf('UPDATE orders SET status = "x" WHERE amount > 3');
    assert.deepEqual(update.filterColumns, [col('o.amount')]);
  });
  it('reads the ON of MERGE as join columns', async () => {
    const statement = await statementOf('MERGE orders T USING customers S ON T.customer_id = S.customer_id WHEN MATCHED THEN DELETE');
    assert.deepEqual(sorted(statement.joinColumns), sorted([col('c.customer_id'), col('o.customer_id')]));
  });
});
