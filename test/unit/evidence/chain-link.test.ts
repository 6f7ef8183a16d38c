/**
 * The split of the chain check used by bundle file verification with a hashing thread: an event
 * parsed and hashed on one thread becomes its link (`intactLinkOf`), and `addLink` on the checking
 * thread must give exactly what `add` gives for the event itself — failures, range, hashes kept and
 * the auditor's counters — for intact and tampered events alike (a non-intact event has no link and
 * goes to `add`, as the feed does). Generated chains with generated damage, compared side by side.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createEventChainCheck, intactLinkOf, type EventChainCheck } from '../../../src/domain/evidence/event-chain-check.js';
import { chainHash, createChainHasher, genesisHash } from '../../../src/domain/evidence/event-hash.js';

const types = ['QueryRequested', 'PolicyEvaluated', 'QueryReevaluated', 'QueryApproved', 'QueryRejected', 'ApprovalExpired', 'ResultMasked', 'PolicyActivated', 'Sealed', 'Other'];

const dataArb = fc.oneof(
  fc.record({ requestId: fc.oneof(fc.string(), fc.integer()), effect: fc.constantFrom('allow', 'deny', 'approve', 7) }, { requiredKeys: [] }),
  fc.record({ maskedColumns: fc.oneof(fc.array(fc.string(), { maxLength: 4 }), fc.string()) }, { requiredKeys: [] }),
  fc.record({ policyHash: fc.oneof(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }), fc.boolean()) }, { requiredKeys: [] }),
  fc.jsonValue({ maxDepth: 2 }),
  fc.constant(null),
);

type Damage = 'none' | 'hash' | 'prevHash' | 'position' | 'content' | 'shape' | 'shortPrevHash';

const chainArb = fc.array(fc.record({ type: fc.constantFrom(...types), data: dataArb, damage: fc.constantFrom<Damage>('none', 'none', 'none', 'hash', 'prevHash', 'position', 'content', 'shape', 'shortPrevHash') }), { maxLength: 40 });

function build(spec: { type: string; data: unknown; damage: Damage }[]): unknown[] {
  let prevHash = genesisHash;
  return spec.map(({ type, data, damage }, i) => {
    const content = { streamName: `s-${i % 3}`, revision: i, position: i + 1, type, data, metadata: { n: i }, recordedAt: `2024-03-01T00:00:${String(i % 60).padStart(2, '0')}Z` };
    const hash = chainHash(prevHash, content);
    const event: Record<string, unknown> = { ...content, prevHash, hash };
    prevHash = hash;
    if (damage === 'hash') event.hash = 'f'.repeat(64);
    if (damage === 'prevHash') event.prevHash = 'e'.repeat(64);
    if (damage === 'shortPrevHash') event.prevHash = 'abc';
    if (damage === 'position') event.position = i + 3;
    if (damage === 'content') event.metadata = { n: -1 };
    if (damage === 'shape') delete event.streamName;
    // As a thread receives it: parsed from JSON text.
    return JSON.parse(JSON.stringify(event)) as unknown;
  });
}

function outcome(check: EventChainCheck, positions: number): unknown {
  const range = check.range();
  const hashes = Array.from({ length: positions + 4 }, (_, p) => range.hashAt(p)?.toString('hex'));
  const { sealEventPositions, ...counters } = check.activity();
  return { failures: check.failures, range: { ...range, hashAt: undefined }, hashes, counters, seals: [...sealEventPositions] };
}

describe('chain links taken on another thread', () => {
  it('addLink of an intact event’s link, add of any other, gives what add gives for every event', () => {
    fc.assert(
      fc.property(chainArb, (spec) => {
        const events = build(spec);
        const direct = createEventChainCheck();
        for (const event of events) direct.add(event);
        const split = createEventChainCheck();
        const hasher = createChainHasher();
        let linked = 0;
        for (const event of events) {
          const link = intactLinkOf(structuredClone(event), hasher);
          if (link === undefined) split.add(event);
          else {
            linked += 1;
            split.addLink(link);
          }
        }
        assert.deepEqual(outcome(split, events.length), outcome(direct, events.length));
        // Every undamaged event is linked (the thread's path is taken), every damaged one is not.
        assert.equal(linked, spec.filter((s) => s.damage === 'none').length);
      }),
      { numRuns: 300 },
    );
  });

  it('gives no link for an event whose hash differs, whose shape is wrong, or that is not an object', () => {
    const [event] = build([{ type: 'QueryRequested', data: {}, damage: 'none' }]) as Record<string, unknown>[];
    const hasher = createChainHasher();
    assert.ok(intactLinkOf(event, hasher));
    assert.equal(intactLinkOf({ ...event, hash: 'f'.repeat(64) }, hasher), undefined);
    assert.equal(intactLinkOf({ ...event, metadata: { n: 9 } }, hasher), undefined);
    assert.equal(intactLinkOf({ ...event, position: '1' }, hasher), undefined);
    assert.equal(intactLinkOf([event], hasher), undefined);
    assert.equal(intactLinkOf(null, hasher), undefined);
  });
});
