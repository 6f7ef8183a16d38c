/** The decider as one value: its initial state is "no request", from which only SubmitQuery leads anywhere. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LedgergateError } from '../../../src/domain/errors.js';
import { requestDecider } from '../../../src/domain/request/request-decider.js';
import { approveBy, apply, evaluation, person, requestId, submitCommand, t0, types } from './fixtures.js';

const agent = person('agent-1', ['ai-agents']);

describe('request decider', () => {
  it('starts with no request: every command but SubmitQuery is refused as not_found', () => {
    const none = requestDecider.initialState();
    assert.equal(none.status, 'none');
    for (const command of [approveBy(person('bob', ['data-owners'])), { type: 'ExpireApproval' as const, now: t0 }, { type: 'CancelRequest' as const, by: agent }]) {
      assert.throws(() => requestDecider.decide(command, none), (e: unknown) => e instanceof LedgergateError && e.code === 'not_found');
    }
  });

  it('folds a stream from the initial state; events before QueryRequested change nothing', () => {
    const none = requestDecider.initialState();
    assert.deepEqual(requestDecider.evolve(none, { type: 'QueryApproved', data: { requestId, approvers: [], sqlHash: 'b'.repeat(64), policyHash: 'a'.repeat(64) } }, t0.toISOString()), none);
    const { state, events } = apply(none, submitCommand(agent, evaluation('allow')));
    assert.deepEqual(types(events), ['QueryRequested', 'QueryAnalysed', 'PolicyEvaluated']);
    assert.equal(state.status, 'ready');
    assert.deepEqual(state.times, { requested: t0.toISOString(), decided: t0.toISOString() });
  });

  it('refuses a second SubmitQuery for the same request', () => {
    const { state } = apply(requestDecider.initialState(), submitCommand(agent, evaluation('allow')));
    assert.throws(() => requestDecider.decide(submitCommand(agent, evaluation('allow')), state), (e: unknown) => e instanceof LedgergateError && e.code === 'invalid_transition');
  });
});
