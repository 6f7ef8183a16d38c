/**
 * The masking report's stored form (masking-item-codec.ts): whatever the item — any text, any number of
 * masked columns with their sources and detector hits — decoding the stored columns gives back exactly
 * the item written, members in the same order.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeMaskingItem, encodeMaskingItem } from '../../../src/projections/masking-item-codec.js';
import type { MaskingReportItem } from '../../../src/projections/masking-report.js';

const text = fc.string({ unit: 'binary', maxLength: 40 });
const itemArbitrary: fc.Arbitrary<MaskingReportItem> = fc.record(
  {
    requestId: text,
    time: text,
    subject: text,
    email: text,
    sessionId: text,
    sqlHash: text,
    policyHash: text,
    maskedColumns: fc.array(fc.record({ column: text, rule: text, sources: fc.array(text, { maxLength: 3 }), reason: text }, { noNullPrototype: true }), { maxLength: 4 }),
    detectorHits: fc.array(fc.record({ column: text, detector: text, count: fc.integer({ min: 1 }) }, { noNullPrototype: true }), { maxLength: 4 }),
    resultHash: text,
    position: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  },
  { noNullPrototype: true },
);

describe('the masking item codec', () => {
  it('gives back exactly the item written, in the same member order', () => {
    fc.assert(
      fc.property(itemArbitrary, (item) => {
        const decoded = decodeMaskingItem({ position: item.position, request_id: item.requestId, subject: item.subject, email: item.email, item: encodeMaskingItem(item) });
        assert.deepEqual(decoded, item);
        assert.equal(JSON.stringify(decoded), JSON.stringify(item), 'same members in the same order');
      }),
      { numRuns: 500 },
    );
  });
});
