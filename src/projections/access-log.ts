/**
 * The access log: one row per query request with the columns an auditor samples — who (subject,
 * email, actor, groups, address, user agent, session), what (SQL, its hash, tables), the decision
 * (effect, rule, policy hash, approvers with times), and the outcome (status, rows, bytes, masked columns).
 * Persisted: one row per request in `access_log`, the columns filters use indexed, the rest of the row
 * packed as a JSON array (access-log-row-codec.ts).
 *
 * A row shows at most the first `accessLogSqlChars` characters of the SQL, with the whole text's length
 * and SHA-256: the whole text stays in the request's `QueryRequested` event (session replay, evidence).
 * Writing a 1 MB statement refused for its size into every row read and export cost the event loop
 * more than recording it (bench/README.md, "A caller sending 1 MB statements").
 */
import type Database from 'better-sqlite3';
import type { FoldableEvent } from '../domain/ports.js';
import { requestEventOf } from '../domain/request/request-stream.js';
import { statusAfter, terminalStatuses, type RequestStatus } from '../domain/request/request-status.js';
import { accessLogRowColumns, decodeAccessLogRow, encodeAccessLogRow, type AccessLogColumns } from './access-log-row-codec.js';
import { batchRows } from './batch-rows.js';
import type { SqlProjection } from './projection.js';
import { unreadByReadModels } from './unread-data.js';

export interface AccessLogRow {
  time: string;
  requestId: string;
  subject: string;
  email: string;
  actor: string;
  groups: string[];
  clientIp: string;
  userAgent: string;
  sessionId: string;
  channel: string;
  /** The SQL, its first `accessLogSqlChars` characters when longer (then `sqlLength` says how long it is). */
  sql: string;
  /** SHA-256 of the whole SQL text. */
  sqlHash: string;
  /** Characters (UTF-16 units) in the whole SQL text. */
  sqlLength: number;
  reason: string;
  tables: string[];
  statements: string[];
  decision: string;
  rule: string;
  policyHash: string;
  approvers: { subject: string; email?: string; decision: string; at: string; comment?: string }[];
  /** The shared request vocabulary (`src/domain/request/request-status.ts`), `cancelled` and `ready` included. */
  status: RequestStatus;
  error: string;
  jobId: string;
  rows: number | null;
  bytesProcessed: number | null;
  maskedColumns: string[];
  detectorHits: number;
  finishedAt: string;
  /** Global position of the request's first event (stable sort key). */
  position: number;
}

/** The most SQL a row shows; 64 Ki characters is far more than a statement a person reads. */
export const accessLogSqlChars = 65_536;

/** The SQL a row shows: whole, or its first accessLogSqlChars characters (never half a surrogate pair). */
function shownSql(sql: string): string {
  if (sql.length <= accessLogSqlChars) return sql;
  const end = /[\ud800-\udbff]/.test(sql.charAt(accessLogSqlChars - 1)) ? accessLogSqlChars - 1 : accessLogSqlChars;
  return sql.slice(0, end);
}

