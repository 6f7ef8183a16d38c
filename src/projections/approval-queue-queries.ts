/** Reads of the persisted approval queue: paged SQL over `approval_queue` and `approval_history`. */
import type Database from 'better-sqlite3';
import type { ApprovalStatus } from '../domain/request/request-status.js';
import { approvalQueueProjection, type PendingApproval, type QueueDoc } from './approval-queue.js';
import { onFirstUse } from './read-model-db.js';
import type { ReadModelStatus } from './read-model-status.js';

export interface ApprovalQueue {
  /** Approvals in that status (or all), oldest request first, read page by page. */
  list(status: ApprovalStatus | 'all'): PendingApproval[];
  pending(): PendingApproval[];
  countPending(): number;
  /** One request's approval (any status), or undefined when it never needed one. */
  get(requestId: string): PendingApproval | undefined;
  historyOf(approverSubject: string): { requestId: string; decision: string; at: string }[];
  /** The earliest deadline among pending requests, for the expiry timer. */
  nextDeadline(): { requestId: string; expiresAt: string } | undefined;
}

const pageSize = 500;
const approvalOf = (json: string): PendingApproval => (JSON.parse(json) as QueueDoc).approval as PendingApproval;

export function createApprovalQueue(db: Database.Database, status: ReadModelStatus): ApprovalQueue {
  const ready = () => status.assertReady(approvalQueueProjection.name);
  const inStatus = onFirstUse(() => db.prepare(
    'SELECT request_id, requested_at, doc FROM approval_queue WHERE queued = 1 AND status = @status AND (requested_at, request_id) > (@at, @id) ORDER BY requested_at, request_id LIMIT @limit',
  ));
  const every = onFirstUse(() => db.prepare(
    'SELECT request_id, requested_at, doc FROM approval_queue WHERE queued = 1 AND (requested_at, request_id) > (@at, @id) ORDER BY requested_at, request_id LIMIT @limit',
  ));
  const count = onFirstUse(() => db.prepare("SELECT count(*) FROM approval_queue WHERE queued = 1 AND status = 'pending_approval'").pluck());
  const one = onFirstUse(() => db.prepare('SELECT doc FROM approval_queue WHERE request_id = ? AND queued = 1').pluck());
  const history = onFirstUse(() => db.prepare('SELECT request_id AS requestId, decision, at FROM approval_history WHERE approver = ? ORDER BY position'));
  const next = onFirstUse(() => db.prepare("SELECT request_id, doc FROM approval_queue WHERE queued = 1 AND status = 'pending_approval' ORDER BY expires_ms, request_id LIMIT 1"));

  function list(wanted: ApprovalStatus | 'all'): PendingApproval[] {
    ready();
    const statement = wanted === 'all' ? every() : inStatus();
    const found: PendingApproval[] = [];
    let cursor = { at: '', id: '' };
    for (;;) {
      const page = statement.all({ ...(wanted === 'all' ? {} : { status: wanted }), ...cursor, limit: pageSize }) as { request_id: string; requested_at: string; doc: string }[];
      for (const row of page) found.push(approvalOf(row.doc));
      const last = page[page.length - 1];
      if (!last || page.length < pageSize) return found;
      cursor = { at: last.requested_at, id: last.request_id };
    }
  }

  return {
    list,
    pending: () => list('pending_approval'),
    countPending() {
      ready();
      return count().get() as number;
    },
    get(requestId) {
      ready();
      const json = one().get(requestId) as string | undefined;
      return json === undefined ? undefined : approvalOf(json);
    },
    historyOf(subject) {
      ready();
      return history().all(subject) as { requestId: string; decision: string; at: string }[];
    },
    nextDeadline() {
      ready();
      const row = next().get() as { request_id: string; doc: string } | undefined;
      return row ? { requestId: row.request_id, expiresAt: approvalOf(row.doc).expiresAt } : undefined;
    },
  };
}
