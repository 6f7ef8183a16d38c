import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, parseDuration, parseSize } from '../../../src/domain/policy/units.js';

describe('policy durations', () => {
  it('reads seconds, minutes, hours and days', () => {
    assert.deepEqual(parseDuration('90s'), { ok: true, value: 90 });
    assert.deepEqual(parseDuration('30m'), { ok: true, value: 1800 });
    assert.deepEqual(parseDuration('1h'), { ok: true, value: 3600 });
    assert.deepEqual(parseDuration('2d'), { ok: true, value: 172_800 });
  });

  it('rejects zero, missing or unknown units, words and numbers', () => {
    for (const bad of ['0s', '10', '1w', '1 hour', '1.5h', '-1h', '', 3600]) {
      assert.equal(parseDuration(bad).ok, false, `${String(bad)} should be rejected`);
    }
  });
});

describe('policy sizes', () => {
  it('counts KiB/MiB/GiB/TiB in 1024s and KB/MB/GB/TB in 1000s', () => {
    assert.deepEqual(parseSize('100GiB'), { ok: true, value: 100 * 2 ** 30 });
    assert.deepEqual(parseSize('1.5TB'), { ok: true, value: 1.5e12 });
    assert.deepEqual(parseSize('500MB'), { ok: true, value: 500e6 });
    assert.deepEqual(parseSize('2KiB'), { ok: true, value: 2048 });
    assert.deepEqual(parseSize('1TiB'), { ok: true, value: 2 ** 40 });
    assert.deepEqual(parseSize('10 GB'), { ok: true, value: 10e9 });
  });

  it('reads plain numbers as bytes', () => {
    assert.deepEqual(parseSize(1048576), { ok: true, value: 1048576 });
    assert.deepEqual(parseSize('4096'), { ok: true, value: 4096 });
  });

  it('rejects unknown units, wrong case, negatives and words', () => {
    for (const bad of ['100gib', '10 GiBs', '1.5 XB', '-5MB', 'lots', '', 'constructor', -1, Number.POSITIVE_INFINITY, true]) {
      assert.equal(parseSize(bad).ok, false, `${String(bad)} should be rejected`);
    }
  });

  it('formats bytes for reasons', () => {
    assert.equal(formatBytes(100 * 2 ** 30), '100 GiB');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(12), '12 B');
  });
});
