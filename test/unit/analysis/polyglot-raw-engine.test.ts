/**
 * Lineage goes through the polyglot engine's JSON-string door (faster: the schema crosses the WASM
 * boundary as one string). It must be the same engine giving the same answer as the SDK's public API,
 * on every statement the classification corpus holds and on generated column lists.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyseQuery, analyseQueryThroughPublicApi, usesRawAnalyzeEngine, type Schema } from '../../../src/adapters/analysis/polyglot-sdk.js';
import { classificationCases } from './classification-cases.js';

const schema: Schema = {
  strict: false,
  tables: [
    { name: 'customers', schema: 'sales', columns: ['customer_id', 'full_name', 'email', 'ssn', 'city'].map((name) => ({ name, type: 'STRING' })) },
    { name: 'orders', schema: 'sales', columns: ['order_id', 'customer_id', 'amount'].map((name) => ({ name, type: 'NUMERIC' })) },
    { name: 'salaries', schema: 'hr', columns: ['employee_id', 'email', 'ssn', 'salary'].map((name) => ({ name, type: 'STRING' })) },
  ],
};

describe('polyglot raw engine', () => {
  it('is found in the installed SDK, so lineage takes the fast door', () => {
    assert.equal(usesRawAnalyzeEngine, true);
  });

  it('answers exactly as the public API on every corpus statement', () => {
    const statements = Object.values(classificationCases).flatMap((cases) => cases.map((item) => item.sql));
    assert.ok(statements.length > 100);
    let analysed = 0;
    for (const sql of statements) {
      const fast = analyseQuery(sql, schema);
      assert.deepEqual(fast, analyseQueryThroughPublicApi(sql, schema), sql);
      if (fast) analysed++;
    }
    assert.ok(analysed > 50, `only ${analysed} statements had lineage`);
  });

  it('answers exactly as the public API on generated projections over joined tables', () => {
    const column = fc.constantFrom('c.email', 'c.ssn', 'o.amount', 's.salary', 'LOWER(c.full_name)', 'customer_id', 'ssn', 'CONCAT(c.city, s.email)', 'SUM(o.amount)');
    fc.assert(
      fc.property(fc.array(column, { minLength: 1, maxLength: 6 }), fc.boolean(), (columns, aliased) => {
        const list = columns.map((expression, index) => (aliased ? `${expression} AS a${index}` : expression)).join(', ');
        const sql = `SELECT ${list} FROM sales.customers c JOIN sales.orders o USING (customer_id) JOIN hr.salaries s ON s.email = c.email GROUP BY 1`;
        assert.deepEqual(analyseQuery(sql, schema), analyseQueryThroughPublicApi(sql, schema));
      }),
      { numRuns: 60 },
    );
  });
});
