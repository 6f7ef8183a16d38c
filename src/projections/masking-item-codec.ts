/**
 * How a masking-report item is stored: the members that are columns of `masking_items` (position,
 * request id, subject, email) live only there, and the rest is one JSON array in a fixed order, masked
 * columns and detector hits as arrays too — about half the bytes of the item as a JSON object, and so
 * of a rebuild's writes (bench/README.md, "Projection rebuild"). Decoding gives back exactly the item
 * that was encoded (test/unit/projections/masking-item-codec.test.ts, over generated items).
 */
import type { MaskingReportItem } from './masking-report.js';

/** The members kept in their own columns, and the packed rest. */
export interface MaskingItemColumns {
  readonly position: number;
  readonly request_id: string;
  readonly subject: string;
  readonly email: string;
  readonly item: string;
}

/** The columns a reader selects to decode an item. */
export const maskingItemColumns = 'position, request_id, subject, email, item';

type Packed = [
  time: string,
  sessionId: string,
  sqlHash: string,
  policyHash: string,
  maskedColumns: [column: string, rule: string, sources: string[], reason: string][],
  detectorHits: [column: string, detector: string, count: number][],
  resultHash: string,
];

export function encodeMaskingItem(item: MaskingReportItem): string {
  const packed: Packed = [
    item.time,
    item.sessionId,
    item.sqlHash,
    item.policyHash,
    item.maskedColumns.map((c) => [c.column, c.rule, c.sources, c.reason]),
    item.detectorHits.map((h) => [h.column, h.detector, h.count]),
    item.resultHash,
  ];
  return JSON.stringify(packed);
}

export function decodeMaskingItem(c: MaskingItemColumns): MaskingReportItem {
  const [time, sessionId, sqlHash, policyHash, maskedColumns, detectorHits, resultHash] = JSON.parse(c.item) as Packed;
  return {
    requestId: c.request_id,
    time,
    subject: c.subject,
    email: c.email,
    sessionId,
    sqlHash,
    policyHash,
    maskedColumns: maskedColumns.map(([column, rule, sources, reason]) => ({ column, rule, sources, reason })),
    detectorHits: detectorHits.map(([column, detector, count]) => ({ column, detector, count })),
    resultHash,
    position: c.position,
  };
}
