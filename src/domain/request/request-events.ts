/** The events of one query request's stream (`query-<id>`), as a tagged union. */
import type {
  ApprovalDecided,
  ApprovalExpired,
  ApprovalRequested,
  ExecutionCancelled,
  ExecutionFailed,
  ExecutionStarted,
  ExecutionSucceeded,
  PolicyEvaluated,
  QueryAnalysed,
  QueryApproved,
  QueryDenied,
  QueryReevaluated,
  QueryRejected,
  QueryRequested,
  ResultDelivered,
  ResultMasked,
} from '../events/index.js';

export type RequestEvent =
  | { readonly type: 'QueryRequested'; readonly data: QueryRequested }
  | { readonly type: 'QueryAnalysed'; readonly data: QueryAnalysed }
  | { readonly type: 'PolicyEvaluated'; readonly data: PolicyEvaluated }
  | { readonly type: 'QueryDenied'; readonly data: QueryDenied }
  | { readonly type: 'ApprovalRequested'; readonly data: ApprovalRequested }
  | { readonly type: 'ApprovalDecided'; readonly data: ApprovalDecided }
  | { readonly type: 'QueryApproved'; readonly data: QueryApproved }
  | { readonly type: 'QueryRejected'; readonly data: QueryRejected }
  | { readonly type: 'ApprovalExpired'; readonly data: ApprovalExpired }
  | { readonly type: 'QueryReevaluated'; readonly data: QueryReevaluated }
  | { readonly type: 'ExecutionStarted'; readonly data: ExecutionStarted }
  | { readonly type: 'ExecutionSucceeded'; readonly data: ExecutionSucceeded }
  | { readonly type: 'ExecutionFailed'; readonly data: ExecutionFailed }
  | { readonly type: 'ExecutionCancelled'; readonly data: ExecutionCancelled }
  | { readonly type: 'ResultMasked'; readonly data: ResultMasked }
  | { readonly type: 'ResultDelivered'; readonly data: ResultDelivered };

export type RequestEventType = RequestEvent['type'];

const requestEventTypes: ReadonlySet<string> = new Set<RequestEventType>([
  'QueryRequested',
  'QueryAnalysed',
  'PolicyEvaluated',
  'QueryDenied',
  'ApprovalRequested',
  'ApprovalDecided',
  'QueryApproved',
  'QueryRejected',
  'ApprovalExpired',
  'QueryReevaluated',
  'ExecutionStarted',
  'ExecutionSucceeded',
  'ExecutionFailed',
  'ExecutionCancelled',
  'ResultMasked',
  'ResultDelivered',
]);

/** Narrows a stored event (already schema-validated by the store) to a request event. */
export function asRequestEvent(event: { type: string; data: unknown }): RequestEvent | undefined {
  return requestEventTypes.has(event.type) ? (event as RequestEvent) : undefined;
}

export const requestStreamName = (requestId: string): string => `query-${requestId}`;
export const requestIdOfStream = (stream: string): string | undefined =>
  stream.startsWith('query-') ? stream.slice('query-'.length) : undefined;

/** A stored event as a request event: the request it belongs to, the event, and when it occurred. */
export function requestEventOf(recorded: {
  streamName: string;
  type: string;
  data: unknown;
  metadata: { occurredAt: string };
}): { requestId: string; event: RequestEvent; at: string } | undefined {
  const requestId = requestIdOfStream(recorded.streamName);
  const event = requestId ? asRequestEvent(recorded) : undefined;
  return requestId && event ? { requestId, event, at: recorded.metadata.occurredAt } : undefined;
}
