/**
 * Reads of the persisted access log: paged SQL over `access_log` (keyset on the request's first
 * position), so an answer streams page by page and the process never holds the history.
 */
import type Database from 'better-sqlite3';
import type { AccessLogRow } from './access-log.js';
import { accessLogRowColumns, decodeAccessLogRow, type AccessLogColumns } from './access-log-row-codec.js';
import { accessLogProjection } from './access-log.js';
import { onFirstUse } from './read-model-db.js';
import type { ReadModelStatus } from './read-model-status.js';

export interface AccessLogFilter {
  from?: Date;
  to?: Date;
  principal?: string;
  sessionId?: string;
  decision?: string;
  status?: string;
}

export interface AccessLog {
  /** Matching rows in log order, one page at a time. */
  pages(filter?: AccessLogFilter, pageSize?: number): Generator<AccessLogRow[]>;
  /** Every matching row (read page by page): for small answers and tests. */
  rows(filter?: AccessLogFilter): AccessLogRow[];
  get(requestId: string): AccessLogRow | undefined;
  /** Requests allowed or approved but not finished: the saga resumes these at start. */
  inFlight(): string[];
}

export function createAccessLog(db: Database.Database, status: ReadModelStatus): AccessLog {
  const name = accessLogProjection.name;
  // One statement per combination of filters given (at most 2^6), prepared once.
  const prepared = new Map<string, Database.Statement>();
  const statementFor = (filter: AccessLogFilter) => {
    const where = ['position > @after'];
    if (filter.from) where.push('time_ms >= @from');
    if (filter.to) where.push('time_ms < @to');
    if (filter.principal) where.push('(subject = @principal OR email = @principal OR actor = @principal)');
    if (filter.sessionId) where.push('session_id = @sessionId');
    if (filter.decision) where.push('decision = @decision');
    if (filter.status) where.push('status = @status');
    const sql = `SELECT ${accessLogRowColumns} FROM access_log WHERE ${where.join(' AND ')} ORDER BY position LIMIT @limit`;
    let statement = prepared.get(sql);
    if (!statement) prepared.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
  const byId = onFirstUse(() => db.prepare(`SELECT ${accessLogRowColumns} FROM access_log WHERE request_id = ?`));
  const inFlight = onFirstUse(() => db.prepare("SELECT request_id FROM access_log WHERE status IN ('ready', 'running') ORDER BY position").pluck());

  function* pages(filter: AccessLogFilter = {}, pageSize = 500): Generator<AccessLogRow[]> {
    status.assertReady(name);
    const statement = statementFor(filter);
    const params = {
      ...(filter.from ? { from: filter.from.getTime() } : {}),
      ...(filter.to ? { to: filter.to.getTime() } : {}),
      ...(filter.principal ? { principal: filter.principal } : {}),
      ...(filter.sessionId ? { sessionId: filter.sessionId } : {}),
      ...(filter.decision ? { decision: filter.decision } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      limit: pageSize,
    };
    let after = -1;
    for (;;) {
      const found = statement.all({ ...params, after }) as AccessLogColumns[];
      if (found.length === 0) return;
      yield found.map(decodeAccessLogRow);
      if (found.length < pageSize) return;
      after = (found[found.length - 1] as AccessLogColumns).position;
    }
  }

  return {
    pages,
    rows: (filter) => [...pages(filter)].flat(),
    get(requestId) {
      status.assertReady(name);
      const stored = byId().get(requestId) as AccessLogColumns | undefined;
      return stored === undefined ? undefined : decodeAccessLogRow(stored);
    },
    inFlight() {
      status.assertReady(name);
      return inFlight().all() as string[];
    },
  };
}
