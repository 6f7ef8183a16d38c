/**
 * The approvals report: for every request that needed a human's approval, proof from the log's own
 * order that the controls held — each approval was recorded before execution started (global
 * positions compared), the SQL executed is the SQL approved (ExecutionStarted.sqlHash equals every
 * ApprovalDecided.sqlHash), the approvers are distinct people, none of them the requester, and there
 * were as many as the policy required. Anything else is listed as a violation.
 */
import { countDistinctApprovers, samePerson } from '../domain/approvals/eligibility.js';
import type { PrincipalSnapshot } from '../domain/events/shared-schemas.js';
import type { RecordedEvent } from '../domain/ports.js';
import { requestEventOf } from '../domain/request/request-stream.js';
import { statusAfter, terminalStatuses, type RequestStatus } from '../domain/request/request-status.js';
import type { Projection } from './projection.js';

export interface ApprovalsReportItem {
  requestId: string;
  requestedAt: string;
  requester: { subject: string; email?: string; actor?: string };
  sqlHash: string;
  rule: string;
  requiredApprovals: number;
  approvalRequestedPosition: number | null;
  decisions: { subject: string; email?: string; decision: string; at: string; position: number; sqlHash: string; policyHash: string }[];
  approvedAt: string | null;
  approvedPosition: number | null;
  executions: { position: number; at: string; sqlHash: string; jobId: string; resumed: boolean; approvalRequired: boolean }[];
  /** The request's status in the shared vocabulary (`ready` once approved and not yet started). */
  outcome: RequestStatus;
  checks: {
    approvalsBeforeExecution: boolean;
    executedSqlMatchesApproved: boolean;
    approversDistinct: boolean;
    requesterNotApprover: boolean;
    quorumMet: boolean;
  };
  violations: string[];
}

export interface ApprovalsReport {
  items: ApprovalsReportItem[];
  totals: { requests: number; approved: number; rejected: number; expired: number; cancelled: number; executed: number; withViolations: number };
}

export interface ApprovalsReportFilter {
  from?: Date;
  to?: Date;
  principal?: string;
}

export interface ApprovalsReportProjection extends Projection {
  report(filter?: ApprovalsReportFilter): ApprovalsReport;
}

interface Tracked {
  requestedAt: string;
  requester: PrincipalSnapshot;
  sqlHash: string;
  effect: string;
  rule: string;
  required: number;
  approvalRequestedPosition: number | null;
  decisions: (ApprovalsReportItem['decisions'][number] & { decider: PrincipalSnapshot })[];
  approvedAt: string | null;
  approvedPosition: number | null;
  executions: ApprovalsReportItem['executions'];
  outcome: RequestStatus;
  involvesApproval: boolean;
}

export function createApprovalsReport(): ApprovalsReportProjection {
  const requests = new Map<string, Tracked>();

  return {
    name: 'approvals-report',
    apply(recorded: RecordedEvent) {
      const found = requestEventOf(recorded);
      if (!found) return;
      const { requestId, event, at } = found;
      if (event.type === 'QueryRequested') {
        requests.set(requestId, {
          requestedAt: at,
          requester: event.data.principal,
          sqlHash: event.data.sqlHash,
          effect: '',
          rule: '',
          required: 0,
          approvalRequestedPosition: null,
          decisions: [],
          approvedAt: null,
          approvedPosition: null,
          executions: [],
          outcome: statusAfter('ready', event.type),
          involvesApproval: false,
        });
        return;
      }
      const r = requests.get(requestId);
      if (!r) return;
      r.outcome = statusAfter(r.outcome, event.type);
      switch (event.type) {
        case 'PolicyEvaluated':
          r.effect = event.data.effect;
          r.rule = event.data.rule;
          if (event.data.effect === 'approve') r.involvesApproval = true;
          r.required = event.data.approval?.required ?? r.required;
          break;
        case 'QueryReevaluated':
          r.effect = event.data.effect;
          r.rule = event.data.rule;
          break;
        case 'ApprovalRequested':
          r.involvesApproval = true;
          r.approvalRequestedPosition = recorded.position;
          r.required = event.data.settings.required;
          break;
        case 'ApprovalDecided':
          r.involvesApproval = true;
          r.decisions.push({
            subject: event.data.decider.subject,
            ...(event.data.decider.email ? { email: event.data.decider.email } : {}),
            decision: event.data.decision,
            at,
            position: recorded.position,
            sqlHash: event.data.sqlHash,
            policyHash: event.data.policyHash,
            decider: event.data.decider,
          });
          break;
        case 'QueryApproved':
          r.approvedAt = at;
          r.approvedPosition = recorded.position;
          break;
        case 'ExecutionStarted':
          r.executions.push({
            position: recorded.position,
            at,
            sqlHash: event.data.sqlHash,
            jobId: event.data.jobId,
            resumed: event.data.resumed === true,
            approvalRequired: r.effect === 'approve',
          });
          break;
      }
      // Running or finished without an approval in its life: it can never enter this report, so it is not kept.
      if (!r.involvesApproval && (r.outcome === 'running' || terminalStatuses.has(r.outcome))) requests.delete(requestId);
    },
    report(filter = {}) {
      const from = filter.from?.getTime() ?? -Infinity;
      const to = filter.to?.getTime() ?? Infinity;
      const items: ApprovalsReportItem[] = [];
      for (const [requestId, r] of requests) {
        if (!r.involvesApproval) continue;
        const t = Date.parse(r.requestedAt);
        if (t < from || t >= to) continue;
        const who = [r.requester.subject, r.requester.email, r.requester.actor?.subject, r.requester.actor?.email];
        if (filter.principal && !who.includes(filter.principal)) continue;
        items.push(itemOf(requestId, r));
      }
      items.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
      return {
        items,
        totals: {
          requests: items.length,
          approved: items.filter((i) => i.approvedPosition !== null).length,
          rejected: items.filter((i) => i.outcome === 'rejected').length,
          expired: items.filter((i) => i.outcome === 'expired').length,
          cancelled: items.filter((i) => i.outcome === 'cancelled').length,
          executed: items.filter((i) => i.executions.length > 0).length,
          withViolations: items.filter((i) => i.violations.length > 0).length,
        },
      };
    },
  };
}

