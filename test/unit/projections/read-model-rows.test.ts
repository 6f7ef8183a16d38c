/**
 * Given events, then rows — for the read models the status test does not cover: the masking report,
 * BigQuery jobs (jobs.list's pages), sessions, the access log's filters and pages, and the approval
 * queue's lists, history and next deadline, all read back by paged SQL from the persisted tables.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordedEvent } from '../../../src/domain/ports.js';
import { createMemoryEventStore } from '../../support/memory-event-store.js';
import { projected } from '../../support/read-models.js';
import { lifecycle } from '../../support/request-lifecycles.js';

/** Requests 0..count-1 (kind n mod 7: 0 allowed and delivered, 1 denied, 2 pending, 3 approved and delivered, 4 cancelled, 5 rejected, 6 failed). */
async function log(count: number, change: (event: RecordedEvent, n: number) => RecordedEvent = (e) => e): Promise<RecordedEvent[]> {
  const store = createMemoryEventStore();
  for (let n = 0; n < count; n++) await store.append(lifecycle(n).stream, lifecycle(n).events, 'no_stream');
  return (await store.readAll({ from: 0, maxCount: 100_000 })).map((e) => change(e, Number(e.streamName.slice('query-req-'.length))));
}

const id = (n: number) => `req-${String(n).padStart(6, '0')}`;

describe('read-model rows', () => {
  it('masking report: one item per masked result with the requester’s facts, totals by rule and detector, filtered by principal and time', async () => {
    const events = await log(14, (e, n) => (e.type === 'QueryRequested' && n === 7 ? { ...e, data: { ...(e.data as object), principal: { subject: 'bob', issuer: 'https://issuer.test', groups: [] } } } : e));
    const { maskingReport } = projected(events, { pageSize: 9 });
    const report = maskingReport.report();
    // Kinds 0 and 3 deliver a masked result: requests 0, 3, 7, 10.
    assert.deepEqual(report.items.map((i) => i.requestId), [0, 3, 7, 10].map(id));
    assert.equal(report.items[0]?.subject, 'alice');
    assert.equal(report.items[0]?.policyHash, 'a'.repeat(64));
    assert.deepEqual(report.items[0]?.maskedColumns, [{ column: 'email', rule: 'email', sources: ['t.email'], reason: 'lineage' }]);
    assert.deepEqual(report.totals, { requests: 4, requestsWithMasking: 4, maskedColumns: 4, byRule: { email: 4 }, detectorHits: 4, byDetector: { email: 4 } });
    assert.deepEqual(maskingReport.report({ principal: 'bob' }).items.map((i) => i.requestId), [id(7)]);
    assert.deepEqual(maskingReport.report({ principal: 'alice@example.com' }).items.map((i) => i.requestId), [0, 3, 10].map(id));
    const first = Date.parse(report.items[0]?.time ?? '');
    assert.deepEqual(maskingReport.report({ from: new Date(first), to: new Date(first + 1) }).items.map((i) => i.requestId), [id(0)]);
  });

  it('BigQuery jobs: the principal’s own jobs, newest first, a page at a time within creation bounds', async () => {
    const asJob = (e: RecordedEvent, n: number): RecordedEvent =>
      e.type === 'QueryRequested' && n % 2 === 0 ? { ...e, data: { ...(e.data as object), channel: 'bigquery-api', clientJobId: `job_${n}` } } : e;
    const { bigQueryJobs } = projected(await log(10, asJob), { pageSize: 7 });
    const alice = { issuer: 'https://issuer.test', subject: 'alice' };
    const page1 = bigQueryJobs.jobsOf(alice, { offset: 0, limit: 2 });
    assert.deepEqual(page1.entries.map((e) => e.jobId), ['job_8', 'job_6']);
    assert.equal(page1.more, true);
    const page3 = bigQueryJobs.jobsOf(alice, { offset: 4, limit: 2 });
    assert.deepEqual(page3.entries.map((e) => [e.jobId, e.requestId]), [['job_0', id(0)]]);
    assert.equal(page3.more, false);
    assert.deepEqual(bigQueryJobs.jobsOf({ ...alice, subject: 'mallory' }, { offset: 0, limit: 50 }).entries, [], 'another principal sees none');
    assert.deepEqual(bigQueryJobs.jobsOf({ ...alice, issuer: 'https://other.test' }, { offset: 0, limit: 50 }).entries, [], 'same subject, other issuer');
    const created = Date.parse(page1.entries[1]?.createdAt ?? '');
    assert.deepEqual(bigQueryJobs.jobsOf(alice, { offset: 0, limit: 50, minCreationMs: created, maxCreationMs: created }).entries.map((e) => e.jobId), ['job_6']);
  });

  it('sessions: newest activity first, each session’s streams in the order they appeared', async () => {
    const { sessions } = projected(await log(9), { pageSize: 4 });
    assert.deepEqual(sessions.list().map((s) => [s.sessionId, s.streams]), [['sess-2', 3], ['sess-1', 3], ['sess-0', 3]]);
    assert.deepEqual(sessions.streamsOf('sess-1'), [3, 4, 5].map((n) => `query-${id(n)}`));
  });

  it('access log: filters in SQL and pages in log order, whatever the page size', async () => {
    const { accessLog } = projected(await log(21), { pageSize: 13 });
    const all = accessLog.rows();
    assert.deepEqual(all.map((r) => r.requestId), Array.from({ length: 21 }, (_, n) => id(n)));
    assert.deepEqual([...accessLog.pages({}, 4)].map((page) => page.length), [4, 4, 4, 4, 4, 1]);
    assert.deepEqual([...accessLog.pages({}, 4)].flat(), all);
    assert.deepEqual(accessLog.rows({ status: 'denied' }).map((r) => r.requestId), [1, 8, 15].map(id));
    assert.deepEqual(accessLog.rows({ decision: 'approve', status: 'succeeded' }).map((r) => r.requestId), [3, 10, 17].map(id));
    assert.deepEqual(accessLog.rows({ sessionId: 'sess-2' }).map((r) => r.requestId), [6, 7, 8].map(id));
    assert.equal(accessLog.rows({ principal: 'alice@example.com' }).length, 21);
    assert.equal(accessLog.rows({ principal: 'nobody' }).length, 0);
    assert.deepEqual(accessLog.inFlight(), [], 'every lifecycle here ended or waits for approval');
  });

  it('approval queue: lists by status in request order, the approver’s history, and the next deadline', async () => {
    const { approvals } = projected(await log(14), { pageSize: 5 });
    assert.deepEqual(approvals.pending().map((a) => a.requestId), [2, 9].map(id));
    assert.equal(approvals.countPending(), 2);
    assert.deepEqual(approvals.list('approved').map((a) => a.requestId), [3, 10].map(id));
    assert.deepEqual(approvals.list('rejected').map((a) => a.requestId), [5, 12].map(id));
    assert.equal(approvals.list('all').length, 6);
    assert.equal(approvals.get(id(0)), undefined, 'an allowed request never enters the queue');
    assert.deepEqual(approvals.historyOf('olga').map((h) => [h.requestId, h.decision]), [[id(3), 'approve'], [id(5), 'reject'], [id(10), 'approve'], [id(12), 'reject']]);
    assert.equal(approvals.nextDeadline()?.requestId, id(2));
  });
});
