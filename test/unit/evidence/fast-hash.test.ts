import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { chainHash, createChainHasher, eventContentOf, genesisHash, sha256Hex } from '../../../src/domain/evidence/event-hash.js';
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

  // The verifier's hasher writes UTF-8 bytes itself (escapes, multi-byte characters, surrogate pairs):
  // every hash must equal the reference's, and whatever the reference refuses must fail the same way.
  describe('the reusable chain hasher (UTF-8 written directly)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 12 });
    const anyValue = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        text,
        fc.double(),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.constant(undefined),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(text, tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    const eventOf = (prevHash: string, data: unknown, metadata: unknown, streamName: string, recordedAt: string) => ({
      streamName,
      revision: 3,
      position: 7,
      type: 'T',
      data,
      metadata,
      recordedAt,
      prevHash,
      hash: 'ignored',
    });

    it('equals the reference chain hash on generated values: any code unit in strings and keys, numbers, undefined, nesting', () => {
      const hasher = createChainHasher();
      fc.assert(
        fc.property(fc.oneof(fc.constant(genesisHash), text), anyValue, anyValue, text, text, (prevHash, data, metadata, streamName, recordedAt) => {
          const event = eventOf(prevHash, data, metadata, streamName, recordedAt);
          assert.equal(outcome(() => hasher.hash(prevHash, event)), outcome(() => referenceChainHash(prevHash, event)));
        }),
        { numRuns: 3000 },
      );
    });

    it('equals the reference on the edge cases, and is not disturbed by an earlier event that fell back or grew the buffer', () => {
      const hasher = createChainHasher();
      const big = 'x\u00e9\u20ac\ud83d\ude00"\\\n\u0001'.repeat(4000);
      const cases: unknown[] = [
        { b: 1, a: [3, undefined, { d: 1, c: 2 }], '\u20ac': 1, '\ud83d\ude00': 2, '\ufb33': 3, '': 0, 10: 'x', 9: 'y' },
        { n: [0, -0, 1e21, 1e-7, 0.1 + 0.2, -1.5e300, 5e-324, 123456789012345680000] },
        { n: [1, 9, 10, 99, 100, 101, 1e9, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 1, -1, -10, 7.5, 2 ** 53, 1e15 + 0.5] },
        { text: 'tab\t nl\n cr\r bs\b ff\f quote" backslash\\ ctrl\u0001\u001f del\u007f \u0080 \u07ff \u0800 \u2028\u2029 \uffff é ✓ \\ud800 literal' },
        { big },
        { lone: 'a\ud800b' },
        { lowFirst: '\udc00\ud800' },
        { endsHigh: 'a\udbff' },
        ['\udc00'],
        { x: Number.NaN },
        { skip: undefined, keep: null, date: new Date(0) },
        { holes: [1, , 3] },
        { boxed: [new String('ab'), new Number(1)] },
        { sym: Symbol('s'), keep: 1 },
        { big: [1n] },
        { fn: () => 1, keep: 2 },
        Array.from({ length: 40 }, (_, i) => i).reduce<Record<string, number>>((o, i) => ({ ...o, [`k${(i * 7) % 40}`]: i }), {}),
        JSON.parse('{"__proto__":{"x":1},"a":"b"}'),
        JSON.parse('{"literal":"\\\\ud800 is text, not a surrogate"}'),
        { deep: JSON.parse(`${'['.repeat(250)}1${']'.repeat(250)}`) },
      ];
      for (const prevHash of [genesisHash, 'h\u00e9', 'a\nb']) {
        for (const data of cases) {
          const event = eventOf(prevHash, data, { m: data }, 's\u00e9', '2024');
          assert.equal(outcome(() => hasher.hash(prevHash, event)), outcome(() => referenceChainHash(prevHash, event)), inspect(data));
        }
      }
    });

    it('sizes its buffer for long strings: each written into a fresh hasher equals the reference', () => {
      // Six, three, four (per pair) and two bytes per unit, and a mix past the length measured first.
      const longStrings = ['\u0001'.repeat(20_000), '\u20ac'.repeat(30_000), '\ud83d\ude00'.repeat(10_000), '"\\'.repeat(10_000), `${'a'.repeat(16_384)}\u0001\u00e9\u20ac\ud83d\ude00"`.repeat(3)];
      for (const text of longStrings) {
        const event = eventOf(genesisHash, { text }, null, 's', '2024');
        assert.equal(createChainHasher().hash(genesisHash, event), referenceChainHash(genesisHash, event), `${text.slice(0, 8)}… × ${text.length}`);
      }
    });
  });
});
