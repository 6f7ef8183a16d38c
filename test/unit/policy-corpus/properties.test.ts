/**
 * Decision-level properties (fast-check), through the real analyser and evaluatePolicy:
 *  - adding any statement to a request never makes its decision less strict;
 *  - wrapping a request in comments or whitespace, or putting them between its tokens, never changes
 *    its decision (effect and rule).
 * The scan estimate is computed the way the gateway does without a dry run (the catalog's table
 * sizes summed), with sizes chosen so that some joins cross the shipped policy's 100 GiB limit.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Analysis } from '../../../src/domain/analysis/types.js';
import { evaluatePolicy, isStricter } from '../../../src/domain/policy/evaluate.js';
import type { Policy, PolicyDecision } from '../../../src/domain/policy/types.js';
import { analyse, shippedPolicy, testPolicy } from './decide.js';

const GiB = 2 ** 30;
const tableSizes: Readonly<Record<string, number>> = {
  'demo-project.sales.customers': 60 * GiB,
  'demo-project.sales.orders': 50 * GiB,
  'demo-project.hr.salaries': GiB,
  'demo-project.analytics.page_views': 10 * 2 ** 20,
};

/** Like the query service without a dry run: no tables scan nothing; an unknown table leaves no estimate. */
function withCatalogEstimate(analysis: Analysis): Analysis {
  if (analysis.tables.length === 0) return { ...analysis, bytesEstimate: 0 };
  const sizes = analysis.tables.map((table) => tableSizes[table]);
  if (sizes.some((size) => size === undefined)) return analysis;
  return { ...analysis, bytesEstimate: sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0) };
}

async function decide(sql: string, groups: readonly string[], policy: Policy): Promise<PolicyDecision> {
  return evaluatePolicy(policy, { groups, analysis: withCatalogEstimate(await analyse(sql)) });
}

const realisticStatements = [
  'SELECT order_id, amount FROM sales.orders',
  'SELECT view_id, path FROM analytics.page_views WHERE host = "a"',
  'SELECT email, city FROM sales.customers',
  "SELECT city FROM sales.customers WHERE ssn LIKE '1%'",
  'SELECT o.order_id, c.city FROM sales.orders o JOIN sales.customers c ON o.customer_id = c.customer_id',
  'SELECT full_name FROM hr.salaries',
  'SELECT o.order_id FROM sales.orders o JOIN hr.salaries s ON o.customer_id = s.employee_id',
  'WITH a AS (SELECT order_id FROM sales.orders) SELECT * FROM a',
  'SELECT order_id FROM sales.orders WHERE customer_id IN (SELECT employee_id FROM hr.salaries)',
  'SELECT order_id FROM sales.orders UNION ALL SELECT view_id FROM analytics.page_views',
  "SELECT 'DROP TABLE x' AS s FROM sales.orders",
  'SELECT 1',
  'SELECT * FROM `demo-project.sales.orders`',
  'SELECT * FROM `demo-project`.hr.salaries',
  'SELECT * FROM other_ds.things',
  'INSERT INTO sales.orders (order_id) VALUES (1)',
  "UPDATE sales.orders SET status = 'x' WHERE order_id = 1",
  'DELETE FROM sales.orders WHERE true',
  'MERGE sales.orders T USING sales.customers S ON T.customer_id = S.customer_id WHEN MATCHED THEN DELETE',
  'INSERT INTO sales.orders (order_id) SELECT employee_id FROM hr.salaries',
  'CREATE TABLE sales.t2 AS SELECT order_id FROM sales.orders',
  'ALTER TABLE sales.orders ADD COLUMN note STRING',
  'DROP TABLE sales.orders',
  'TRUNCATE TABLE sales.orders',
  "EXPORT DATA OPTIONS(uri='gs://b/*.csv', format='CSV') AS SELECT order_id FROM sales.orders",
  "GRANT `roles/bigquery.dataViewer` ON TABLE sales.customers TO 'user:a@example.com'",
  'CALL sales.p()',
  'DECLARE x INT64 DEFAULT 1',
  "EXECUTE IMMEDIATE 'SELECT 1'",
  'SELEC order_id FROM sales.orders',
  'SELECT * FROM sales.some_tvf(1)',
];

