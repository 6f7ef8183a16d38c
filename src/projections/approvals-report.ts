/**
 * The approvals report: for every request that needed a human's approval, proof from the log's own
 * order that the controls held — each approval was recorded before execution started (global
 * positions compared), the SQL executed is the SQL approved (ExecutionStarted.sqlHash equals every
 * ApprovalDecided.sqlHash), the approvers are distinct people, none of them the requester, and there
 * were as many as the policy required. Anything else is listed as a violation (approvals-report-checks.ts).
 * Persisted in `approvals_report`: one row per request that involved an approval (others are dropped
 * once they run or end), its facts as JSON, time and requester indexed for the report's filters.
 */
import type Database from 'better-sqlite3';
import type { FoldableEvent } from '../domain/ports.js';
import { requestEventOf } from '../domain/request/request-stream.js';
import { statusAfter, terminalStatuses, type RequestStatus } from '../domain/request/request-status.js';
import type { Tracked } from './approvals-report-checks.js';
import { batchRows, type BatchRows } from './batch-rows.js';
import type { SqlProjection } from './projection.js';
import { unreadByReadModels } from './unread-data.js';

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

export const approvalsReportProjection: SqlProjection = {
  name: 'approvals_report',
  version: 1,
  unreadData: unreadByReadModels,
  create(db: Database.Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS approvals_report (
        request_id TEXT PRIMARY KEY, involves INTEGER NOT NULL, requested_at TEXT NOT NULL, requested_ms INTEGER NOT NULL,
        subject TEXT NOT NULL, email TEXT NOT NULL, actor_subject TEXT NOT NULL, actor_email TEXT NOT NULL, doc TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS approvals_report_time ON approvals_report (involves, requested_at, request_id);
    `);
  },
  drop: (db) => db.exec('DROP TABLE IF EXISTS approvals_report'),
  applier(db) {
    const load = db.prepare('SELECT doc FROM approvals_report WHERE request_id = ?').pluck();
    const save = db.prepare(
      'INSERT INTO approvals_report (request_id, involves, requested_at, requested_ms, subject, email, actor_subject, actor_email, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) DO UPDATE SET involves = excluded.involves, requested_at = excluded.requested_at, requested_ms = excluded.requested_ms, subject = excluded.subject, email = excluded.email, actor_subject = excluded.actor_subject, actor_email = excluded.actor_email, doc = excluded.doc',
    );
    const remove = db.prepare('DELETE FROM approvals_report WHERE request_id = ?');
    const requests = batchRows<Tracked>({
      load: (requestId) => {
        const json = load.get(requestId) as string | undefined;
        return json === undefined ? undefined : (JSON.parse(json) as Tracked);
      },
      save(requestId, r) {
        const p = r.requester;
        save.run(requestId, r.involvesApproval ? 1 : 0, r.requestedAt, Date.parse(r.requestedAt), p.subject, p.email ?? '', p.actor?.subject ?? '', p.actor?.email ?? '', JSON.stringify(r));
      },
      remove: (requestId) => void remove.run(requestId),
    });
    return { apply: (event) => fold(requests, event), flush: () => requests.flush(), discard: () => requests.discard() };
  },
};

function fold(requests: BatchRows<Tracked>, recorded: FoldableEvent): void {
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
  requests.set(requestId, r);
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
}
