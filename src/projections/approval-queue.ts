/**
 * Approval state: the pending queue (with deadlines, for the durable expiry), each request's
 * decisions, and each approver's history.
 */
import type { RecordedEvent } from '../domain/ports.js';
import { requestEventOf } from '../domain/request/request-stream.js';
import { approvalStatusOf, statusAfter, terminalStatuses, type ApprovalStatus, type RequestStatus } from '../domain/request/request-status.js';
import type { Projection } from './projection.js';

export interface PendingApproval {
  requestId: string;
  sql: string;
  sqlHash: string;
  requester: { subject: string; email?: string; actor?: string };
  reason: string;
  rule: string;
  tables: string[];
  statements: string[];
  bytesEstimate: number | null;
  costEstimateUsd: number | null;
  approverGroups: string[];
  required: number;
  approvals: { subject: string; email?: string; at: string; comment?: string }[];
  requestedAt: string;
  expiresAt: string;
  sessionId: string;
  /** Read off the request's shared status: a requester's cancellation is `cancelled`, never `rejected`. */
  status: ApprovalStatus;
  plannedMasking: { name: string; type: string; masked?: string }[];
}

export interface ApprovalQueue extends Projection {
  pending(): PendingApproval[];
  all(): PendingApproval[];
  /** One request's approval (any status), or undefined when it never needed one. */
  get(requestId: string): PendingApproval | undefined;
  historyOf(approverSubject: string): { requestId: string; decision: string; at: string }[];
  /** The earliest deadline among pending requests, for the expiry timer. */
  nextDeadline(): { requestId: string; expiresAt: string } | undefined;
}

export function createApprovalQueue(): ApprovalQueue {
  // What a request that may still ask for approval brings to its queue entry; dropped once it is in
  // the queue, runs or ends, so memory holds only requests in flight and approvals.
  const requests = new Map<string, { sql: string; sqlHash: string; requester: PendingApproval['requester']; reason: string; sessionId: string; tables: string[]; statements: string[]; bytesEstimate: number | null; costEstimateUsd: number | null; plannedMasking: PendingApproval['plannedMasking'] }>();
  // Each live request's status in the shared vocabulary, kept on for requests that have an approval.
  const tracks = new Map<string, { status: RequestStatus; approved: boolean }>();
  const approvals = new Map<string, PendingApproval>();
  const history = new Map<string, { requestId: string; decision: string; at: string }[]>();

  return {
    name: 'approval-queue',
    apply(recorded: RecordedEvent) {
      const found = requestEventOf(recorded);
      if (!found) return;
      const { requestId, event, at } = found;
      const tracked = event.type === 'QueryRequested' ? { status: statusAfter('ready', event.type), approved: false } : tracks.get(requestId);
      if (!tracked) return;
      tracks.set(requestId, tracked);
      tracked.status = statusAfter(tracked.status, event.type);
      if (event.type === 'QueryApproved') tracked.approved = true;
      switch (event.type) {
        case 'QueryRequested': {
          const p = event.data.principal;
          requests.set(requestId, {
            sql: event.data.sql,
            sqlHash: event.data.sqlHash,
            requester: { subject: p.subject, ...(p.email ? { email: p.email } : {}), ...(p.actor ? { actor: p.actor.subject } : {}) },
            reason: event.data.reason ?? '',
            sessionId: event.data.sessionId ?? '',
            tables: [],
            statements: [],
            bytesEstimate: null,
            costEstimateUsd: null,
            plannedMasking: [],
          });
          break;
        }
        case 'QueryAnalysed': {
          const request = requests.get(requestId);
          if (request) {
            request.tables = [...event.data.tables];
            request.statements = [...event.data.kinds];
            request.bytesEstimate = event.data.bytesEstimate ?? null;
            request.costEstimateUsd = event.data.costEstimateUsd ?? null;
            request.plannedMasking = event.data.plannedMasking ? [...event.data.plannedMasking] : [];
          }
          break;
        }
        case 'ApprovalRequested': {
          const request = requests.get(requestId);
          if (!request) break;
          requests.delete(requestId);
          approvals.set(requestId, {
            requestId,
            ...request,
            rule: event.data.rule,
            approverGroups: [...event.data.settings.approverGroups],
            required: event.data.settings.required,
            approvals: [],
            requestedAt: at,
            expiresAt: event.data.expiresAt,
            status: 'pending_approval',
          });
          break;
        }
        case 'ApprovalDecided': {
          const approval = approvals.get(requestId);
          const entry = { requestId, decision: event.data.decision, at };
          const decided = history.get(event.data.decider.subject);
          if (decided) decided.push(entry);
          else history.set(event.data.decider.subject, [entry]);
          if (approval && event.data.decision === 'approve') {
            approval.approvals.push({
              subject: event.data.decider.subject,
              ...(event.data.decider.email ? { email: event.data.decider.email } : {}),
              at,
              ...(event.data.comment ? { comment: event.data.comment } : {}),
            });
          }
          break;
        }
        default:
          break;
      }
      const approval = approvals.get(requestId);
      if (approval) approval.status = approvalStatusOf(tracked.status, tracked.approved);
      // Running or finished without asking for approval: it never will now.
      else if (tracked.status === 'running' || terminalStatuses.has(tracked.status)) {
        requests.delete(requestId);
        tracks.delete(requestId);
      }
    },
    pending: () => [...approvals.values()].filter((a) => a.status === 'pending_approval'),
    all: () => [...approvals.values()],
    get: (requestId) => approvals.get(requestId),
    historyOf: (subject) => [...(history.get(subject) ?? [])],
    nextDeadline() {
      let next: { requestId: string; expiresAt: string } | undefined;
      for (const a of approvals.values()) {
        if (a.status !== 'pending_approval') continue;
        if (!next || Date.parse(a.expiresAt) < Date.parse(next.expiresAt)) next = { requestId: a.requestId, expiresAt: a.expiresAt };
      }
      return next;
    },
  };
}