const statement = fc.constantFrom(...realisticStatements);
const request = fc.array(statement, { minLength: 1, maxLength: 3 });
const groups = fc.subarray(['ai-agents', 'hr-analysts', 'data-owners', 'analysts', 'finance']);
const policy = fc.constantFrom(shippedPolicy, testPolicy);

// Comment text never holds a comment delimiter or a newline, so the comment ends where it should.
const commentText = fc
  .array(fc.constantFrom('a', 'Z', '0', ' ', ';', "'", '"', '`', 'DROP TABLE sales.orders', 'hr.salaries', '$'), { maxLength: 6 })
  .map((parts) => parts.join(''));
const filler = fc.oneof(
  fc.constantFrom(' ', '  ', '\n', '\t', '\r\n', '\n\n'),
  commentText.map((text) => `-- ${text}\n`),
  commentText.map((text) => `# ${text}\n`),
  commentText.map((text) => `/* ${text} */`),
  commentText.map((text) => `/*${text}\n${text}*/`),
);
const padding = fc.array(filler, { minLength: 1, maxLength: 3 }).map((parts) => ` ${parts.join(' ')} `);

/** Replaces the spaces between tokens (never those inside quotes) with the given paddings, in turn. */
function padBetweenTokens(sql: string, paddings: readonly string[]): string {
  let quote: string | undefined;
  let used = 0;
  let out = '';
  for (let index = 0; index < sql.length; index++) {
    const char = sql[index] as string;
    if (quote) {
      if (char === '\\') {
        out += char + (sql[index + 1] ?? '');
        index++;
        continue;
      }
      if (char === quote) quote = undefined;
      out += char;
    } else if (char === "'" || char === '"' || char === '`') {
      quote = char;
      out += char;
    } else if (char === ' ' && paddings.length > 0) {
      out += paddings[used++ % paddings.length];
    } else {
      out += char;
    }
  }
  return out;
}

const describeDecision = (decision: PolicyDecision): string => `${decision.effect} (${decision.rule})`;

describe('policy decisions: properties through the real analyser', () => {
  it('adding any statement to a request never makes its decision less strict', async () => {
    await fc.assert(
      fc.asyncProperty(request, statement, fc.nat(), groups, policy, async (statements, added, at, caller, chosen) => {
        const before = await decide(statements.join('; '), caller, chosen);
        const extended = [...statements];
        extended.splice(at % (statements.length + 1), 0, added);
        const after = await decide(extended.join('; '), caller, chosen);
        assert.ok(
          !isStricter(before.effect, after.effect),
          `${JSON.stringify(statements)} was ${describeDecision(before)}; with ${JSON.stringify(added)} it became ${describeDecision(after)}`,
        );
      }),
      { numRuns: 150 },
    );
  });

  it('wrapping a request in comments or whitespace never changes its effect or rule', async () => {
    await fc.assert(
      fc.asyncProperty(request, padding, padding, fc.boolean(), groups, policy, async (statements, head, tail, trailingSemicolon, caller, chosen) => {
        const sql = statements.join('; ');
        const plain = await decide(sql, caller, chosen);
        const wrapped = await decide(`${head}${sql}${trailingSemicolon ? ';' : ''}${tail}`, caller, chosen);
        assert.equal(describeDecision(wrapped), describeDecision(plain), `${JSON.stringify(head)} … ${JSON.stringify(tail)}`);
      }),
      { numRuns: 150 },
    );
  });

  it('comments and whitespace between tokens never change the effect or rule', async () => {
    await fc.assert(
      fc.asyncProperty(request, fc.array(padding, { minLength: 1, maxLength: 5 }), groups, policy, async (statements, paddings, caller, chosen) => {
        const sql = statements.join('; ');
        const plain = await decide(sql, caller, chosen);
        const padded = padBetweenTokens(sql, paddings);
        const decision = await decide(padded, caller, chosen);
        assert.equal(describeDecision(decision), describeDecision(plain), JSON.stringify(padded));
      }),
      { numRuns: 150 },
    );
  });

  it('the property generators reach every effect (they are not vacuous)', async () => {
    const effects = new Set<string>();
    for (const sql of realisticStatements) effects.add((await decide(sql, ['ai-agents'], shippedPolicy)).effect);
    assert.deepEqual([...effects].sort(), ['allow', 'approve', 'deny']);
  });
});
