import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePolicy } from '../../../src/domain/policy/evaluate.js';
import type { Policy } from '../../../src/domain/policy/types.js';
import { analysis, policyFrom, statement, yaml } from './fixtures.js';

const GiB = 2 ** 30;
const customers = 'demo-project.sales.customers';
const orders = 'demo-project.sales.orders';
const salaries = 'demo-project.hr.salaries';

const policy = policyFrom(
  yaml(
    'version: 1',
    'default: deny',
    'approvals: { approverGroups: [data-owners], required: 1, expiresAfter: 1h }',
    'masking:',
    '  columns:',
    '    - { table: "*.sales.customers", column: ssn, rule: redact }',
    'rules:',
    '  - id: no-destruction',
    '    match: { statements: [drop, truncate, export, grant, revoke, load, call, script, unknown] }',
    '    effect: deny',
    '  - id: hr-denied',
    '    match: { tables: ["*.hr.*"] }',
    '    effect: deny',
    '  - id: writes-need-approval',
    '    match: { statements: [insert, update, delete, merge, create, alter] }',
    '    effect: approve',
    '    approvals: { approverGroups: [dba], required: 2, expiresAfter: 30m }',
    '  - id: costly-scans',
    '    match: { statements: [select], bytesOver: 100GiB }',
    '    effect: approve',
    '  - id: agents-read-sales',
    '    match: { groups: [ai-agents], statements: [select], tables: ["*.sales.*"] }',
    '    effect: allow',
  ),
);

const agent = ['ai-agents'];
const small = 10 * GiB;

function decide(statements: Parameters<typeof analysis>[0], options: { groups?: string[]; bytes?: number; policy?: Policy } = {}) {
  return evaluatePolicy(options.policy ?? policy, { groups: options.groups ?? agent, analysis: analysis(statements, options.bytes) });
}

describe('evaluatePolicy: rules in order, first match wins', () => {
  it('allows an agent reading sales tables', () => {
    const decision = decide([statement({ tables: [customers, orders] })], { bytes: small });
    assert.equal(decision.effect, 'allow');
    assert.equal(decision.rule, 'agents-read-sales');
    assert.equal(decision.policyHash, policy.hash);
    assert.equal(decision.approval, undefined);
    assert.match(decision.reasons[0], /statement 1 \(select\): rule "agents-read-sales" \(allow\) matched/);
  });

  it('takes the first matching rule, not the most specific', () => {
    const decision = decide([statement({ kind: 'drop', tables: [customers] })], { bytes: small });
    assert.deepEqual([decision.effect, decision.rule], ['deny', 'no-destruction']);
  });

  it('falls to the default when no rule matches, with rule id "default"', () => {
    const decision = decide([statement({ tables: [customers] })], { groups: ['marketing'], bytes: small });
    assert.deepEqual([decision.effect, decision.rule], ['deny', 'default']);
    assert.match(decision.reasons[0], /no rule matched; default deny/);
  });

  it('matches groups when the caller is in any of them', () => {
    assert.equal(decide([statement({ tables: [customers] })], { groups: ['x', 'ai-agents'], bytes: small }).effect, 'allow');
    assert.equal(decide([statement({ tables: [customers] })], { groups: [], bytes: small }).rule, 'default');
  });
});

describe('evaluatePolicy: tables', () => {
  it('an allow rule needs every referenced table inside its globs', () => {
    const decision = decide([statement({ tables: [customers, 'demo-project.analytics.page_views'] })], { bytes: small });
    assert.deepEqual([decision.effect, decision.rule], ['deny', 'default']);
  });

  it('deny and approve rules match when any referenced table is inside', () => {
    const decision = decide([statement({ tables: [customers, salaries] })], { bytes: small });
    assert.deepEqual([decision.effect, decision.rule], ['deny', 'hr-denied']);
    assert.match(decision.reasons[0], /table demo-project\.hr\.salaries inside \[\*\.hr\.\*\]/);
  });

  it('allows a plain select without tables under a table-restricted allow rule', () => {
    assert.equal(decide([statement({ tables: [] })], { bytes: 0 }).effect, 'allow');
  });

  it('does not let a statement with dynamic SQL pass an allow rule on tables, and lets deny rules catch it', () => {
    const decision = decide([statement({ tables: [customers], dynamicSql: true })], { bytes: small });
    assert.deepEqual([decision.effect, decision.rule], ['deny', 'hr-denied']);
    assert.match(decision.reasons[0], /tables could not be fully determined.*fail closed/);
  });
});

