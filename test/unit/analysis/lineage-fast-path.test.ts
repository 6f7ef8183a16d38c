/**
 * The JavaScript lineage fast path against polyglot's `analyzeQuery`, the reading it replaces where it
 * answers: on generated queries over generated catalogs, on every statement the repository's tests
 * hold, and on the bench's queries (which it must answer, or the latency target is not met).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createPolyglotAnalyser } from '../../../src/adapters/analysis/polyglot-analyser.js';
import { fastLineageReading } from '../../../src/adapters/analysis/lineage-fast-path.js';
import { createFakeCatalog } from './fake-catalog.js';
import { compareLineage, lineageInputs } from './lineage-differential.js';
import { generateCase } from './lineage-query-grammar.js';
import { corpusStatements } from './sql-corpus.js';
import { request as hostileGoogleSqlRequest } from '../../fuzz/googlesql-grammar.js';

const context = { defaultProject: 'demo-project', defaultDataset: 'sales' };

const simpleSelect = 'SELECT email, city FROM sales.customers WHERE customer_id = 7';
const fiveTableJoin = `WITH big AS (SELECT customer_id, SUM(amount) AS total FROM sales.orders GROUP BY customer_id),
  staff AS (SELECT email, ssn FROM hr.salaries)
SELECT c.full_name, LOWER(c.email) AS e, b.total, s.ssn, pv.path, o.order_id
FROM sales.customers c
JOIN big b ON b.customer_id = c.customer_id
JOIN staff s ON s.email = c.email
JOIN analytics.page_views pv ON pv.host = c.city
JOIN sales.orders o ON o.customer_id = c.customer_id
WHERE c.city = 'x7' ORDER BY 1`;

/** bench/policy.bench.ts's join: a backtick-quoted three-part name, and no default dataset. */
const policyBenchJoin = `WITH totals AS (SELECT customer_id, SUM(amount) AS total FROM sales.orders GROUP BY customer_id),
  recent AS (SELECT customer_id, MAX(ordered_at) AS last_at FROM \`demo-project.sales.orders\` GROUP BY customer_id)
SELECT c.city, t.total, r.last_at, pv.path, o.order_id
FROM sales.customers c
JOIN totals t ON t.customer_id = c.customer_id
JOIN recent r ON r.customer_id = c.customer_id
JOIN analytics.page_views pv ON pv.host = c.city
JOIN sales.orders o ON o.customer_id = c.customer_id
WHERE o.status = 'paid-7' ORDER BY 1`;

