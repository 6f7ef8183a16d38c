/** The approval part of the query-request decider: who may decide, quorum, rejection, the end. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LedgergateError, type ErrorCode } from '../../../src/domain/errors.js';
import { decide } from '../../../src/domain/request/decide.js';
import { requestDecider } from '../../../src/domain/request/request-decider.js';
import { apply, approveBy, at, evaluation, pendingRequest, person, submitCommand, types } from './fixtures.js';

const owner = (subject: string, extra = {}) => person(subject, ['data-owners'], extra);

function refused(code: ErrorCode, run: () => unknown, reason?: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof LedgergateError, String(error));
    assert.equal(error.code, code);
    if (reason) assert.equal(error.details.reason, reason);
    return true;
  });
}

describe('decider: who may decide an approval', () => {
  it('refuses the requester by subject, even when they are an approver', () => {
    const alice = owner('alice');
    const state = pendingRequest(alice);
    refused('forbidden', () => decide(approveBy(alice), state), 'is_requester');
    refused('forbidden', () => decide(approveBy(alice, at(10), 'reject'), state), 'is_requester');
  });

  it('refuses the requester by email, case-insensitively, under another subject', () => {
    const state = pendingRequest(person('alice', ['ai-agents'], { email: 'Alice@Example.com' }));
    refused('forbidden', () => decide(approveBy(owner('alice-admin', { email: ' alice@example.COM ' })), state), 'is_requester');
  });

  it('refuses the person an agent acted for (requester token: sub alice, act agent)', () => {
    const state = pendingRequest(person('alice', ['ai-agents'], { actor: { subject: 'agent-7' } }));
    refused('forbidden', () => decide(approveBy(owner('alice')), state), 'is_requester');
  });

  it('refuses a decision made through the agent that made the request (decider token acts via that agent)', () => {
    const state = pendingRequest(person('agent-7', ['ai-agents']));
    refused('forbidden', () => decide(approveBy(owner('bob', { actor: { subject: 'agent-7' } })), state), 'is_requester');
  });

  it('refuses the agent itself when it made the request on behalf of someone (decider is the actor)', () => {
    const state = pendingRequest(person('alice', ['ai-agents'], { actor: { subject: 'agent-7', email: 'agent7@example.com' } }));
    refused('forbidden', () => decide(approveBy(owner('agent-7')), state), 'is_requester');
    refused('forbidden', () => decide(approveBy(owner('svc-9', { email: 'AGENT7@example.com' })), state), 'is_requester');
  });

  it('refuses a caller outside the approver groups, whatever other groups they hold', () => {
    const state = pendingRequest(person('agent-1', ['ai-agents']));
    refused('forbidden', () => decide(approveBy(person('mallory', ['auditors', 'ai-agents', 'data-owner'])), state), 'not_an_approver');
  });

  it('reads approver membership from the decider at decision time, not from any earlier snapshot', () => {
    const state = pendingRequest(person('agent-1', ['ai-agents']), 1, ['finance-owners']);
    refused('forbidden', () => decide(approveBy(owner('bob')), state), 'not_an_approver');
    assert.deepEqual(types(decide(approveBy(person('bob', ['finance-owners'])), state)), ['ApprovalDecided', 'QueryApproved']);
  });

  it('lets an approver who is not the requester approve: the request becomes ready, bound to the SQL and policy hashes', () => {
    const state = pendingRequest(person('agent-1', ['ai-agents']));
    const { state: next, events } = apply(state, approveBy(owner('bob', { email: 'bob@example.com' }), at(10), 'approve', 'looks fine'), at(10));
    assert.deepEqual(types(events), ['ApprovalDecided', 'QueryApproved']);
    assert.equal(next.status, 'ready');
    const decided = events[0];
    assert.ok(decided?.type === 'ApprovalDecided');
    assert.equal(decided.data.sqlHash, state.request.sqlHash);
    assert.equal(decided.data.policyHash, state.policyHash);
    assert.equal(decided.data.comment, 'looks fine');
    const approved = events[1];
    assert.ok(approved?.type === 'QueryApproved');
    assert.deepEqual(approved.data.approvers, [{ subject: 'bob', email: 'bob@example.com', at: at(10).toISOString() }]);
  });
});

describe('decider: each person counts once, quorum, rejection', () => {
  const agent = person('agent-1', ['ai-agents']);

  it('answers already_decided when the same person decides twice (quorum 2 keeps it pending in between)', () => {
    const first = apply(pendingRequest(agent, 2), approveBy(owner('bob'))).state;
    assert.equal(first.status, 'pending_approval');
    refused('already_decided', () => decide(approveBy(owner('bob'), at(20)), first), 'already_decided');
    refused('already_decided', () => decide(approveBy(owner('bob'), at(20), 'reject'), first), 'already_decided');
  });

  it('counts a second identity with the same email as the same person', () => {
    const first = apply(pendingRequest(agent, 2), approveBy(owner('bob', { email: 'bob@example.com' }))).state;
    refused('already_decided', () => decide(approveBy(owner('bob-2', { email: 'BOB@example.com' }), at(20)), first), 'already_decided');
  });

  it('counts a person acting through an agent as that person', () => {
    const first = apply(pendingRequest(agent, 2), approveBy(owner('bob'))).state;
    refused('already_decided', () => decide(approveBy(owner('carol', { actor: { subject: 'bob' } }), at(20)), first), 'already_decided');
  });

  it('needs two distinct people for a quorum of two', () => {
    const first = apply(pendingRequest(agent, 2), approveBy(owner('bob')));
    assert.deepEqual(types(first.events), ['ApprovalDecided']);
    assert.equal(first.state.status, 'pending_approval');
    assert.equal(first.state.approval?.decisions.length, 1);
    const second = apply(first.state, approveBy(owner('carol'), at(20)), at(20));
    assert.deepEqual(types(second.events), ['ApprovalDecided', 'QueryApproved']);
    assert.equal(second.state.status, 'ready');
    const approved = second.events[1];
    assert.ok(approved?.type === 'QueryApproved');
    assert.deepEqual(approved.data.approvers.map((a) => a.subject), ['bob', 'carol']);
  });

  it('ends the request on one rejection, even after an approval toward the quorum', () => {
    const first = apply(pendingRequest(agent, 2), approveBy(owner('bob'))).state;
    const { state, events } = apply(first, approveBy(owner('carol'), at(20), 'reject', 'not today'), at(20));
    assert.deepEqual(types(events), ['ApprovalDecided', 'QueryRejected']);
    assert.equal(state.status, 'rejected');
    const rejected = events[1];
    assert.ok(rejected?.type === 'QueryRejected');
    assert.equal(rejected.data.by, 'carol');
    assert.equal(rejected.data.comment, 'not today');
  });

  it('answers already_decided for any decision after the end (approved, rejected, running)', () => {
    const approved = apply(pendingRequest(agent), approveBy(owner('bob'))).state;
    refused('already_decided', () => decide(approveBy(owner('carol'), at(20)), approved));
    refused('already_decided', () => decide(approveBy(owner('carol'), at(20), 'reject'), approved));
    const rejected = apply(pendingRequest(agent), approveBy(owner('bob'), at(10), 'reject')).state;
    refused('already_decided', () => decide(approveBy(owner('carol'), at(20)), rejected));
    const running = apply(approved, { type: 'StartExecution', jobId: 'job-1', warehouse: 'duckdb', resumed: false }).state;
    assert.equal(running.status, 'running');
    refused('already_decided', () => decide(approveBy(owner('carol'), at(20)), running));
  });

  it('answers already_decided for a request that never needed approval', () => {
    const allowed = apply(requestDecider.initialState(), submitCommand(person('agent-1', ['ai-agents']), evaluation('allow'))).state;
    assert.equal(allowed.status, 'ready');
    refused('already_decided', () => decide(approveBy(owner('bob')), allowed));
  });
});
