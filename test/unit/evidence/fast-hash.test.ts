import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { chainHash, eventContentOf, genesisHash, sha256Hex } from '../../../src/domain/evidence/event-hash.js';
import { fastCanonicalJson, fastCanonicalJsonOfMembers, referenceCanonicalJson as canonicalJson } from '../../../src/domain/evidence/canonical-json.js';

/** The chain hash as RFC 8785 defines it, through the reference canonicaliser (the canonicalize package). */
const referenceChainHash = (prevHash: string, event: Parameters<typeof chainHash>[1]): string =>
  sha256Hex(`${prevHash}\n${canonicalJson(eventContentOf(event))}`);

const outcome = (f: () => string): string => {
  try {
    return f();
  } catch {
    return '<throws>';
  }
};

describe('fast canonical JSON and chain hash', () => {
  it('equal the reference implementation on generated JSON values, unicode keys and strings included', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        assert.equal(fastCanonicalJson(value), canonicalJson(value));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.oneof(fc.string({ unit: 'binary' }), fc.double(), fc.integer())), (value) => {
        assert.equal(outcome(() => fastCanonicalJson(value)), outcome(() => canonicalJson(value)));
      }),
      { numRuns: 2000 },
    );
  });

  it('agree on the edge cases: ordering by UTF-16 units, numbers, undefined, toJSON, lone surrogates, non-finite numbers', () => {
    const cases: unknown[] = [
      { b: 1, a: [3, undefined, { d: 1, c: 2 }], '\u20ac': 1, '\ud83d\ude00': 2, '\ufb33': 3, '': 0, 10: 'x', 9: 'y' },
      { n: [0, -0, 1e21, 1e-7, 0.1 + 0.2, -1.5e300, 5e-324, 123456789012345680000] },
      { skip: undefined, keep: null, date: new Date(0) },
      { text: 'tab\t nl\n quote" backslash\\ ctrl\u0001 del\u007f \u2028\u2029 é ✓ \\ud800 literal' },
      { lone: 'a\ud800b' },
      ['\udc00'],
      { x: Number.NaN },
      { x: Number.POSITIVE_INFINITY },
      { deep: [[[[{ z: [{ y: 1, x: 2 }] }]]]] },
      { holes: [1, , 3] },
      { boxed: [new String('ab'), new Number(1)] },
      { sym: Symbol('s'), keep: 1 },
      { big: [1n] },
      { fn: () => 1, keep: 2 },
      JSON.parse('{"__proto__":{"x":1},"lone":"\\ud800"}'),
      JSON.parse('{"literal":"\\\\ud800 is text, not a surrogate"}'),
    ];
    for (const value of cases) {
      assert.equal(outcome(() => fastCanonicalJson(value)), outcome(() => canonicalJson(value)), inspect(value));
    }
  });

  it('the members variant equals canonicalising the picked object', () => {
    const keys = ['__proto__', 'a', 'b', 'c'];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys, 'other'), fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.double())), (object) => {
        const picked = Object.fromEntries(keys.map((key) => [key, object[key]]));
        assert.equal(outcome(() => fastCanonicalJsonOfMembers(object, keys)), outcome(() => canonicalJson(picked)));
      }),
      { numRuns: 1000 },
    );
  });

  it('gives the same chain hash as the reference canonicalisation', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), fc.nat(), (data, metadata, position) => {
        const event = { streamName: 's', revision: 0, position, type: 't', data, metadata, recordedAt: '2024-01-01T00:00:00.000Z' };
        assert.equal(chainHash(genesisHash, event), referenceChainHash(genesisHash, event));
      }),
      { numRuns: 500 },
    );
  });
});
