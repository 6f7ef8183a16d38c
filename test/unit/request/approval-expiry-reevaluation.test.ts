/** Approval deadlines with injected time, and re-judging an approved request when the policy changed. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LedgergateError } from '../../../src/domain/errors.js';
import { decide } from '../../../src/domain/request/decide.js';
import { requestDecider } from '../../../src/domain/request/request-decider.js';
import type { RequestState } from '../../../src/domain/request/request-state.js';
import { apply, approveBy, at, evaluation, hash, pendingRequest, person, submitCommand, t0, types } from './fixtures.js';

const agent = person('agent-1', ['ai-agents']);
const owner = (subject: string) => person(subject, ['data-owners']);

describe('decider: approval expiry', () => {
  const deadline = at(3600);

  it('sets the deadline from the rule\'s expiresAfter and the submission time', () => {
    const state = pendingRequest(agent);
    assert.equal(state.approval?.requested.expiresAt, deadline.toISOString());
  });

  it('ExpireApproval before the deadline does nothing', () => {
    assert.deepEqual(decide({ type: 'ExpireApproval', now: new Date(deadline.getTime() - 1) }, pendingRequest(agent)), []);
  });

  it('ExpireApproval at the deadline expires the request', () => {
    const { state, events } = apply(pendingRequest(agent), { type: 'ExpireApproval', now: deadline }, deadline);
    assert.deepEqual(types(events), ['ApprovalExpired']);
    assert.equal(state.status, 'expired');
    assert.equal(state.times.finished, deadline.toISOString());
  });

  it('a decision exactly at the deadline yields ApprovalExpired instead of counting', () => {
    const events = decide(approveBy(owner('bob'), deadline), pendingRequest(agent));
    assert.deepEqual(types(events), ['ApprovalExpired']);
  });

  it('a rejection after the deadline also yields ApprovalExpired', () => {
    assert.deepEqual(types(decide(approveBy(owner('bob'), at(7200), 'reject'), pendingRequest(agent))), ['ApprovalExpired']);
  });

  it('a decision one millisecond before the deadline still counts', () => {
    const events = decide(approveBy(owner('bob'), new Date(deadline.getTime() - 1)), pendingRequest(agent));
    assert.deepEqual(types(events), ['ApprovalDecided', 'QueryApproved']);
  });

  it('does not expire requests that are no longer pending, and later decisions answer already_decided', () => {
    const approved = apply(pendingRequest(agent), approveBy(owner('bob'))).state;
    assert.deepEqual(decide({ type: 'ExpireApproval', now: at(99_999) }, approved), []);
    const expired = apply(pendingRequest(agent), { type: 'ExpireApproval', now: deadline }).state;
    assert.deepEqual(decide({ type: 'ExpireApproval', now: at(99_999) }, expired), []);
    assert.throws(() => decide(approveBy(owner('bob'), at(99_999)), expired), (e: unknown) => e instanceof LedgergateError && e.code === 'already_decided');
  });
});

describe('decider: re-evaluation when the policy changed before execution', () => {
  const newHash = hash('c');
  const approvedWith = (required: number, ...approvers: string[]): RequestState => {
    let state = pendingRequest(agent, required);
    approvers.forEach((a, i) => (state = apply(state, approveBy(owner(a), at(10 + i))).state));
    assert.equal(state.status, 'ready');
    return state;
  };

  it('does nothing when the policy hash is unchanged', () => {
    assert.deepEqual(decide({ type: 'Reevaluate', evaluation: evaluation('deny'), now: at(60) }, approvedWith(1, 'bob')), []);
  });

  it('a policy that now denies ends the request as denied; it can no longer start', () => {
    const { state, events } = apply(approvedWith(1, 'bob'), { type: 'Reevaluate', evaluation: evaluation('deny', newHash), now: at(60) });
    assert.deepEqual(types(events), ['QueryReevaluated', 'QueryDenied']);
    assert.equal(state.status, 'denied');
    assert.equal(state.policyHash, newHash);
    assert.throws(() => decide({ type: 'StartExecution', jobId: 'j', warehouse: 'duckdb', resumed: false }, state), (e: unknown) => e instanceof LedgergateError && e.code === 'invalid_transition');
  });

  it('a policy that now allows lets it run under the new policy hash', () => {
    const { state, events } = apply(approvedWith(1, 'bob'), { type: 'Reevaluate', evaluation: evaluation('allow', newHash), now: at(60) });
    assert.deepEqual(types(events), ['QueryReevaluated']);
    assert.equal(state.status, 'ready');
    const started = decide({ type: 'StartExecution', jobId: 'j', warehouse: 'duckdb', resumed: false }, state);
    assert.ok(started[0]?.type === 'ExecutionStarted');
    assert.equal(started[0].data.policyHash, newHash);
  });

  it('approvals that still satisfy the new approval settings carry over: it stays ready', () => {
    const settings = { approverGroups: ['data-owners', 'dba'], required: 2, expiresAfterSeconds: 600 };
    const { state, events } = apply(approvedWith(2, 'bob', 'carol'), { type: 'Reevaluate', evaluation: evaluation('approve', newHash, settings), now: at(60) });
    assert.deepEqual(types(events), ['QueryReevaluated']);
    assert.equal(state.status, 'ready');
  });

  it('approvals that fall short of a larger quorum send it back to pending, with a fresh deadline and no decisions', () => {
    const settings = { approverGroups: ['data-owners'], required: 2, expiresAfterSeconds: 600 };
    const { state, events } = apply(approvedWith(1, 'bob'), { type: 'Reevaluate', evaluation: evaluation('approve', newHash, settings), now: at(60) });
    assert.deepEqual(types(events), ['QueryReevaluated', 'ApprovalRequested']);
    assert.equal(state.status, 'pending_approval');
    assert.equal(state.approval?.decisions.length, 0);
    assert.equal(state.approval?.requested.expiresAt, at(660).toISOString());
    assert.equal(state.approval?.requested.policyHash, newHash);
    // bob's earlier approval counted under the old policy; he may decide again under the new one.
    const again = apply(state, approveBy(owner('bob'), at(70))).state;
    assert.equal(again.status, 'pending_approval');
    assert.equal(apply(again, approveBy(owner('carol'), at(80))).state.status, 'ready');
  });

  it('approvals by people outside the new approver groups do not carry over', () => {
    const settings = { approverGroups: ['security'], required: 1, expiresAfterSeconds: 600 };
    const { state } = apply(approvedWith(1, 'bob'), { type: 'Reevaluate', evaluation: evaluation('approve', newHash, settings), now: at(60) });
    assert.equal(state.status, 'pending_approval');
  });

  it('an allowed request that now needs approval goes to pending', () => {
    const allowed = apply(requestDecider.initialState(), submitCommand(agent, evaluation('allow'), t0)).state;
    const { state } = apply(allowed, { type: 'Reevaluate', evaluation: evaluation('approve', newHash), now: at(5) });
    assert.equal(state.status, 'pending_approval');
  });

  it('refuses to re-evaluate a request that is not about to run', () => {
    assert.throws(() => decide({ type: 'Reevaluate', evaluation: evaluation('deny', newHash), now: at(5) }, pendingRequest(agent)), (e: unknown) => e instanceof LedgergateError && e.code === 'invalid_transition');
  });
});
