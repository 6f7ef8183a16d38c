import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { statementKinds, type AnalysedStatement } from '../../../src/domain/analysis/types.js';
import { evaluatePolicy } from '../../../src/domain/policy/evaluate.js';
import type { Effect } from '../../../src/domain/policy/types.js';
import { analysis, policyFrom, statement } from './fixtures.js';

const shipped = policyFrom(readFileSync(new URL('../../../policy.yaml', import.meta.url), 'utf8'));
const permissive = policyFrom(shipped.text.replace('default: deny', 'default: allow').replace('protectedPredicates: approve', 'protectedPredicates: deny'));

const rank: Record<Effect, number> = { allow: 0, approve: 1, deny: 2 };
const tables = ['demo-project.sales.customers', 'demo-project.sales.orders', 'demo-project.hr.salaries', 'demo-project.analytics.page_views', 'other.x.y'];
const columns = ['ssn', 'email', 'city', 'salary', 'status'];

const sourceColumn = fc.record({ table: fc.constantFrom(...tables), column: fc.constantFrom(...columns) });
const analysedStatement: fc.Arbitrary<AnalysedStatement> = fc
  .record({
    kind: fc.constantFrom(...statementKinds),
    nested: fc.subarray([...statementKinds], { maxLength: 3 }),
    tables: fc.subarray(tables),
    filterColumns: fc.array(sourceColumn, { maxLength: 2 }),
    orderColumns: fc.array(sourceColumn, { maxLength: 1 }),
    unparsed: fc.boolean(),
    dynamicSql: fc.boolean(),
  })
  .map(({ kind, nested, ...rest }) => statement({ kind, kinds: [kind, ...nested], ...rest }));

const groups = fc.subarray(['ai-agents', 'hr-analysts', 'data-owners', 'marketing']);
const bytes = fc.option(fc.integer({ min: 0, max: 2 ** 40 }), { nil: undefined });

describe('evaluatePolicy properties', () => {
  it('adding a statement never makes the decision less strict', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(shipped, permissive),
        fc.array(analysedStatement, { minLength: 1, maxLength: 4 }),
        analysedStatement,
        fc.nat(),
        groups,
        bytes,
        (policy, statements, extra, at, callerGroups, estimate) => {
          const before = evaluatePolicy(policy, { groups: callerGroups, analysis: analysis(statements, estimate) });
          const position = at % (statements.length + 1);
          const more = [...statements.slice(0, position), extra, ...statements.slice(position)];
          const after = evaluatePolicy(policy, { groups: callerGroups, analysis: analysis(more, estimate) });
          assert.ok(rank[after.effect] >= rank[before.effect], `${before.effect} became ${after.effect}`);
          assert.equal(after.perStatement.length, more.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the decision is the strictest per-statement effect, and approval is present exactly when it is approve', () => {
    fc.assert(
      fc.property(fc.array(analysedStatement, { minLength: 1, maxLength: 4 }), groups, bytes, (statements, callerGroups, estimate) => {
        const decision = evaluatePolicy(shipped, { groups: callerGroups, analysis: analysis(statements, estimate) });
        const strictest = Math.max(...decision.perStatement.map((each) => rank[each.effect]));
        assert.equal(rank[decision.effect], strictest);
        assert.equal(decision.rule, decision.perStatement.find((each) => rank[each.effect] === strictest)?.rule);
        assert.equal(decision.approval !== undefined, decision.effect === 'approve');
      }),
      { numRuns: 300 },
    );
  });

  it('an unparsed statement is never allowed', () => {
    fc.assert(
      fc.property(analysedStatement, groups, bytes, (base, callerGroups, estimate) => {
        const unparsed = { ...base, flags: { ...base.flags, unparsed: true } };
        const decision = evaluatePolicy(permissive, { groups: callerGroups, analysis: analysis([unparsed], estimate) });
        assert.notEqual(decision.effect, 'allow');
      }),
      { numRuns: 200 },
    );
  });
});
