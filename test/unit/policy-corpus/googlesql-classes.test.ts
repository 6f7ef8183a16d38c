/**
 * The classes of issue 13, each as generated statements judged by the real analyser and the shipped
 * strict policy (default deny, hr off limits, drop/export/grant/call/script/unknown denied):
 * 1. raw strings the parser library reads further than GoogleSQL does, hiding what follows;
 * 2. backtick names whose escapes spell `hr`;
 * 3. table functions and subqueries in places a shape-based walk skipped;
 * 4. project ids with a domain;
 * 5. calls of persistent (non-built-in) functions.
 * And what must keep working: raw strings and regular expressions, built-in namespaced functions.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { agent, hrAnalyst } from './cases.js';
import { decide } from './decide.js';

const runs = { numRuns: 60 };

/** What GoogleSQL hides nowhere and the library may swallow into a string. */
const hiddenPayloads = [
  '; DROP TABLE sales.orders',
  "; GRANT `roles/bigquery.dataOwner` ON SCHEMA sales TO 'user:x@example.com'",
  "; EXPORT DATA OPTIONS(uri='gs://b/*.csv', format='CSV') AS SELECT * FROM sales.orders",
  ', (SELECT MAX(ssn) FROM hr.salaries) AS s FROM sales.orders',
  ' FROM sales.orders UNION ALL SELECT ssn FROM hr.salaries',
  ' FROM sales.orders WHERE EXISTS (SELECT 1 FROM hr.salaries)',
];

/** Raw literals whose last backslash pairs with the closing quote's neighbour in GoogleSQL only. */
const rawLiteral = fc
  .tuple(fc.constantFrom('r', 'R', 'rb', 'Rb', 'br', 'BR'), fc.constantFrom("'", '"'), fc.stringMatching(/^[a-z ]{0,4}$/), fc.integer({ min: 1, max: 3 }))
  .map(([prefix, quote, text, pairs]) => `${prefix}${quote}${text}${'\\\\'.repeat(pairs)}${quote}`);

describe('issue 13 class 1: a raw string the library reads further than GoogleSQL', () => {
  it('never lets what follows a raw string ending in backslashes pass', async () => {
    await fc.assert(
      fc.asyncProperty(rawLiteral, fc.constantFrom(...hiddenPayloads), fc.constantFrom('', " --'", " '", ' /*\'*/'), async (literal, payload, tail) => {
        const sql = `SELECT ${literal} AS a${payload}${tail}`;
        const { decision, analysis } = await decide(sql, agent);
        assert.equal(decision.effect, 'deny', `${sql}: ${decision.rule}`);
        if (analysis.kinds.includes('unknown')) assert.ok((analysis.readingProblems ?? []).length > 0, 'an unknown reading says why');
      }),
      runs,
    );
  });

  it('keeps legitimate raw strings and regular expressions working', async () => {
    const regex = fc.array(fc.constantFrom('\\d', '\\w', '\\s', '\\.', '[a-z]', '+', '*', '^', '$', '(x|y)', "\\'"), { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''));
    await fc.assert(
      fc.asyncProperty(regex, fc.constantFrom('r', 'R'), async (pattern, prefix) => {
        const sql = `SELECT order_id, REGEXP_CONTAINS(status, ${prefix}'${pattern}') AS m FROM sales.orders`;
        const { decision } = await decide(sql, agent);
        assert.equal(decision.effect, 'allow', `${sql}: ${decision.reasons.join('; ')}`);
      }),
      runs,
    );
  });
});

/** One character of a name as any of GoogleSQL's escapes. */
function escaped(char: string): fc.Arbitrary<string> {
  const code = char.codePointAt(0) as number;
  const hex = (width: number): string => code.toString(16).padStart(width, '0');
  return fc.constantFrom(char, `\\u${hex(4)}`, `\\U${hex(8)}`, `\\${code.toString(8).padStart(3, '0')}`, `\\x${hex(2)}`, `\\X${hex(2).toUpperCase()}`, char.toUpperCase());
}

describe('issue 13 class 2: escapes in backtick names spell a denied dataset', () => {
  it('reads every escape spelling of hr as hr', async () => {
    await fc.assert(
      fc.asyncProperty(escaped('h'), escaped('r'), fc.constantFrom('whole', 'parts', 'dataset'), async (h, r, form) => {
        const dataset = `${h}${r}`;
        const name = form === 'whole' ? `\`demo-project.${dataset}.salaries\`` : form === 'parts' ? `\`demo-project\`.\`${dataset}\`.salaries` : `\`${dataset}\`.salaries`;
        const { decision, analysis } = await decide(`SELECT full_name FROM ${name}`, agent);
        assert.ok(analysis.tables.includes('demo-project.hr.salaries'), `${name} read as ${analysis.tables.join(', ')}`);
        assert.equal(decision.effect, 'deny');
        assert.equal(decision.rule, 'hr-restricted');
      }),
      runs,
    );
  });
});

