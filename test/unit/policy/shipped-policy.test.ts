import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { evaluatePolicy } from '../../../src/domain/policy/evaluate.js';
import { analysis, policyFrom, statement, type StatementSpec } from './fixtures.js';

const policy = policyFrom(readFileSync(new URL('../../../policy.yaml', import.meta.url), 'utf8'));
const small = 50 * 2 ** 20;

function decide(spec: StatementSpec, groups: string[], bytes: number | 'unknown' = small): [string, string] {
  const estimate = bytes === 'unknown' ? undefined : bytes;
  const decision = evaluatePolicy(policy, { groups, analysis: analysis([statement(spec)], estimate) });
  return [decision.effect, decision.rule];
}

describe('the shipped policy.yaml', () => {
  it('lets agents read sales and analytics', () => {
    assert.deepEqual(decide({ tables: ['demo-project.sales.customers', 'demo-project.analytics.page_views'] }, ['ai-agents']), [
      'allow',
      'agents-read-sales-analytics',
    ]);
  });

  it('denies hr to everyone but hr analysts, who may only read it', () => {
    assert.deepEqual(decide({ tables: ['demo-project.hr.salaries'] }, ['ai-agents']), ['deny', 'hr-restricted']);
    assert.deepEqual(decide({ tables: ['demo-project.hr.salaries'] }, ['hr-analysts']), ['allow', 'hr-analysts-read-hr']);
    assert.deepEqual(decide({ kind: 'update', tables: ['demo-project.hr.salaries'] }, ['hr-analysts']), ['deny', 'hr-restricted']);
  });

  it('denies destruction, sends writes and costly or unestimated scans to approval', () => {
    assert.deepEqual(decide({ kind: 'drop', tables: ['demo-project.sales.orders'] }, ['ai-agents']), ['deny', 'no-destruction']);
    assert.deepEqual(decide({ kind: 'insert', tables: ['demo-project.sales.orders'] }, ['ai-agents']), ['approve', 'writes-need-approval']);
    assert.deepEqual(decide({ tables: ['demo-project.sales.orders'] }, ['ai-agents'], 200 * 2 ** 30), ['approve', 'costly-scans']);
    assert.deepEqual(decide({ tables: ['demo-project.sales.orders'] }, ['ai-agents'], 'unknown'), ['approve', 'costly-scans']);
  });

  it('sends filtering on a masked column to approval', () => {
    const customers = 'demo-project.sales.customers';
    assert.deepEqual(decide({ tables: [customers], filterColumns: [{ table: customers, column: 'ssn' }] }, ['ai-agents']), [
      'approve',
      'protected-predicates',
    ]);
  });

  it('denies everyone else by default', () => {
    assert.deepEqual(decide({ tables: ['demo-project.sales.orders'] }, ['marketing']), ['deny', 'default']);
  });
});
