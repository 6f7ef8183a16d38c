/**
 * The query-request decider: given a command and the request's current state, the events to append.
 * Invalid transitions throw LedgergateError; the caller appends with the stream's expected revision,
 * so two gateway replicas can never both make the same transition.
 */
import { LedgergateError } from '../errors.js';
import type { PrincipalSnapshot } from '../events/shared-schemas.js';
import { checkEligibility, countDistinctApprovers, isExpired } from '../approvals/eligibility.js';
import { samePerson } from '../approvals/eligibility.js';
import type { Principal } from '../identity/principal.js';
import type { RequestCommand } from './commands.js';
import type { RequestEvent } from './request-stream.js';
import type { RequestDeciderState, RequestState } from './request-state.js';
import { terminalStatuses } from './request-state.js';

export function snapshotOf(principal: Principal): PrincipalSnapshot {
  return {
    subject: principal.subject,
    issuer: principal.issuer,
    ...(principal.email ? { email: principal.email } : {}),
    groups: [...principal.groups],
    ...(principal.actor
      ? { actor: { subject: principal.actor.subject, ...(principal.actor.email ? { email: principal.actor.email } : {}) } }
      : {}),
  };
}

const addSeconds = (now: Date, seconds: number): string => new Date(now.getTime() + seconds * 1000).toISOString();

export function decide(command: RequestCommand, state: RequestDeciderState): RequestEvent[] {
  if (command.type === 'SubmitQuery') {
    if (state.status !== 'none') throw new LedgergateError('invalid_transition', 'Request already exists');
    return submit(command);
  }
  if (state.status === 'none') throw new LedgergateError('not_found', 'No such query request');
  switch (command.type) {
    case 'DecideApproval':
      return decideApproval(command, state);
    case 'ExpireApproval':
      return state.status === 'pending_approval' && state.approval && isExpired(state.approval.requested.expiresAt, command.now)
        ? [{ type: 'ApprovalExpired', data: { requestId: state.request.requestId, expiresAt: state.approval.requested.expiresAt } }]
        : [];
    case 'Reevaluate':
      return reevaluate(command, state);
    case 'StartExecution': {
      const resumable = command.resumed && state.status === 'running';
      // A new attempt follows a job that failed transiently; only a higher attempt than the current one, so two writers cannot both add it.
      const retry = !command.resumed && state.status === 'running' && (command.attempt ?? 1) > (state.execution?.attempt ?? 1);
      if (state.status !== 'ready' && !resumable && !retry) {
        throw new LedgergateError('invalid_transition', `Request is ${state.status}; it cannot start`);
      }
      return [
        {
          type: 'ExecutionStarted',
          data: {
            requestId: state.request.requestId,
            jobId: command.jobId,
            warehouse: command.warehouse,
            sqlHash: state.request.sqlHash,
            policyHash: state.policyHash,
            ...(command.resumed ? { resumed: true } : {}),
            ...(command.location ? { location: command.location } : {}),
            ...(command.attempt !== undefined && command.attempt > 1 ? { attempt: command.attempt } : {}),
          },
        },
      ];
    }
    case 'CompleteExecution':
      requireStatus(state, ['running'], 'complete');
      return [
        { type: 'ExecutionSucceeded', data: command.succeeded },
        { type: 'ResultMasked', data: command.masked },
        { type: 'ResultDelivered', data: command.delivered },
      ];
    case 'FailExecution':
      requireStatus(state, ['running', 'ready'], 'fail');
      return [
        {
          type: 'ExecutionFailed',
          data: {
            requestId: state.request.requestId,
            jobId: command.jobId,
            code: command.code,
            message: command.message,
            ...(command.childJobs && command.childJobs.length > 0 ? { childJobs: [...command.childJobs] } : {}),
          },
        },
      ];
    case 'CancelRequest': {
      if (terminalStatuses.has(state.status)) {
        throw new LedgergateError('already_decided', `Request is already ${state.status}`);
      }
      if (!samePerson(command.by, state.request.principal)) {
        throw new LedgergateError('forbidden', 'Only the requester may cancel a request');
      }
      return [
        {
          type: 'ExecutionCancelled',
          data: {
            requestId: state.request.requestId,
            ...(state.execution ? { jobId: state.execution.jobId } : {}),
            by: command.by.subject,
          },
        },
      ];
    }
  }
}

function requireStatus(state: RequestState, allowed: RequestState['status'][], action: string): void {
  if (!allowed.includes(state.status)) {
    throw new LedgergateError('invalid_transition', `Request is ${state.status}; cannot ${action}`);
  }
}

function submit(command: Extract<RequestCommand, { type: 'SubmitQuery' }>): RequestEvent[] {
  const { requested, analysed, evaluation, now } = command;
  const events: RequestEvent[] = [
    { type: 'QueryRequested', data: requested },
    { type: 'QueryAnalysed', data: analysed },
    { type: 'PolicyEvaluated', data: evaluation },
  ];
  return [...events, ...consequencesOf(evaluation, requested.requestId, requested.sqlHash, now)];
}