describe('issue 13 class 3: table functions and subqueries off the usual shapes', () => {
  const routine = fc.tuple(fc.constantFrom('sales', 'analytics', 'demo-project.sales'), fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/)).map(([scope, fn]) => `${scope}.tvf_${fn}`);
  it('sees a table function inside a parenthesised join', async () => {
    await fc.assert(
      fc.asyncProperty(routine, fc.constantFrom('CROSS JOIN', 'JOIN', 'LEFT JOIN'), async (fn, join) => {
        const on = join === 'CROSS JOIN' ? '' : ' ON true';
        const sql = `SELECT * FROM (sales.orders ${join} ${fn}() AS l${on})`;
        const { decision, analysis } = await decide(sql, agent);
        assert.ok(analysis.kinds.includes('call') || analysis.kinds.includes('unknown'), sql);
        assert.equal(decision.effect, 'deny', sql);
      }),
      runs,
    );
  });

  it('reads the subquery of FOR SYSTEM_TIME AS OF', async () => {
    const { decision, analysis } = await decide('SELECT * FROM sales.orders FOR SYSTEM_TIME AS OF (SELECT MAX(hired_on) FROM hr.salaries)', agent);
    assert.ok(analysis.tables.includes('demo-project.hr.salaries') || analysis.kinds.includes('unknown'));
    assert.equal(decision.effect, 'deny');
  });

  it('reads TABLESAMPLE without losing the table', async () => {
    const { decision, analysis } = await decide('SELECT ssn FROM hr.salaries TABLESAMPLE SYSTEM (10 PERCENT)', agent);
    assert.deepEqual(analysis.tables, ['demo-project.hr.salaries']);
    assert.equal(decision.rule, 'hr-restricted');
  });
});

describe('issue 13 class 4: project ids with a domain', () => {
  it('keeps the domain project whole so *.hr.* still matches', async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[a-z]{1,8}$/), fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), fc.boolean(), async (domain, project, whole) => {
        const name = whole ? `\`${domain}.com:${project}.hr.salaries\`` : `\`${domain}.com:${project}\`.hr.salaries`;
        const { decision, analysis } = await decide(`SELECT ssn FROM ${name}`, agent);
        assert.deepEqual(analysis.tables, [`${domain}.com:${project}.hr.salaries`]);
        assert.equal(decision.rule, 'hr-restricted');
      }),
      runs,
    );
  });
});

describe('issue 13 class 5: calls of persistent functions', () => {
  const udf = fc
    .tuple(fc.constantFrom('sales.', 'demo-project.sales.', '`demo-project.sales`.', '`demo-project.sales.', 'analytics.'), fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/))
    .map(([scope, fn]) => (scope.startsWith('`demo-project.sales.') ? `${scope}udf_${fn}\`` : `${scope}udf_${fn}`));
  it('makes the statement a call, which the strict policy denies', async () => {
    await fc.assert(
      fc.asyncProperty(udf, fc.constantFrom('select', 'where', 'join'), async (fn, place) => {
        const sql =
          place === 'select'
            ? `SELECT ${fn}(order_id) FROM sales.orders`
            : place === 'where'
              ? `SELECT order_id FROM sales.orders WHERE ${fn}(status) > 0`
              : `SELECT o.order_id FROM sales.orders o JOIN sales.customers c ON ${fn}(o.customer_id) = c.customer_id`;
        const { decision, analysis } = await decide(sql, agent);
        assert.ok(analysis.kinds.includes('call'), `${sql} read as ${analysis.kinds.join(', ')}`);
        assert.equal(decision.effect, 'deny');
        assert.equal(decision.rule, 'no-destruction');
      }),
      runs,
    );
  });

  it('keeps built-in functions, namespaced and SAFE. ones included, and request-defined temp functions', async () => {
    const { decision } = await decide('SELECT NET.HOST(status) AS h, SAFE.UPPER(status) AS u, HLL_COUNT.INIT(order_id) AS c, FARM_FINGERPRINT(status) AS f FROM sales.orders GROUP BY status', agent);
    assert.equal(decision.effect, 'allow', decision.reasons.join('; '));
    const temp = await decide('CREATE TEMP FUNCTION twice(x INT64) AS (x * 2); SELECT twice(order_id) FROM sales.orders', agent);
    assert.ok(!temp.analysis.kinds.includes('call'), temp.analysis.kinds.join(', '));
    const hr = await decide('SELECT UPPER(full_name) FROM hr.salaries', hrAnalyst);
    assert.equal(hr.decision.effect, 'allow');
  });
});
