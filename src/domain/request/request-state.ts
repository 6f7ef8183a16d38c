/**
 * A query request's state, folded from its stream with `evolve`, starting from `initialRequestState`
 * (no request yet). Occurrence times come from event metadata, not from the events themselves.
 */
import type {
  ApprovalDecided,
  ApprovalRequested,
  PolicyEvaluated,
  QueryAnalysed,
  QueryDenied,
  QueryRequested,
  ResultDelivered,
  ResultMasked,
  ExecutionSucceeded,
} from '../events/index.js';
import type { RequestEvent } from './request-stream.js';
import { statusAfter, type RequestStatus } from './request-status.js';

export { terminalStatuses, type RequestStatus } from './request-status.js';

export interface RequestState {
  readonly status: RequestStatus;
  readonly request: QueryRequested;
  readonly analysis?: QueryAnalysed;
  readonly evaluation?: PolicyEvaluated;
  readonly denial?: QueryDenied;
  readonly approval?: {
    readonly requested: ApprovalRequested;
    readonly decisions: readonly ApprovalDecided[];
    readonly approvedAt?: string;
  };
  readonly execution?: {
    readonly jobId: string;
    readonly policyHash: string;
    readonly starts: number;
    /** Where the job runs (BigQuery location), when recorded. */
    readonly location?: string;
    /** Which attempt the current job id is (1 for the first job of the request). */
    readonly attempt: number;
  };
  readonly outcome?: ExecutionSucceeded;
  readonly failure?: { readonly code: string; readonly message: string };
  readonly masking?: ResultMasked;
  readonly result?: ResultDelivered;
  /** Policy hash the request will run under (updated by re-evaluation). */
  readonly policyHash: string;
  /** Occurrence times of milestones (from event metadata), for views. */
  readonly times: RequestTimes;
}

/** ISO-8601 occurrence times of a request's milestones. */
export interface RequestTimes {
  readonly requested: string;
  /** Judged by the policy. */
  readonly decided?: string;
  readonly approved?: string;
  /** The first execution start (a resumed start keeps it). */
  readonly started?: string;
  readonly executed?: string;
  /** Reached a final status. */
  readonly finished?: string;
}

/** Before the stream's first event: no request exists. */
export interface NoRequest {
  readonly status: 'none';
}

/** What the decider decides on: no request yet, or the request so far. */
export type RequestDeciderState = NoRequest | RequestState;

export const initialRequestState = (): RequestDeciderState => ({ status: 'none' });

export function evolve(state: RequestDeciderState, event: RequestEvent, occurredAt: string): RequestDeciderState {
  if (event.type === 'QueryRequested') {
    return { status: statusAfter('ready', event.type), request: event.data, policyHash: '0'.repeat(64), times: { requested: occurredAt } };
  }
  // Events without a QueryRequested before them describe no request; they change nothing.
  if (state.status === 'none') return state;
  const folded = evolveDetails(state, event, occurredAt);
  // The status itself comes from the one vocabulary every projection shares.
  return { ...folded, status: statusAfter(state.status, event.type) };
}

function evolveDetails(state: RequestState, event: RequestEvent, occurredAt: string): RequestState {
  const times = { ...state.times };
  switch (event.type) {
    case 'QueryRequested':
      return state;
    case 'QueryAnalysed':
      return { ...state, analysis: event.data };
    case 'PolicyEvaluated':
      return { ...state, evaluation: event.data, policyHash: event.data.policyHash, times: { ...times, decided: occurredAt } };
    case 'QueryDenied':
      return { ...state, denial: event.data, times: { ...times, finished: occurredAt } };
    case 'ApprovalRequested':
      return { ...state, approval: { requested: event.data, decisions: [] } };
    case 'ApprovalDecided':
      return state.approval
        ? { ...state, approval: { ...state.approval, decisions: [...state.approval.decisions, event.data] } }
        : state;
    case 'QueryApproved':
      return {
        ...state,
        approval: state.approval ? { ...state.approval, approvedAt: occurredAt } : state.approval,
        times: { ...times, approved: occurredAt },
      };
    case 'QueryRejected':
      return { ...state, times: { ...times, finished: occurredAt } };
    case 'ApprovalExpired':
      return { ...state, times: { ...times, finished: occurredAt } };
    case 'QueryReevaluated':
      return { ...state, policyHash: event.data.policyHash };
    case 'ExecutionStarted':
      return {
        ...state,
        execution: {
          jobId: event.data.jobId,
          policyHash: event.data.policyHash,
          starts: (state.execution?.starts ?? 0) + 1,
          ...(event.data.location ? { location: event.data.location } : {}),
          attempt: event.data.attempt ?? 1,
        },
        times: { ...times, started: times.started ?? occurredAt },
      };
    case 'ExecutionSucceeded':
      return { ...state, outcome: event.data, times: { ...times, executed: occurredAt } };
    case 'ResultMasked':
      return { ...state, masking: event.data };
    case 'ResultDelivered':
      return { ...state, result: event.data, times: { ...times, finished: occurredAt } };
    case 'ExecutionFailed':
      return {
        ...state,
        failure: { code: event.data.code, message: event.data.message },
        times: { ...times, finished: occurredAt },
      };
    case 'ExecutionCancelled':
      return {
        ...state,
        failure: { code: 'cancelled', message: `Cancelled by ${event.data.by}` },
        times: { ...times, finished: occurredAt },
      };
  }
}
