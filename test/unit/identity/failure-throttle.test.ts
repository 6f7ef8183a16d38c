import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFailureThrottle, OVERFLOW_KEY } from '../../../src/domain/identity/failure-throttle.js';
import { isLedgergateError } from '../../../src/domain/errors.js';

describe('failure throttle', () => {
  it('records the first maxPerWindow failures of a key and suppresses the rest', () => {
    const throttle = createFailureThrottle({ windowMs: 1000, maxPerWindow: 3 });
    const results = Array.from({ length: 10 }, (_, i) => throttle.admit('10.0.0.1|bad_signature', i));
    assert.deepEqual(results.slice(0, 3), [
      { record: true, suppressed: 0 },
      { record: true, suppressed: 0 },
      { record: true, suppressed: 0 },
    ]);
    assert.ok(results.slice(3).every((r) => r.record === false));
  });

  it('reports the suppressed count with the next admitted record, then starts again from zero', () => {
    const throttle = createFailureThrottle({ windowMs: 1000, maxPerWindow: 2 });
    for (let i = 0; i < 7; i += 1) throttle.admit('k', 100 + i);
    assert.deepEqual(throttle.admit('k', 1100), { record: true, suppressed: 5 });
    assert.deepEqual(throttle.admit('k', 1101), { record: true, suppressed: 0 });
    assert.deepEqual(throttle.admit('k', 1102), { record: false });
  });

  it('keeps keys apart', () => {
    const throttle = createFailureThrottle({ windowMs: 1000, maxPerWindow: 1 });
    assert.equal(throttle.admit('a', 0).record, true);
    assert.equal(throttle.admit('a', 1).record, false);
    assert.equal(throttle.admit('b', 2).record, true);
  });

  it('evicts keys whose window has passed', () => {
    const throttle = createFailureThrottle({ windowMs: 100, maxPerWindow: 5 });
    for (let i = 0; i < 50; i += 1) throttle.admit(`ip-${i}`, i);
    assert.equal(throttle.size(), 50);
    throttle.admit('late', 1000);
    assert.equal(throttle.size(), 1);
  });

  it('caps the number of keys and folds new ones into a shared overflow key', () => {
    const throttle = createFailureThrottle({ windowMs: 60_000, maxPerWindow: 2, maxKeys: 100 });
    for (let i = 0; i < 100; i += 1) assert.equal(throttle.admit(`ip-${i}`, i).record, true);
    const overflowed = Array.from({ length: 10_000 }, (_, i) => throttle.admit(`spoofed-${i}`, 200 + i));
    assert.equal(throttle.size(), 100);
    assert.deepEqual(overflowed[0], { record: true, suppressed: 0, overflow: true });
    assert.deepEqual(overflowed[1], { record: true, suppressed: 0, overflow: true });
    assert.equal(overflowed.filter((r) => r.record).length, 2);
    // Known keys keep their own budget while the table is full.
    assert.equal(throttle.admit('ip-5', 300).record, true);
    assert.equal(throttle.admit('ip-5', 301).record, false);
    // Once the window passes the old keys are evicted, new keys get their own entries again, and the
    // overflow key's swallowed count is handed to sweep.
    assert.deepEqual(throttle.admit('spoofed-new', 70_000), { record: true, suppressed: 0 });
    assert.equal(throttle.size(), 1);
    assert.deepEqual(throttle.sweep(70_001), [
      { key: 'ip-5', suppressed: 1 },
      { key: OVERFLOW_KEY, suppressed: 9_998 },
    ]);
  });

  it('hands suppressed counts of keys that went quiet to sweep, once', () => {
    const throttle = createFailureThrottle({ windowMs: 100, maxPerWindow: 1 });
    for (let i = 0; i < 4; i += 1) throttle.admit('noisy', i);
    throttle.admit('quiet', 5);
    assert.deepEqual(throttle.sweep(50), []);
    assert.deepEqual(throttle.sweep(500), [{ key: 'noisy', suppressed: 3 }]);
    assert.deepEqual(throttle.sweep(600), []);
    assert.equal(throttle.size(), 0);
  });

  it('sweep also reports the overflow key', () => {
    const throttle = createFailureThrottle({ windowMs: 100, maxPerWindow: 1, maxKeys: 1 });
    throttle.admit('a', 0);
    throttle.admit('b', 1);
    throttle.admit('c', 2);
    throttle.admit('d', 3);
    assert.deepEqual(throttle.sweep(1000), [{ key: OVERFLOW_KEY, suppressed: 2 }]);
  });

  it('refuses nonsensical options', () => {
    for (const options of [{ windowMs: 0, maxPerWindow: 1 }, { windowMs: 10, maxPerWindow: 0 }, { windowMs: 10, maxPerWindow: 1.5 }]) {
      assert.throws(() => createFailureThrottle(options), (e: unknown) => isLedgergateError(e) && e.code === 'invalid_config');
    }
  });

  it('stays fast under a flood of distinct keys', () => {
    const throttle = createFailureThrottle({ windowMs: 60_000, maxPerWindow: 5 });
    const started = performance.now();
    for (let i = 0; i < 200_000; i += 1) throttle.admit(`ip-${i}`, i);
    assert.ok(throttle.size() <= 10_000);
    assert.ok(performance.now() - started < 2_000, 'admitting 200k distinct keys took too long');
  });
});
