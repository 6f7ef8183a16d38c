/**
 * The approvals report's checks for one request, from its folded facts: approvals recorded before
 * execution (global positions compared), executed SQL equal to the approved SQL, distinct approvers,
 * none of them the requester, and the policy's quorum. Anything else is listed as a violation.
 */
import { countDistinctApprovers, samePerson } from '../domain/approvals/eligibility.js';
import type { PrincipalSnapshot } from '../domain/events/shared-schemas.js';
import type { RequestStatus } from '../domain/request/request-status.js';
import type { ApprovalsReportItem } from './approvals-report.js';

/** What the approvals report keeps of one request (persisted as JSON). */
export interface Tracked {
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

export function itemOf(requestId: string, r: Tracked): ApprovalsReportItem {
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
