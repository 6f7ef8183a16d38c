/**
 * Approval state: the pending queue (with deadlines, for the durable expiry), each request's
 * decisions, and each approver's history. Persisted in `approval_queue`: one row per request that
 * has entered the queue (kept) or may still enter it (dropped once it runs or ends without asking),
 * its fold state as JSON, status and deadline indexed; and `approval_history`, one row per decision.
 */
import type Database from 'better-sqlite3';
import type { FoldableEvent } from '../domain/ports.js';
import { requestEventOf } from '../domain/request/request-stream.js';
import { approvalStatusOf, statusAfter, terminalStatuses, type ApprovalStatus, type RequestStatus } from '../domain/request/request-status.js';
import { batchRows, type BatchRows } from './batch-rows.js';
import type { SqlProjection } from './projection.js';
import { unreadByReadModels } from './unread-data.js';

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

/** What a request that may still ask for approval brings to its queue entry. */
type RequestFacts = Pick<PendingApproval, 'sql' | 'sqlHash' | 'requester' | 'reason' | 'sessionId' | 'tables' | 'statements' | 'bytesEstimate' | 'costEstimateUsd' | 'plannedMasking'>;

/** One request's fold state: its status in the shared vocabulary, and its queue entry once it has one. */
export interface QueueDoc {
  status: RequestStatus;
  approved: boolean;
  request?: RequestFacts;
  approval?: PendingApproval;
}

export const approvalQueueProjection: SqlProjection = {
  name: 'approval_queue',
  version: 1,
  unreadData: unreadByReadModels,
  create(db: Database.Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS approval_queue (
        request_id TEXT PRIMARY KEY, queued INTEGER NOT NULL, status TEXT NOT NULL,
        requested_at TEXT NOT NULL, expires_ms INTEGER NOT NULL, doc TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS approval_queue_status ON approval_queue (queued, status, expires_ms);
      CREATE INDEX IF NOT EXISTS approval_queue_requested ON approval_queue (queued, requested_at, request_id);
      CREATE TABLE IF NOT EXISTS approval_history (
        approver TEXT NOT NULL, position INTEGER NOT NULL, request_id TEXT NOT NULL, decision TEXT NOT NULL, at TEXT NOT NULL,
        PRIMARY KEY (approver, position)) WITHOUT ROWID;
    `);
  },
  drop: (db) => db.exec('DROP TABLE IF EXISTS approval_queue; DROP TABLE IF EXISTS approval_history'),
  applier(db) {
    const load = db.prepare('SELECT doc FROM approval_queue WHERE request_id = ?').pluck();
    const save = db.prepare('INSERT INTO approval_queue (request_id, queued, status, requested_at, expires_ms, doc) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) DO UPDATE SET queued = excluded.queued, status = excluded.status, requested_at = excluded.requested_at, expires_ms = excluded.expires_ms, doc = excluded.doc');
    const remove = db.prepare('DELETE FROM approval_queue WHERE request_id = ?');
    const decided = db.prepare('INSERT OR REPLACE INTO approval_history (approver, position, request_id, decision, at) VALUES (?, ?, ?, ?, ?)');
    const docs = batchRows<QueueDoc>({
      load: (requestId) => {
        const json = load.get(requestId) as string | undefined;
        return json === undefined ? undefined : (JSON.parse(json) as QueueDoc);
      },
      save(requestId, doc) {
        const a = doc.approval;
        save.run(requestId, a ? 1 : 0, a ? a.status : doc.status, a?.requestedAt ?? '', a ? Date.parse(a.expiresAt) : 0, JSON.stringify(doc));
      },
      remove: (requestId) => void remove.run(requestId),
    });
    return {
      apply(event) {
        const entry = fold(docs, event);
        if (entry) decided.run(entry.approver, event.position, entry.requestId, entry.decision, entry.at);
      },
      flush: () => docs.flush(),
      discard: () => docs.discard(),
    };
  },
};

/** Folds one event into the request's doc; returns the approver-history entry an ApprovalDecided adds. */
function fold(docs: BatchRows<QueueDoc>, recorded: FoldableEvent): { approver: string; requestId: string; decision: string; at: string } | undefined {
  const found = requestEventOf(recorded);
  if (!found) return undefined;
  const { requestId, event, at } = found;
  const doc: QueueDoc | undefined = event.type === 'QueryRequested' ? { status: 'ready', approved: false } : docs.get(requestId);
  if (!doc) return undefined;
  doc.status = statusAfter(doc.status, event.type);
  if (event.type === 'QueryApproved') doc.approved = true;
  let history: { approver: string; requestId: string; decision: string; at: string } | undefined;
  switch (event.type) {
    case 'QueryRequested': {
      const p = event.data.principal;
      doc.request = {
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
      };
      break;
    }
    case 'QueryAnalysed':
      if (doc.request) {
        doc.request.tables = [...event.data.tables];
        doc.request.statements = [...event.data.kinds];
        doc.request.bytesEstimate = event.data.bytesEstimate ?? null;
        doc.request.costEstimateUsd = event.data.costEstimateUsd ?? null;
        doc.request.plannedMasking = event.data.plannedMasking ? [...event.data.plannedMasking] : [];
      }
      break;
    case 'ApprovalRequested':
      if (!doc.request || doc.approval) break;
      doc.approval = {
        requestId,
        ...doc.request,
        rule: event.data.rule,
        approverGroups: [...event.data.settings.approverGroups],
        required: event.data.settings.required,
        approvals: [],
        requestedAt: at,
        expiresAt: event.data.expiresAt,
        status: 'pending_approval',
      };
      delete doc.request;
      break;
    case 'ApprovalDecided':
      history = { approver: event.data.decider.subject, requestId, decision: event.data.decision, at };
      if (doc.approval && event.data.decision === 'approve') {
        doc.approval.approvals.push({
          subject: event.data.decider.subject,
          ...(event.data.decider.email ? { email: event.data.decider.email } : {}),
          at,
          ...(event.data.comment ? { comment: event.data.comment } : {}),
        });
      }
      break;
    default:
      break;
  }
  if (doc.approval) {
    doc.approval.status = approvalStatusOf(doc.status, doc.approved);
    docs.set(requestId, doc);
  } else if (doc.status === 'running' || terminalStatuses.has(doc.status)) {
    // Running or finished without asking for approval: it never will now.
    docs.delete(requestId);
  } else docs.set(requestId, doc);
  return history;
}
