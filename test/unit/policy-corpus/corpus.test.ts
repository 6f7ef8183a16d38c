/**
 * The decision corpus (issue 3): every case goes through the real analyser and evaluatePolicy and
 * must end with the effect and the rule a security reviewer expects.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decisionCases, type DecisionCase } from './cases.js';
import { decide, shippedPolicy, testPolicy } from './decide.js';

const label = (sql: string): string => JSON.stringify(sql.length > 90 ? `${sql.slice(0, 87)}...` : sql);

async function check(testCase: DecisionCase): Promise<void> {
  const policy = testCase.policy === 'test' ? testPolicy : shippedPolicy;
  const { analysis, decision } = await decide(testCase.sql, testCase.groups, { policy, ...(testCase.bytes !== undefined ? { bytes: testCase.bytes } : {}) });
  const seen = `${decision.effect} by ${decision.rule}; kinds ${analysis.kinds.join(',')}; tables ${analysis.tables.join(',')}\n${decision.reasons.join('\n')}`;
  assert.equal(decision.effect, testCase.effect, seen);
  assert.equal(decision.rule, testCase.rule, seen);
  assert.equal(decision.policyHash, policy.hash);
  assert.ok(decision.reasons.length > 0, 'every decision gives its reasons');
}

describe('policy decision corpus', () => {
  it('holds at least 110 cases, each naming an effect and a rule', () => {
    const all = Object.values(decisionCases).flat();
    assert.ok(all.length >= 110, `only ${all.length} cases`);
    assert.ok(all.filter((c) => c.policy === 'test').length >= 10);
    for (const effect of ['allow', 'approve', 'deny'] as const) assert.ok(all.some((c) => c.effect === effect));
  });

  for (const [category, cases] of Object.entries(decisionCases)) {
    describe(category, () => {
      for (const [index, testCase] of cases.entries()) {
        const groups = testCase.groups.length > 0 ? testCase.groups.join(',') : 'no groups';
        it(`${index + 1}. [${groups}] ${label(testCase.sql)} → ${testCase.effect} (${testCase.rule})`, () => check(testCase));
      }
    });
  }
});
