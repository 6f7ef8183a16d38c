/**
 * A request's life as a BigQuery job: PENDING while awaiting approval, DONE with accessDenied (the rule
 * named) when denied or rejected, DONE with `stopped` when the approval expired or the job was
 * cancelled — and never a reason the official clients retry.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jobErrorOf, jobResourceOf, jobStateOf } from '../../../src/adapters/http/bigquery-api/job-resource.js';
import { requestDecider } from '../../../src/domain/request/request-decider.js';
import type { RequestState } from '../../../src/domain/request/request-state.js';
import { apply, approveBy, at, evaluation, pendingRequest, person, submitCommand } from '../request/fixtures.js';

const context = { projectId: 'demo-project', jobId: 'job_1', approvalUrl: 'http://gw/v1/queries/req-1' };
const requester = person('agent-1', ['ai-agents']);
const retried = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'backendError', 'internalError', 'jobBackendError', 'jobInternalError', 'jobRateLimitExceeded']);

const statusOf = (state: RequestState) => jobResourceOf(state, context).status as { state: string; errorResult?: { reason: string; message: string } };

describe('a request as a BigQuery job', () => {
  it('pending approval is PENDING with the approval link in the ledgergate member', () => {
    const state = pendingRequest(requester, 2);
    assert.equal(jobStateOf(state), 'PENDING');
    const job = jobResourceOf(state, context);
    assert.deepEqual(job.status, { state: 'PENDING' });
    assert.equal((job.ledgergate as { approval?: string }).approval, context.approvalUrl);
    assert.deepEqual(job.jobReference, { projectId: 'demo-project', jobId: 'job_1', location: 'US' });
    assert.equal(job.id, 'demo-project:US.job_1');
    assert.equal((job.statistics as { query: { statementType: string } }).query.statementType, 'INSERT');
  });

  it('denied is DONE with accessDenied naming the rule (HTTP 403 where results are asked for)', () => {
    const { state } = apply(requestDecider.initialState(), submitCommand(requester, evaluation('deny')));
    const status = statusOf(state);
    assert.equal(status.state, 'DONE');
    assert.equal(status.errorResult?.reason, 'accessDenied');
    assert.match(status.errorResult?.message ?? '', /rule "rule-deny"/);
    assert.equal(jobErrorOf(state)?.status, 403);
  });

  it('rejected is DONE with accessDenied naming the rule and who rejected', () => {
    const pending = pendingRequest(requester);
    const { state } = apply(pending, approveBy(person('olivia', ['data-owners'], { email: 'olivia@example.com' }), at(5), 'reject', 'not today'));
    const status = statusOf(state);
    assert.equal(status.errorResult?.reason, 'accessDenied');
    assert.match(status.errorResult?.message ?? '', /rule-approve[\s\S]*olivia@example\.com[\s\S]*not today/);
    assert.equal(jobErrorOf(state)?.status, 403);
  });

  it('expired and cancelled are DONE with stopped', () => {
    const pending = pendingRequest(requester, 1, ['data-owners'], 60);
    const expired = apply(pending, { type: 'ExpireApproval', now: at(3600) }).state;
    assert.equal(expired.status, 'expired');
    assert.equal(statusOf(expired).errorResult?.reason, 'stopped');
    const cancelled = apply(pendingRequest(requester), { type: 'CancelRequest', by: requester }).state;
    assert.equal(statusOf(cancelled).state, 'DONE');
    assert.equal(statusOf(cancelled).errorResult?.reason, 'stopped');
  });

  it('no final status maps to a reason the official clients retry, nor to a 5xx', () => {
    const failures = ['query_invalid', 'query_failed', 'bytes_billed_exceeded', 'warehouse_unavailable', 'warehouse_timeout', 'warehouse_quota_exceeded', 'warehouse_permission_denied', 'internal', 'store_unavailable', 'something_new'];
    const base = apply(requestDecider.initialState(), submitCommand(requester, evaluation('allow'))).state;
    for (const code of failures) {
      const failed: RequestState = { ...base, status: 'failed', failure: { code, message: `failed with ${code}` } };
      const error = jobErrorOf(failed);
      assert.ok(error, code);
      assert.ok(!retried.has(error.reason), `${code} → ${error.reason}`);
      assert.ok(error.status >= 400 && error.status < 500, `${code} → HTTP ${error.status}`);
      assert.equal(statusOf(failed).errorResult?.reason, error.reason);
    }
  });
});
