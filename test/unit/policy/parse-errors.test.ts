import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorsOf, yaml } from './fixtures.js';
import type { PolicyError } from '../../../src/domain/policy/types.js';

const header = ['version: 1', 'default: deny', 'approvals:', '  approverGroups: [data-owners]', '  required: 1', '  expiresAfter: 1h'];

function only(errors: readonly PolicyError[]): PolicyError {
  assert.equal(errors.length, 1, `expected one error, got ${JSON.stringify(errors)}`);
  return errors[0];
}

describe('parsePolicy errors carry their JSON path, line and column', () => {
  it('reports bad YAML where the parser stopped', () => {
    const error = only(errorsOf(yaml('version: 1', 'default: deny', 'rules: []', '  bad: indent')));
    assert.match(error.message, /^YAML: .*same column/);
    assert.equal(error.path, '');
    assert.deepEqual([error.line, error.column], [4, 1]);
  });

  it('reports duplicate YAML keys as YAML errors', () => {
    const error = only(errorsOf(yaml('version: 1', 'default: deny', 'default: allow', 'rules: []')));
    assert.match(error.message, /YAML: .*unique/i);
    assert.equal(error.line, 3);
    assert.equal(error.column, 1);
  });

  it('reports an unknown key at the key, with a suggestion', () => {
    const errors = errorsOf(yaml(...header, 'rules:', '  - id: a', '    match: {}', '    efect: deny'));
    assert.deepEqual(
      errors.map((each) => each.path),
      ['/rules/0/effect', '/rules/0/efect'],
    );
    const error = errors[1];
    assert.match(error.message, /unknown key "efect".*"effect"/);
    assert.deepEqual([error.line, error.column], [10, 5]);
  });

  it('reports an unknown key inside match (a typo must not widen a rule)', () => {
    const errors = errorsOf(yaml(...header, 'rules:', '  - id: a', '    match: { tabels: ["*.hr.*"] }', '    effect: deny'));
    const error = only(errors);
    assert.equal(error.path, '/rules/0/match/tabels');
    assert.deepEqual([error.line, error.column], [9, 14]);
  });

  it('reports a wrong type at the value', () => {
    const error = only(errorsOf(yaml(...header.slice(0, 4), '  required: two', '  expiresAfter: 1h', 'rules: []')));
    assert.equal(error.path, '/approvals/required');
    assert.equal(error.message, 'must be a whole number');
    assert.deepEqual([error.line, error.column], [5, 13]);
  });

  it('reports a bad effect, listing the allowed ones', () => {
    const error = only(errorsOf(yaml(...header, 'rules:', '  - id: a', '    match: {}', '    effect: permit')));
    assert.equal(error.path, '/rules/0/effect');
    assert.match(error.message, /"permit" is not one of: allow, approve, deny/);
    assert.deepEqual([error.line, error.column], [10, 13]);
  });

  it('reports a bad statement kind at the list item', () => {
    const error = only(errorsOf(yaml(...header, 'rules:', '  - id: a', '    match: { statements: [select, selekt] }', '    effect: deny')));
    assert.equal(error.path, '/rules/0/match/statements/1');
    assert.match(error.message, /"selekt" is not one of: select/);
    assert.deepEqual([error.line, error.column], [9, 35]);
  });

  it('reports a bad duration', () => {
    const error = only(errorsOf(yaml(...header.slice(0, 5), '  expiresAfter: 1 hour', 'rules: []')));
    assert.equal(error.path, '/approvals/expiresAfter');
    assert.match(error.message, /"1 hour" must be a duration/);
    assert.deepEqual([error.line, error.column], [6, 17]);
  });

  it('reports a bad size', () => {
    const error = only(errorsOf(yaml(...header, 'rules:', '  - id: big', '    match:', '      bytesOver: 100 gigs', '    effect: approve')));
    assert.equal(error.path, '/rules/0/match/bytesOver');
    assert.match(error.message, /unknown size unit "gigs"/);
    assert.deepEqual([error.line, error.column], [10, 18]);
  });

  it('reports a duplicate rule id at the second one', () => {
    const errors = errorsOf(
      yaml(...header, 'rules:', '  - id: same', '    match: {}', '    effect: deny', '  - id: same', '    match: {}', '    effect: allow'),
    );
    const error = only(errors);
    assert.equal(error.path, '/rules/1/id');
    assert.match(error.message, /duplicate rule id "same" \(already used by rule 0\)/);
    assert.deepEqual([error.line, error.column], [11, 9]);
  });

  it('reports approval rules without approvers at the rule effect', () => {
    const error = only(errorsOf(yaml('version: 1', 'default: deny', 'rules:', '  - id: w', '    match: { statements: [insert] }', '    effect: approve')));
    assert.equal(error.path, '/rules/0/effect');
    assert.match(error.message, /rule "w" can require approval, but no approverGroups apply/);
    assert.deepEqual([error.line, error.column], [6, 13]);
  });

  it('reports an empty approverGroups when the default is approve', () => {
    const error = only(errorsOf(yaml('version: 1', 'default: approve', 'approvals:', '  approverGroups: []', 'rules: []')));
    assert.equal(error.path, '/approvals/approverGroups');
    assert.deepEqual([error.line, error.column], [4, 19]);
  });

  it('reports a missing match, suggesting the explicit catch-all', () => {
    const error = only(errorsOf(yaml(...header, 'rules:', '  - id: a', '    effect: deny')));
    assert.equal(error.path, '/rules/0/match');
    assert.match(error.message, /missing required key "match".*match: \{\}/);
    assert.deepEqual([error.line, error.column], [8, 5]);
  });

  it('rejects required below 1, empty lists, invalid globs, reserved ids and allow-unknown', () => {
    const errors = errorsOf(
      yaml(
        'version: 1',
        'default: deny',
        'approvals: { approverGroups: [x], required: 0 }',
        'rules:',
        '  - { id: default, match: { statements: [] }, effect: deny }',
        '  - { id: b, match: { tables: ["sales.*"] }, effect: deny }',
        '  - { id: c, match: { statements: [select, unknown] }, effect: allow }',
      ),
    );
    assert.deepEqual(
      errors.map((error) => [error.path, error.line]),
      [
        ['/approvals/required', 3],
        ['/rules/0/id', 5],
        ['/rules/0/match/statements', 5],
        ['/rules/1/match/tables/0', 6],
        ['/rules/2/match/statements/1', 7],
      ],
    );
  });

  it('reports every error of a document at once, in source order', () => {
    const errors = errorsOf(
      yaml('version: 2', 'default: deny', 'masking:', '  detectors: [email, passport]', 'rules:', '  - id: a', '    match: { bytesOver: lots }', '    effect: nope'),
    );
    assert.deepEqual(
      errors.map((error) => error.path),
      ['/version', '/masking/detectors/1', '/rules/0/match/bytesOver', '/rules/0/effect'],
    );
    assert.deepEqual(
      errors.map((error) => error.line),
      [1, 4, 7, 8],
    );
  });

  it('rejects an empty document and a non-mapping document', () => {
    assert.equal(only(errorsOf('')).message, 'must be a mapping (key: value)');
    assert.equal(only(errorsOf('- a\n- b\n')).path, '');
  });
});

describe('parsePolicy errors for YAML nulls', () => {
  it('explains that a bare null mask rule must be quoted', () => {
    const errors = errorsOf(
      yaml('version: 1', 'default: deny', 'masking:', '  columns:', '    - { table: "*.hr.salaries", column: salary, rule: null }', 'rules: []'),
    );
    assert.equal(errors.length, 1);
    assert.equal(errors[0].path, '/masking/columns/0/rule');
    assert.match(errors[0].message, /is empty; .*write "null" in quotes/);
    assert.deepEqual([errors[0].line, errors[0].column], [5, 55]);
  });
});