describe('evaluatePolicy: statements and kinds', () => {
  it('deny rules match on any nested kind (fail closed)', () => {
    const decision = decide([statement({ kind: 'select', kinds: ['select', 'drop'], tables: [customers] })], { bytes: small });
    assert.deepEqual([decision.effect, decision.rule], ['deny', 'no-destruction']);
  });

  it('allow rules need every nested kind listed', () => {
    const decision = decide([statement({ kind: 'insert', kinds: ['select', 'insert'], tables: [customers] })], { bytes: small });
    assert.deepEqual([decision.effect, decision.rule], ['approve', 'writes-need-approval']);
  });

  it('reads an unparsed statement as unknown whatever kind the analyser guessed', () => {
    const decision = decide([statement({ kind: 'select', tables: [customers], unparsed: true })], { bytes: small });
    assert.deepEqual([decision.effect, decision.rule], ['deny', 'no-destruction']);
    assert.match(decision.reasons[0], /statement 1 \(unknown\)/);
  });

  it('never lets an unknown statement match an allow rule or a default allow', () => {
    const permissive = policyFrom(yaml('version: 1', 'default: allow', 'rules:', '  - { id: everything, match: {}, effect: allow }'));
    const decision = decide([statement({ kind: 'unknown', kinds: ['unknown'] })], { policy: permissive });
    assert.deepEqual([decision.effect, decision.rule], ['deny', 'default']);
    assert.equal(decide([statement({ tables: [customers] })], { policy: permissive }).rule, 'everything');
  });

  it('does not let a catch-all allow cover scripts or dynamic SQL unless their kinds are listed', () => {
    const catchAll = policyFrom(yaml('version: 1', 'default: deny', 'rules:', '  - { id: everything, match: {}, effect: allow }'));
    const dynamic = statement({ tables: [customers], dynamicSql: true });
    assert.equal(decide([dynamic], { policy: catchAll }).rule, 'default');
    assert.equal(decide([statement({ kind: 'script', scripting: true })], { policy: catchAll }).rule, 'default');
    const listed = policyFrom(yaml('version: 1', 'default: deny', 'rules:', '  - { id: scripts, match: { statements: [script] }, effect: allow }'));
    assert.equal(decide([statement({ kind: 'script', scripting: true })], { policy: listed }).rule, 'scripts');
  });

  it('judges an analysis without statements as one unknown statement', () => {
    const decision = decide([], { bytes: 0 });
    assert.deepEqual([decision.effect, decision.rule], ['deny', 'no-destruction']);
  });
});

describe('evaluatePolicy: several statements', () => {
  it('the strictest effect wins and names the first statement with it', () => {
    const decision = decide(
      [
        statement({ tables: [customers] }),
        statement({ kind: 'insert', tables: [orders] }),
        statement({ kind: 'update', tables: [customers] }),
        statement({ tables: [orders] }),
      ],
      { bytes: small },
    );
    assert.deepEqual([decision.effect, decision.rule], ['approve', 'writes-need-approval']);
    assert.deepEqual(decision.perStatement, [
      { effect: 'allow', rule: 'agents-read-sales' },
      { effect: 'approve', rule: 'writes-need-approval' },
      { effect: 'approve', rule: 'writes-need-approval' },
      { effect: 'allow', rule: 'agents-read-sales' },
    ]);
    assert.equal(decision.reasons.length, 4);
  });

  it('deny beats approve', () => {
    const decision = decide([statement({ kind: 'insert', tables: [orders] }), statement({ kind: 'truncate', tables: [orders] })], { bytes: small });
    assert.deepEqual([decision.effect, decision.rule, decision.approval], ['deny', 'no-destruction', undefined]);
  });
});

describe('evaluatePolicy: bytesOver', () => {
  it('matches when the estimate is over the limit and not when under', () => {
    assert.deepEqual(
      [decide([statement({ tables: [customers] })], { bytes: 101 * GiB }).rule, decide([statement({ tables: [customers] })], { bytes: 100 * GiB }).rule],
      ['costly-scans', 'agents-read-sales'],
    );
  });

  it('treats an unknown estimate as over the limit for approve rules and says so', () => {
    const decision = decide([statement({ tables: [customers] })]);
    assert.deepEqual([decision.effect, decision.rule], ['approve', 'costly-scans']);
    assert.match(decision.reasons[0], /bytes estimate unknown, treated as over 100 GiB \(fail closed\)/);
  });

  it('never lets an unknown estimate satisfy an allow rule', () => {
    const bigOnly = policyFrom(yaml('version: 1', 'default: deny', 'rules:', '  - { id: big-ok, match: { bytesOver: 1 }, effect: allow }'));
    assert.equal(decide([statement()], { policy: bigOnly }).rule, 'default');
  });

  it('never lets a larger scan loosen a decision (the same statement, scanning less, would be denied)', () => {
    const bigOnly = policyFrom(yaml('version: 1', 'default: deny', 'rules:', '  - { id: big-ok, match: { bytesOver: 1 }, effect: allow }'));
    const decision = decide([statement()], { policy: bigOnly, bytes: 2 });
    assert.deepEqual([decision.effect, decision.rule], ['deny', 'default']);
  });
});

