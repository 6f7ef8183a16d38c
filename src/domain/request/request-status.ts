/**
 * The one status vocabulary of a query request. `evolve` folds it, and every projection, report and
 * metric derives its status column from `statusAfter` and the mappings below, so no two readers can
 * disagree on what an event means (a requester's cancellation is `cancelled` everywhere, never
 * `rejected` in one place and `failed` in another).
 */
import type { RequestEventType } from './request-stream.js';

/**
 * Every status a request can be in. `ready` is allowed or approved but not started yet; `cancelled`
 * is withdrawn by its requester. The contract's closed list has neither: see `publicStatusOf`.
 */
export type RequestStatus =
  | 'pending_approval'
  | 'ready'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'denied'
  | 'rejected'
  | 'expired';

export const requestStatuses: readonly RequestStatus[] = [
  'pending_approval',
  'ready',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'denied',
  'rejected',
  'expired',
];

export const terminalStatuses: ReadonlySet<RequestStatus> = new Set<RequestStatus>(['succeeded', 'failed', 'cancelled', 'denied', 'rejected', 'expired']);

/** Allowed or approved and not finished: the saga owns these, and resumes them at start. */
export const isInFlight = (status: RequestStatus): boolean => status === 'ready' || status === 'running';

/** The status an event leaves a request in (events that change no status keep the current one). */
export function statusAfter(current: RequestStatus, eventType: RequestEventType): RequestStatus {
  switch (eventType) {
    case 'QueryRequested':
      return 'ready';
    case 'QueryDenied':
      return 'denied';
    case 'ApprovalRequested':
      return 'pending_approval';
    case 'QueryApproved':
      return 'ready';
    case 'QueryRejected':
      return 'rejected';
    case 'ApprovalExpired':
      return 'expired';
    case 'ExecutionStarted':
      return 'running';
    case 'ResultDelivered':
      return 'succeeded';
    case 'ExecutionFailed':
      return 'failed';
    case 'ExecutionCancelled':
      return 'cancelled';
    default:
      return current;
  }
}

/** The contract's closed list (CONTRACT.md "Query statuses"). */
export type PublicStatus = 'pending_approval' | 'running' | 'succeeded' | 'failed' | 'denied' | 'rejected' | 'expired';

export const publicStatuses: readonly PublicStatus[] = ['pending_approval', 'running', 'succeeded', 'failed', 'denied', 'rejected', 'expired'];

/**
 * What the contract's query answers show: `ready` is running from the caller's view; a cancellation is
 * `failed` with error code `cancelled` (the contract has no cancelled status). Audit surfaces
 * (access log, reports, metrics, approvals) keep the full vocabulary.
 */
export function publicStatusOf(status: RequestStatus): PublicStatus {
  if (status === 'ready') return 'running';
  if (status === 'cancelled') return 'failed';
  return status;
}

/** An approval's status, read off its request: once approved it stays approved, whatever runs after. */
export type ApprovalStatus = 'pending_approval' | 'approved' | 'rejected' | 'expired' | 'denied' | 'cancelled';

export const approvalStatuses: readonly ApprovalStatus[] = ['pending_approval', 'approved', 'rejected', 'expired', 'denied', 'cancelled'];

export function approvalStatusOf(status: RequestStatus, approved: boolean): ApprovalStatus {
  if (approved) return 'approved';
  switch (status) {
    case 'rejected':
    case 'expired':
    case 'denied':
    case 'cancelled':
    case 'pending_approval':
      return status;
    // Only an approval moves a pending request on to run; without one, it is still waiting.
    default:
      return 'pending_approval';
  }
}