function consequencesOf(
  evaluation: { effect: string; rule: string; reasons: readonly string[]; policyHash: string; approval?: { approverGroups: string[]; required: number; expiresAfterSeconds: number } },
  requestId: string,
  sqlHash: string,
  now: Date,
): RequestEvent[] {
  if (evaluation.effect === 'deny') {
    return [
      {
        type: 'QueryDenied',
        data: { requestId, rule: evaluation.rule, reason: evaluation.reasons.join('; ') || `Denied by ${evaluation.rule}`, policyHash: evaluation.policyHash },
      },
    ];
  }
  if (evaluation.effect === 'approve') {
    if (!evaluation.approval) throw new LedgergateError('invalid_policy', `Rule ${evaluation.rule} requires approval but names no approvers`);
    return [
      {
        type: 'ApprovalRequested',
        data: {
          requestId,
          settings: evaluation.approval,
          rule: evaluation.rule,
          sqlHash,
          policyHash: evaluation.policyHash,
          expiresAt: addSeconds(now, evaluation.approval.expiresAfterSeconds),
        },
      },
    ];
  }
  return [];
}

function decideApproval(command: Extract<RequestCommand, { type: 'DecideApproval' }>, state: RequestState): RequestEvent[] {
  const requestId = state.request.requestId;
  if (state.status !== 'pending_approval' || !state.approval) {
    throw new LedgergateError('already_decided', `Request is ${state.status === 'ready' ? 'approved' : state.status}; it can no longer be decided`);
  }
  const { requested, decisions } = state.approval;
  if (isExpired(requested.expiresAt, command.now)) {
    return [{ type: 'ApprovalExpired', data: { requestId, expiresAt: requested.expiresAt } }];
  }
  const ineligible = checkEligibility({
    decider: command.approver,
    requester: state.request.principal,
    approverGroups: requested.settings.approverGroups,
    earlierDeciders: decisions.map((d) => d.decider),
  });
  if (ineligible === 'is_requester') throw new LedgergateError('forbidden', 'The requester cannot decide their own request', { reason: ineligible });
  if (ineligible === 'not_an_approver') throw new LedgergateError('forbidden', 'Caller is not in an approver group for this request', { reason: ineligible });
  if (ineligible === 'already_decided') throw new LedgergateError('already_decided', 'Caller has already decided this request', { reason: ineligible });

  const decider = snapshotOf(command.approver);
  const decided: RequestEvent = {
    type: 'ApprovalDecided',
    data: {
      requestId,
      decision: command.decision,
      decider,
      ...(command.comment ? { comment: command.comment } : {}),
      sqlHash: requested.sqlHash,
      policyHash: requested.policyHash,
    },
  };
  if (command.decision === 'reject') {
    return [decided, { type: 'QueryRejected', data: { requestId, by: decider.subject, ...(command.comment ? { comment: command.comment } : {}) } }];
  }
  const approvers = [...decisions.filter((d) => d.decision === 'approve').map((d) => d.decider), decider];
  if (countDistinctApprovers(approvers) < requested.settings.required) return [decided];
  const at = command.now.toISOString();
  return [
    decided,
    {
      type: 'QueryApproved',
      data: {
        requestId,
        approvers: approvers.map((a) => ({ subject: a.subject, ...(a.email ? { email: a.email } : {}), at })),
        sqlHash: requested.sqlHash,
        policyHash: requested.policyHash,
      },
    },
  ];
}

function reevaluate(command: Extract<RequestCommand, { type: 'Reevaluate' }>, state: RequestState): RequestEvent[] {
  requireStatus(state, ['ready'], 're-evaluate');
  const { evaluation } = command;
  if (evaluation.policyHash === state.policyHash) return [];
  const requestId = state.request.requestId;
  const reevaluated: RequestEvent = {
    type: 'QueryReevaluated',
    data: { requestId, previousPolicyHash: state.policyHash, policyHash: evaluation.policyHash, effect: evaluation.effect, rule: evaluation.rule },
  };
  if (evaluation.effect === 'approve' && evaluation.approval && approvalsStillSuffice(state, evaluation.approval)) {
    return [reevaluated];
  }
  return [reevaluated, ...consequencesOf(evaluation, requestId, state.request.sqlHash, command.now)];
}

/** Earlier approvals carry over only if their approvers satisfy the new policy's approval settings. */
function approvalsStillSuffice(state: RequestState, settings: { approverGroups: string[]; required: number }): boolean {
  if (!state.approval?.approvedAt) return false;
  const qualified = state.approval.decisions
    .filter((d) => d.decision === 'approve' && d.decider.groups.some((g) => settings.approverGroups.includes(g)))
    .map((d) => d.decider);
  return countDistinctApprovers(qualified) >= settings.required;
}