export const accessLogProjection: SqlProjection = {
  name: 'access_log',
  // 2: rows show at most accessLogSqlChars of the SQL, and its length. 3: the row packed (a smaller write).
  version: 3,
  unreadData: unreadByReadModels,
  create(db: Database.Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS access_log (
        position INTEGER PRIMARY KEY, request_id TEXT NOT NULL UNIQUE, time_ms INTEGER NOT NULL,
        subject TEXT NOT NULL, email TEXT NOT NULL, actor TEXT NOT NULL, session_id TEXT NOT NULL,
        decision TEXT NOT NULL, status TEXT NOT NULL, row TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS access_log_time ON access_log (time_ms);
      CREATE INDEX IF NOT EXISTS access_log_session ON access_log (session_id);
      CREATE INDEX IF NOT EXISTS access_log_in_flight ON access_log (status) WHERE status IN ('ready', 'running');
    `);
  },
  drop: (db) => db.exec('DROP TABLE IF EXISTS access_log'),
  applier(db) {
    const load = db.prepare(`SELECT ${accessLogRowColumns} FROM access_log WHERE request_id = ?`);
    const save = db.prepare(
      'INSERT INTO access_log (position, request_id, time_ms, subject, email, actor, session_id, decision, status, row) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (position) DO UPDATE SET request_id = excluded.request_id, time_ms = excluded.time_ms, subject = excluded.subject, email = excluded.email, actor = excluded.actor, session_id = excluded.session_id, decision = excluded.decision, status = excluded.status, row = excluded.row',
    );
    const rows = batchRows<AccessLogRow>({
      load: (requestId) => {
        const stored = load.get(requestId) as AccessLogColumns | undefined;
        return stored === undefined ? undefined : decodeAccessLogRow(stored);
      },
      save: (_id, r) => void save.run(r.position, r.requestId, Date.parse(r.time), r.subject, r.email, r.actor, r.sessionId, r.decision, r.status, encodeAccessLogRow(r)),
      // The access log keeps every request: a row is never deleted.
      remove: () => undefined,
    });
    return { apply: (event) => fold(rows, event), flush: () => rows.flush(), discard: () => rows.discard() };
  },
};

function fold(rows: { get(id: string): AccessLogRow | undefined; set(id: string, row: AccessLogRow): void }, recorded: FoldableEvent): void {
  const found = requestEventOf(recorded);
  if (!found) return;
  const { requestId, event, at } = found;
  if (event.type === 'QueryRequested') {
    const d = event.data;
    rows.set(requestId, {
      time: at,
      requestId,
      subject: d.principal.subject,
      email: d.principal.email ?? '',
      actor: d.principal.actor?.subject ?? '',
      groups: [...d.principal.groups],
      clientIp: d.clientIp ?? '',
      userAgent: d.userAgent ?? '',
      sessionId: d.sessionId ?? '',
      channel: d.channel,
      sql: shownSql(d.sql),
      sqlHash: d.sqlHash,
      sqlLength: d.sql.length,
      reason: d.reason ?? '',
      tables: [],
      statements: [],
      decision: '',
      rule: '',
      policyHash: '',
      approvers: [],
      status: statusAfter('ready', event.type),
      error: '',
      jobId: '',
      rows: null,
      bytesProcessed: null,
      maskedColumns: [],
      detectorHits: 0,
      finishedAt: '',
      position: recorded.position,
    });
    return;
  }
  const row = rows.get(requestId);
  if (!row) return;
  rows.set(requestId, row);
  const status = statusAfter(row.status, event.type);
  if (status !== row.status && terminalStatuses.has(status)) row.finishedAt = at;
  row.status = status;
  switch (event.type) {
    case 'QueryAnalysed':
      row.tables = [...event.data.tables];
      row.statements = [...event.data.kinds];
      break;
    case 'PolicyEvaluated':
      row.decision = event.data.effect;
      row.rule = event.data.rule;
      row.policyHash = event.data.policyHash;
      break;
    case 'QueryDenied':
      row.error = event.data.reason;
      break;
    case 'ApprovalDecided':
      row.approvers.push({
        subject: event.data.decider.subject,
        ...(event.data.decider.email ? { email: event.data.decider.email } : {}),
        decision: event.data.decision,
        at,
        ...(event.data.comment ? { comment: event.data.comment } : {}),
      });
      break;
    case 'QueryReevaluated':
      row.policyHash = event.data.policyHash;
      row.decision = event.data.effect;
      row.rule = event.data.rule;
      break;
    case 'ExecutionStarted':
      row.jobId = event.data.jobId;
      break;
    case 'ExecutionSucceeded':
      row.rows = event.data.rowCount;
      row.bytesProcessed = event.data.bytesProcessed;
      break;
    case 'ResultMasked':
      row.maskedColumns = event.data.maskedColumns.map((c) => `${c.column}:${c.rule}`);
      row.detectorHits = event.data.detectorHits.reduce((sum, h) => sum + h.count, 0);
      break;
    case 'ExecutionFailed':
      row.error = `${event.data.code}: ${event.data.message}`;
      break;
    case 'ExecutionCancelled':
      row.error = `cancelled by ${event.data.by}`;
      break;
  }
}
