import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { policyFrom, yaml } from './fixtures.js';

const contractExample = yaml(
  'version: 1',
  'default: deny',
  'approvals:',
  '  approverGroups: [data-owners]',
  '  required: 1',
  '  expiresAfter: 1h',
  'masking:',
  '  columns:',
  '    - { table: "*.sales.customers", column: email, rule: email }',
  '    - { table: "*.sales.customers", column: ssn,   rule: redact }',
  '  detectors: [email, credit_card, us_ssn, phone, iban, secret]',
  'rules:',
  '  - id: no-destruction',
  '    match: { statements: [drop, truncate, export, grant, revoke, load, call, script, unknown] }',
  '    effect: deny',
  '  - id: writes-need-approval',
  '    match: { statements: [insert, update, delete, merge, create, alter] }',
  '    effect: approve',
  '  - id: costly-scans',
  '    match: { statements: [select], bytesOver: 100GiB }',
  '    effect: approve',
  '  - id: agents-read-sales',
  '    match: { groups: [ai-agents], statements: [select], tables: ["*.sales.*"] }',
  '    effect: allow',
);

describe('parsePolicy on valid documents', () => {
  it('maps the CONTRACT.md example onto the Policy type', () => {
    const policy = policyFrom(contractExample);
    assert.equal(policy.version, 1);
    assert.equal(policy.default, 'deny');
    assert.deepEqual(policy.approvals, { approverGroups: ['data-owners'], required: 1, expiresAfterSeconds: 3600 });
    assert.deepEqual(policy.masking.columns[1], { table: '*.sales.customers', column: 'ssn', rule: 'redact' });
    assert.deepEqual(policy.masking.detectors, ['email', 'credit_card', 'us_ssn', 'phone', 'iban', 'secret']);
    assert.equal(policy.masking.protectedPredicates, 'allow');
    assert.deepEqual(
      policy.rules.map((rule) => [rule.id, rule.effect]),
      [
        ['no-destruction', 'deny'],
        ['writes-need-approval', 'approve'],
        ['costly-scans', 'approve'],
        ['agents-read-sales', 'allow'],
      ],
    );
    assert.deepEqual(policy.rules[2].match, { statements: ['select'], bytesOver: 100 * 2 ** 30 });
    assert.deepEqual(policy.rules[3].match, { groups: ['ai-agents'], statements: ['select'], tables: ['*.sales.*'] });
  });

  it('keeps the text and its sha256', () => {
    const policy = policyFrom(contractExample);
    assert.equal(policy.text, contractExample);
    assert.equal(policy.hash, createHash('sha256').update(contractExample).digest('hex'));
    assert.notEqual(policyFrom(`${contractExample}# comment\n`).hash, policy.hash);
  });

  it('returns a frozen policy whose JSON form holds no compiled state', () => {
    const policy = policyFrom(contractExample);
    assert.equal(Object.isFrozen(policy), true);
    assert.equal(Object.isFrozen(policy.rules[0].match), true);
    const roundTrip = JSON.parse(JSON.stringify(policy)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(roundTrip).sort(), ['approvals', 'default', 'hash', 'masking', 'rules', 'text', 'version']);
  });

  it('merges per-rule approvals over the policy approvals', () => {
    const policy = policyFrom(
      yaml(
        'version: 1',
        'default: deny',
        'approvals: { approverGroups: [data-owners], required: 1, expiresAfter: 1h }',
        'rules:',
        '  - id: hr-writes',
        '    match: { tables: ["*.hr.*"] }',
        '    effect: approve',
        '    approvals: { approverGroups: [hr-leads], required: 2 }',
        '  - id: quick',
        '    match: { statements: [insert] }',
        '    effect: approve',
        '    approvals: { expiresAfter: 30m }',
      ),
    );
    assert.deepEqual(policy.rules[0].approvals, { approverGroups: ['hr-leads'], required: 2, expiresAfterSeconds: 3600 });
    assert.deepEqual(policy.rules[1].approvals, { approverGroups: ['data-owners'], required: 1, expiresAfterSeconds: 1800 });
  });

  it('lets a rule name its own approvers when the policy has none', () => {
    const policy = policyFrom(
      yaml('version: 1', 'default: deny', 'rules:', '  - { id: w, match: { statements: [insert] }, effect: approve, approvals: { approverGroups: [owners] } }'),
    );
    assert.deepEqual(policy.rules[0].approvals, { approverGroups: ['owners'], required: 1, expiresAfterSeconds: 3600 });
  });

  it('applies defaults: every detector, protectedPredicates allow, 1 approver, 1h', () => {
    const policy = policyFrom(yaml('version: 1', 'default: deny', 'rules:', '  - { id: all, match: {}, effect: deny }'));
    assert.deepEqual(policy.masking, { columns: [], detectors: ['email', 'credit_card', 'us_ssn', 'phone', 'iban', 'secret'], protectedPredicates: 'allow' });
    assert.deepEqual(policy.approvals, { approverGroups: [], required: 1, expiresAfterSeconds: 3600 });
    assert.deepEqual(policy.rules[0].match, {});
  });

  it('keeps an explicit empty detector list', () => {
    const policy = policyFrom(yaml('version: 1', 'default: deny', 'masking: { detectors: [] }', 'rules: []'));
    assert.deepEqual(policy.masking.detectors, []);
  });

  it('parses the shipped policy.yaml', () => {
    const policy = policyFrom(readFileSync(new URL('../../../policy.yaml', import.meta.url), 'utf8'));
    assert.equal(policy.default, 'deny');
    assert.deepEqual(policy.approvals, { approverGroups: ['data-owners'], required: 1, expiresAfterSeconds: 3600 });
    assert.equal(policy.masking.detectors.length, 6);
    const masked = policy.masking.columns.map((entry) => `${entry.table}/${entry.column}=${entry.rule}`);
    for (const expected of ['*.sales.customers/ssn=redact', '*.sales.customers/email=email', '*.sales.invoices/iban=last4', '*.hr.salaries/ssn=redact']) {
      assert.ok(masked.includes(expected), `${expected} should be masked`);
    }
    assert.equal(policy.rules[0].id, 'no-destruction');
  });
});

describe('docs/policy.md', () => {
  it('has an example that parses, with per-rule approvals and protectedPredicates', () => {
    const docs = readFileSync(new URL('../../../docs/policy.md', import.meta.url), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(docs)?.[1];
    assert.ok(example, 'docs/policy.md should contain a yaml example');
    const policy = policyFrom(example);
    assert.equal(policy.masking.protectedPredicates, 'approve');
    assert.deepEqual(policy.rules[1].approvals, { approverGroups: ['hr-leads'], required: 2, expiresAfterSeconds: 1800 });
  });
});