describe('lineage fast path', () => {
  it('agrees with analyzeQuery on generated queries, and answers a fair share of them', async () => {
    let compared = 0;
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(fc.gen(), async (g) => {
        const generated = generateCase(g);
        const tables = Object.fromEntries(Object.entries(generated.tables).map(([name, columns]) => [`demo-project.${name}`, columns]));
        for (const comparison of await compareLineage(generated.sql, createFakeCatalog(tables), context)) {
          compared++;
          if (comparison.answer === 'fast-path') answered++;
          assert.deepEqual(comparison.fast, comparison.reference, generated.sql);
        }
      }),
      { numRuns: 400 },
    );
    // The grammar is hostile on purpose (ambiguous names, subqueries, struct access, USING with
    // stars); were the fast path to decline everything, this property would prove nothing.
    assert.ok(compared > 200, `only ${compared} statements compared`);
    assert.ok(answered / compared >= 0.25, `the fast path answered ${answered} of ${compared}`);
  });

  it('agrees with analyzeQuery on every statement of the test corpora', async () => {
    const catalog = createFakeCatalog();
    let answered = 0;
    for (const sql of corpusStatements()) {
      for (const comparison of await compareLineage(sql, catalog, context)) {
        if (comparison.answer === 'fast-path') answered++;
        assert.deepEqual(comparison.fast, comparison.reference, sql);
      }
    }
    assert.ok(answered >= 100, `the fast path answered only ${answered} corpus statements`);
  });

  it("agrees with analyzeQuery on the GoogleSQL differential grammar's hostile literals and names", async () => {
    const catalog = createFakeCatalog();
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(hostileGoogleSqlRequest, async ({ sql }) => {
        for (const comparison of await compareLineage(sql, catalog, context)) {
          if (comparison.answer === 'fast-path') answered++;
          assert.deepEqual(comparison.fast, comparison.reference, sql);
        }
      }),
      { numRuns: 150 },
    );
    // Its tables are never catalogued, so only its FROM-less SELECTs of literals reach the fast path.
    assert.ok(answered > 0, 'the fast path read none of the literal-only statements');
  });

  it('gives the same whole analysis as the analyser without it, on every corpus request', async () => {
    const fast = createPolyglotAnalyser({ catalog: createFakeCatalog(), warmUp: false });
    const reference = createPolyglotAnalyser({ catalog: createFakeCatalog(), warmUp: false, lineagePath: 'analyze-query-only' });
    for (const sql of corpusStatements()) {
      assert.deepEqual(await fast.analyse(sql, context), await reference.analyse(sql, context), sql);
    }
  });

  it("answers the benches' simple select and five-table CTE joins itself", async () => {
    const cases = [
      { sql: simpleSelect, context },
      { sql: fiveTableJoin, context },
      { sql: policyBenchJoin, context: { defaultProject: 'demo-project' } },
    ];
    for (const { sql, context } of cases) {
      const [comparison, ...rest] = await compareLineage(sql, createFakeCatalog(), context);
      assert.equal(rest.length, 0);
      assert.equal(comparison?.answer, 'fast-path', sql);
      assert.deepEqual(comparison.fast, comparison.reference);
    }
  });

  it('answers the shapes it was written for, as polyglot does', async () => {
    const answered = [
      'SELECT c.email, o.amount FROM sales.customers c LEFT JOIN sales.orders o ON o.customer_id = c.customer_id WHERE o.status = "paid"',
      'SELECT c.city, COUNT(*) AS n, SUM(o.amount) AS total FROM sales.orders o JOIN sales.customers c USING (customer_id) GROUP BY 1 HAVING SUM(o.amount) > 1',
      'WITH t AS (SELECT city, COUNT(*) AS n FROM sales.customers GROUP BY city) SELECT city, n FROM t WHERE n > 1 ORDER BY n',
      'SELECT * FROM (SELECT LOWER(email) AS e, ssn FROM sales.customers) AS d WHERE d.ssn IS NOT NULL',
      'SELECT email, ROW_NUMBER() OVER (PARTITION BY city ORDER BY created_at DESC) AS rn FROM sales.customers QUALIFY rn = 1',
      'SELECT ARRAY_AGG(email ORDER BY created_at) AS emails FROM sales.customers',
      'SELECT email FROM sales.customers UNION ALL SELECT email FROM hr.salaries ORDER BY 1',
      "SELECT 1 AS one, 'x' AS label",
      "SELECT d.e FROM (WITH x AS (SELECT email AS e FROM sales.customers WHERE city = 'a') SELECT e FROM x WHERE e = 'b') AS d WHERE d.e = 'c'",
      'SELECT * FROM (SELECT email AS e FROM sales.customers UNION ALL SELECT ssn FROM hr.salaries WHERE salary > 1) u JOIN sales.orders o ON o.status = u.e',
      'SELECT `c`.`EMAIL`, C2.city FROM `sales`.`customers` AS `c` JOIN SALES.CUSTOMERS C2 ON C2.customer_id = c.customer_id',
      "SELECT email FROM sales.customers WHERE customer_id IN (SELECT LOWER(customer_id) FROM sales.orders WHERE status = 'x') AND NOT EXISTS (SELECT 1 FROM hr.salaries)",
    ];
    for (const sql of answered) {
      const [comparison, ...rest] = await compareLineage(sql, createFakeCatalog(), context);
      assert.equal(rest.length, 0, sql);
      assert.equal(comparison?.answer, 'fast-path', sql);
      assert.deepEqual(comparison.fast, comparison.reference, sql);
    }
  });

  it('declines every shape it was not written for, and polyglot answers as before', async () => {
    const declined = [
      // Correlated and scalar subqueries, subqueries outside WHERE, UNNEST, struct field access.
      'SELECT email, (SELECT MAX(amount) FROM sales.orders o WHERE o.customer_id = c.customer_id) AS m FROM sales.customers c',
      'SELECT email FROM sales.customers c WHERE EXISTS (SELECT 1 FROM sales.orders o WHERE o.customer_id = c.customer_id)',
      'SELECT email FROM sales.customers c HAVING c.customer_id IN (SELECT customer_id FROM sales.orders)',
      'SELECT part FROM sales.customers, UNNEST(SPLIT(email)) AS part',
      'SELECT c.notes.inner_field FROM sales.customers c',
      // Ambiguous, unknown and whole-row names; an alias that renames another output's column.
      'SELECT customer_id FROM sales.customers c JOIN sales.orders o ON o.customer_id = c.customer_id',
      'SELECT nosuch FROM sales.customers',
      'SELECT c FROM sales.customers c',
      'SELECT city AS email, email AS city FROM sales.customers ORDER BY email',
      // Unknown table, recursive CTE, PIVOT, TABLESAMPLE, named windows, star modifiers, set operations.
      'SELECT a FROM sales.no_such_table',
      'WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT n FROM r',
      'SELECT * FROM sales.orders PIVOT (SUM(amount) FOR currency IN ("EUR", "USD"))',
      'SELECT email FROM sales.customers TABLESAMPLE SYSTEM (10 PERCENT)',
      'SELECT SUM(amount) OVER w FROM sales.orders WINDOW w AS (PARTITION BY currency)',
      'SELECT * EXCEPT (ssn) FROM sales.customers',
      'SELECT * REPLACE (email AS ssn) FROM sales.customers',
      'SELECT email FROM sales.customers EXCEPT DISTINCT SELECT email FROM hr.salaries',
      // A function outside the allow-list may read columns it names nowhere.
      'SELECT MY_UDF(email) FROM sales.customers',
      // USING after a derived table: polyglot looks for the column inside it by its own reading of
      // `o.*` over two sources (found by the generated-query property, seed -804358548).
      'WITH big AS (SELECT o.* FROM sales.customers c, sales.orders o) SELECT x.email FROM sales.customers x, big LEFT JOIN sales.customers y USING (email)',
    ];
    for (const sql of declined) {
      const inputs = await lineageInputs(sql, createFakeCatalog(), context);
      assert.equal(inputs.length, 1, sql);
      for (const input of inputs) {
        const reading = fastLineageReading(input.statement, input);
        assert.equal(reading.analysis, undefined, sql);
        assert.ok(reading.refusal, sql);
      }
      for (const comparison of await compareLineage(sql, createFakeCatalog(), context)) {
        assert.notEqual(comparison.answer, 'fast-path', sql);
        assert.deepEqual(comparison.fast, comparison.reference, sql);
      }
    }
  });
});
