/**
 * The chain hash uses the fast RFC 8785 canonicaliser; this proves, on generated values, that it gives
 * byte for byte what the reference `canonicalize` package gives (or throws where the reference does),
 * so switching did not change a single hash of an existing log.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalJson, chainHash, genesisHash } from '../../src/domain/evidence/event-hash.js';

const reference = (value: unknown): string => {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('not canonicalisable');
  return text;
};
const outcome = (f: () => string): string => {
  try {
    return f();
  } catch {
    return '<throws>';
  }
};

describe('canonicalJson (fast path) against the reference canonicalize package', () => {
  it('is identical on generated JSON values, binary-string keys and values, doubles', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => assert.equal(canonicalJson(value), reference(value))), { numRuns: 3000 });
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.oneof(fc.string({ unit: 'binary' }), fc.double(), fc.integer(), fc.constant(undefined))), (value) => {
        assert.equal(outcome(() => canonicalJson(value)), outcome(() => reference(value)));
      }),
      { numRuns: 3000 },
    );
  });

  it('is identical on the edge cases: UTF-16 key order, number forms, undefined, toJSON, lone surrogates, NaN', () => {
    const cases: unknown[] = [
      { b: 1, a: [3, undefined, { d: 1, c: 2 }], '\u20ac': 1, '\ud83d\ude00': 2, '\ufb33': 3, '': 0, 10: 'x', 9: 'y' },
      { n: [0, -0, 1e21, 1e-7, 0.1 + 0.2, -1.5e300, 5e-324, 123456789012345680000] },
      { skip: undefined, keep: null, date: new Date(0) },
      [JSON.parse('{"__proto__":false}'), {}],
      { a: JSON.parse('{"__proto__":{"x":1},"b":2}'), c: {} },
      { text: 'tab\t nl\n quote" backslash\\ ctrl\u0001 del\u007f \u2028\u2029 é ✓ \\ud800 literal' },
      { lone: 'a\ud800b' },
      ['\udc00'],
      { x: Number.NaN },
      { x: Number.POSITIVE_INFINITY },
    ];
    for (const value of cases) assert.equal(outcome(() => canonicalJson(value)), outcome(() => reference(value)), String(JSON.stringify(value)));
  });

  it('gives every event the chain hash the reference would', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), fc.nat(), fc.string(), (data, metadata, position, type) => {
        const event = { streamName: 'query-x', revision: 0, position, type, data, metadata, recordedAt: '2024-01-01T00:00:00.000Z' };
        const expected = createHash('sha256')
          .update(`${genesisHash}\n${reference({ streamName: 'query-x', revision: 0, position, type, data, metadata, recordedAt: event.recordedAt })}`)
          .digest('hex');
        assert.equal(chainHash(genesisHash, event), expected);
      }),
      { numRuns: 1000 },
    );
  });
});