function itemOf(requestId: string, r: Tracked): ApprovalsReportItem {
  const violations: string[] = [];
  const approvals = r.decisions.filter((d) => d.decision === 'approve');
  const guarded = r.executions.filter((e) => e.approvalRequired);

  let approvalsBeforeExecution = true;
  let executedSqlMatchesApproved = true;
  for (const execution of guarded) {
    if (r.approvedPosition === null || r.approvedPosition > execution.position) {
      approvalsBeforeExecution = false;
      violations.push(`execution at position ${execution.position} started without a recorded approval before it`);
    }
    for (const approval of approvals) {
      if (approval.position > execution.position) {
        approvalsBeforeExecution = false;
        violations.push(`approval by ${approval.subject} at position ${approval.position} comes after execution at position ${execution.position}`);
      }
      if (approval.sqlHash !== execution.sqlHash) {
        executedSqlMatchesApproved = false;
        violations.push(`executed SQL hash ${execution.sqlHash} at position ${execution.position} differs from the SQL hash ${approval.sqlHash} ${approval.subject} approved`);
      }
    }
    if (execution.sqlHash !== r.sqlHash) {
      executedSqlMatchesApproved = false;
      violations.push(`executed SQL hash at position ${execution.position} differs from the requested SQL hash`);
    }
  }

  const approvers = approvals.map((a) => a.decider);
  const approversDistinct = countDistinctApprovers(approvers) === approvers.length;
  if (!approversDistinct) violations.push('the same person approved more than once');
  const requesterNotApprover = !approvers.some((a) => samePerson(a, r.requester));
  if (!requesterNotApprover) violations.push('the requester approved their own request');
  const quorumMet = r.approvedPosition === null || countDistinctApprovers(approvers.filter((a) => !samePerson(a, r.requester))) >= r.required;
  if (!quorumMet) violations.push(`approved with fewer than the ${r.required} distinct approvers the policy required`);

  return {
    requestId,
    requestedAt: r.requestedAt,
    requester: {
      subject: r.requester.subject,
      ...(r.requester.email ? { email: r.requester.email } : {}),
      ...(r.requester.actor ? { actor: r.requester.actor.subject } : {}),
    },
    sqlHash: r.sqlHash,
    rule: r.rule,
    requiredApprovals: r.required,
    approvalRequestedPosition: r.approvalRequestedPosition,
    decisions: r.decisions.map(({ decider: _decider, ...decision }) => ({ ...decision })),
    approvedAt: r.approvedAt,
    approvedPosition: r.approvedPosition,
    executions: r.executions.map((e) => ({ ...e })),
    outcome: r.outcome,
    checks: { approvalsBeforeExecution, executedSqlMatchesApproved, approversDistinct, requesterNotApprover, quorumMet },
    violations,
  };
}
