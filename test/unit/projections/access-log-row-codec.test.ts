/**
 * The access log's stored form (access-log-row-codec.ts): whatever the row — any text, SQL of any
 * length, approvers with and without email and comment, null counts, a job id derived from the request
 * id or not — decoding the stored columns gives back exactly the row written, members in the same order.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AccessLogRow } from '../../../src/projections/access-log.js';
import { decodeAccessLogRow, encodeAccessLogRow, type AccessLogColumns } from '../../../src/projections/access-log-row-codec.js';
import { requestStatuses } from '../../../src/domain/request/request-status.js';

const text = fc.string({ unit: 'binary', maxLength: 40 });
const approver = fc.record(
  { subject: text, email: text, decision: fc.constantFrom('approve', 'reject'), at: text, comment: text },
  { requiredKeys: ['subject', 'decision', 'at'], noNullPrototype: true },
);

const rowArbitrary: fc.Arbitrary<AccessLogRow> = fc
  .record({
    time: text,
    requestId: text,
    subject: text,
    email: text,
    actor: text,
    groups: fc.array(text, { maxLength: 4 }),
    clientIp: text,
    userAgent: text,
    sessionId: text,
    channel: text,
    sql: fc.string({ unit: 'binary', maxLength: 400 }),
    sqlHash: text,
    sqlLength: fc.nat(),
    reason: text,
    tables: fc.array(text, { maxLength: 4 }),
    statements: fc.array(text, { maxLength: 3 }),
    decision: text,
    rule: text,
    policyHash: text,
    approvers: fc.array(approver, { maxLength: 3 }),
    status: fc.constantFrom(...requestStatuses),
    error: text,
    jobId: text,
    rows: fc.option(fc.nat(), { nil: null }),
    bytesProcessed: fc.option(fc.nat(), { nil: null }),
    maskedColumns: fc.array(text, { maxLength: 4 }),
    detectorHits: fc.nat(),
    finishedAt: text,
    position: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  }, { noNullPrototype: true })
  .chain((row) => fc.constantFrom(row, { ...row, jobId: `ledgergate_${row.requestId}` }, { ...row, jobId: '0' }));

/** What access_log holds for the row: its columns and the packed rest. */
const stored = (row: AccessLogRow): AccessLogColumns => ({
  position: row.position,
  request_id: row.requestId,
  subject: row.subject,
  email: row.email,
  actor: row.actor,
  session_id: row.sessionId,
  decision: row.decision,
  status: row.status,
  row: encodeAccessLogRow(row),
});

describe('the access log row codec', () => {
  it('gives back exactly the row written, in the same member order', () => {
    fc.assert(
      fc.property(rowArbitrary, (row) => {
        const decoded = decodeAccessLogRow(stored(row));
        assert.deepEqual(decoded, row);
        assert.equal(JSON.stringify(decoded), JSON.stringify(row), 'same members in the same order');
      }),
      { numRuns: 500 },
    );
  });

  it('stores a typical row in well under half the bytes of the row as a JSON object', () => {
    const requestId = '17a9572a-84ac-4401-a277-55177101739d';
    const row: AccessLogRow = {
      time: '2026-12-02T09:28:51.550Z', requestId, subject: 'bench-agent', email: '', actor: '', groups: ['ai-agents'],
      clientIp: '127.0.0.1', userAgent: 'node', sessionId: 'bench-0', channel: 'rest', sql: 'SELECT * FROM analytics.page_views LIMIT 5',
      sqlHash: '52b64c8846ab5364bb4217560bb119575183ca41a2ede252c46a3cd2770e4dd8', sqlLength: 42, reason: '',
      tables: ['demo-project.analytics.page_views'], statements: ['select'], decision: 'allow', rule: 'agents-read-sales-analytics',
      policyHash: 'b09b8881a2d7cd9850b682bfb51b1a5af190ad32b9519bccc038b4400f068931', approvers: [], status: 'succeeded', error: '',
      jobId: `ledgergate_${requestId}`, rows: 5, bytesProcessed: 0, maskedColumns: [], detectorHits: 0, finishedAt: '2026-12-02T09:28:51.643Z', position: 2,
    };
    const packed = encodeAccessLogRow(row);
    assert.ok(packed.length < JSON.stringify(row).length / 2, `${packed.length} of ${JSON.stringify(row).length}`);
    assert.deepEqual(decodeAccessLogRow(stored(row)), row);
  });
});