describe('evaluatePolicy: approvals', () => {
  it('uses the rule’s own approval settings when it has them', () => {
    const decision = decide([statement({ kind: 'insert', tables: [orders] })], { bytes: small });
    assert.deepEqual(decision.approval, { approverGroups: ['dba'], required: 2, expiresAfterSeconds: 1800 });
  });

  it('uses the policy’s approval settings otherwise', () => {
    const decision = decide([statement({ tables: [customers] })], { bytes: 200 * GiB });
    assert.deepEqual(decision.approval, { approverGroups: ['data-owners'], required: 1, expiresAfterSeconds: 3600 });
  });

  it('uses the policy’s approval settings for a default approve', () => {
    const approving = policyFrom(yaml('version: 1', 'default: approve', 'approvals: { approverGroups: [owners] }', 'rules: []'));
    const decision = decide([statement({ tables: [customers] })], { policy: approving });
    assert.deepEqual([decision.effect, decision.rule, decision.approval?.approverGroups], ['approve', 'default', ['owners']]);
  });
});

describe('evaluatePolicy: masking.protectedPredicates', () => {
  const withPredicates = (setting: string): Policy =>
    policyFrom(policy.text.replace('masking:\n', `masking:\n  protectedPredicates: ${setting}\n`));
  const filterOnSsn = statement({ tables: [customers], filterColumns: [{ table: customers, column: 'SSN' }] });

  it('raises an allowed query that filters on a masked column, naming the column', () => {
    const decision = decide([filterOnSsn], { bytes: small, policy: withPredicates('approve') });
    assert.deepEqual([decision.effect, decision.rule], ['approve', 'protected-predicates']);
    assert.deepEqual(decision.approval, { approverGroups: ['data-owners'], required: 1, expiresAfterSeconds: 3600 });
    assert.match(decision.reasons.join('\n'), /masked column demo-project\.sales\.customers\.SSN/);
  });

  it('counts join, group and order columns too', () => {
    for (const key of ['joinColumns', 'groupColumns', 'orderColumns'] as const) {
      const decision = decide([statement({ tables: [customers], [key]: [{ table: customers, column: 'ssn' }] })], {
        bytes: small,
        policy: withPredicates('deny'),
      });
      assert.equal(decision.effect, 'deny', key);
    }
  });

  it('leaves queries on unmasked columns and the default setting alone', () => {
    const onCity = statement({ tables: [customers], filterColumns: [{ table: customers, column: 'city' }] });
    assert.equal(decide([onCity], { bytes: small, policy: withPredicates('deny') }).effect, 'allow');
    assert.equal(decide([filterOnSsn], { bytes: small }).effect, 'allow');
  });

  it('never lowers a stricter decision', () => {
    const denied = statement({ kind: 'drop', tables: [customers], filterColumns: [{ table: customers, column: 'ssn' }] });
    const decision = decide([denied], { bytes: small, policy: withPredicates('approve') });
    assert.deepEqual([decision.effect, decision.rule], ['deny', 'no-destruction']);
  });
});

describe('evaluatePolicy with a hand-built policy', () => {
  it('compiles globs on the fly when the policy did not come from parsePolicy', () => {
    const handBuilt: Policy = {
      version: 1,
      default: 'deny',
      approvals: { approverGroups: [], required: 1, expiresAfterSeconds: 3600 },
      masking: { columns: [], detectors: [] },
      rules: [{ id: 'read', match: { statements: ['select'], tables: ['*.sales.*'] }, effect: 'allow' }],
      hash: 'h',
      text: '',
    };
    const decision = evaluatePolicy(handBuilt, { groups: [], analysis: analysis([statement({ tables: [customers] })]) });
    assert.deepEqual([decision.effect, decision.rule, decision.policyHash], ['allow', 'read', 'h']);
  });
});
