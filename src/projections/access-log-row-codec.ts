/**
 * How an access-log row is stored: the members that are columns of `access_log` (filtered and indexed:
 * position, request id, subject, email, actor, session, decision, status) live only there, and the rest
 * is one JSON array in a fixed order — no member names, and the job id the gateway derives from the
 * request id (`ledgergate_<request id>`) as a 0. About 40 % of the bytes the row took as a JSON object,
 * and so of a rebuild's writes (bench/README.md, "Projection rebuild"). Decoding gives back exactly the
 * row that was encoded (test/unit/projections/access-log-row-codec.test.ts, over generated rows).
 */
import type { AccessLogRow } from './access-log.js';

/** The members kept in their own columns. */
export interface AccessLogColumns {
  readonly position: number;
  readonly request_id: string;
  readonly subject: string;
  readonly email: string;
  readonly actor: string;
  readonly session_id: string;
  readonly decision: string;
  readonly status: string;
  readonly row: string;
}

/** The columns a reader selects to decode a row. */
export const accessLogRowColumns = 'position, request_id, subject, email, actor, session_id, decision, status, row';

type Packed = [
  time: string,
  groups: string[],
  clientIp: string,
  userAgent: string,
  channel: string,
  sql: string,
  sqlHash: string,
  sqlLength: number,
  reason: string,
  tables: string[],
  statements: string[],
  rule: string,
  policyHash: string,
  approvers: AccessLogRow['approvers'],
  error: string,
  jobId: string | 0,
  rows: number | null,
  bytesProcessed: number | null,
  maskedColumns: string[],
  detectorHits: number,
  finishedAt: string,
];

const derivedJobId = (requestId: string): string => `ledgergate_${requestId}`;

export function encodeAccessLogRow(r: AccessLogRow): string {
  const packed: Packed = [
    r.time,
    r.groups,
    r.clientIp,
    r.userAgent,
    r.channel,
    r.sql,
    r.sqlHash,
    r.sqlLength,
    r.reason,
    r.tables,
    r.statements,
    r.rule,
    r.policyHash,
    r.approvers,
    r.error,
    r.jobId === derivedJobId(r.requestId) ? 0 : r.jobId,
    r.rows,
    r.bytesProcessed,
    r.maskedColumns,
    r.detectorHits,
    r.finishedAt,
  ];
  return JSON.stringify(packed);
}

export function decodeAccessLogRow(c: AccessLogColumns): AccessLogRow {
  const [time, groups, clientIp, userAgent, channel, sql, sqlHash, sqlLength, reason, tables, statements, rule, policyHash, approvers, error, jobId, rows, bytesProcessed, maskedColumns, detectorHits, finishedAt] =
    JSON.parse(c.row) as Packed;
  return {
    time,
    requestId: c.request_id,
    subject: c.subject,
    email: c.email,
    actor: c.actor,
    groups,
    clientIp,
    userAgent,
    sessionId: c.session_id,
    channel,
    sql,
    sqlHash,
    sqlLength,
    reason,
    tables,
    statements,
    decision: c.decision,
    rule,
    policyHash,
    approvers,
    status: c.status as AccessLogRow['status'],
    error,
    jobId: jobId === 0 ? derivedJobId(c.request_id) : jobId,
    rows,
    bytesProcessed,
    maskedColumns,
    detectorHits,
    finishedAt,
    position: c.position,
  };
}
