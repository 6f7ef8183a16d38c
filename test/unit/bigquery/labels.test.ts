import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sanitiseLabels } from '../../../src/adapters/warehouse/bigquery-labels.js';

describe('BigQuery label sanitising', () => {
  it('lowercases, replaces illegal characters and truncates to 63 characters', () => {
    const labels = sanitiseLabels({ 'Request.ID': 'ABC/def:1', ['k'.repeat(80)]: 'v'.repeat(80) })!;
    assert.deepEqual(Object.keys(labels), ['request_id', 'k'.repeat(63)]);
    assert.equal(labels.request_id, 'abc_def_1');
    assert.equal(labels['k'.repeat(63)], 'v'.repeat(63));
    for (const [key, value] of Object.entries(labels)) {
      assert.match(key, /^[a-z][a-z0-9_-]{0,62}$/);
      assert.match(value, /^[a-z0-9_-]{0,63}$/);
    }
  });

  it('makes keys start with a letter, drops empty keys and keeps the first of colliding keys', () => {
    assert.deepEqual(sanitiseLabels({ '1st': 'a', '': 'x', 'A-B': 'first', 'a-b': 'second' }), { l_1st: 'a', 'a-b': 'first' });
  });

  it('keeps at most 64 labels and gives undefined for none', () => {
    const many = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`k${i}`, 'v']));
    assert.equal(Object.keys(sanitiseLabels(many)!).length, 64);
    assert.equal(sanitiseLabels({}), undefined);
    assert.equal(sanitiseLabels(undefined), undefined);
  });
});
