/**
 * The access log: one row per query request with the columns an auditor samples — who (subject,
 * email, actor, groups, address, user agent, session), what (SQL, its hash, tables), the decision
 * (effect, rule, policy hash, approvers with times), and the outcome (status, rows, bytes, masked columns).
 */
import type { RecordedEvent } from '../domain/ports.js';
import { requestEventOf } from '../domain/request/request-stream.js';
import { isInFlight, statusAfter, terminalStatuses, type RequestStatus } from '../domain/request/request-status.js';
import type { Projection } from './projection.js';

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
  sql: string;
  sqlHash: string;
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

export interface AccessLogFilter {
  from?: Date;
  to?: Date;
  principal?: string;
  sessionId?: string;
  decision?: string;
  status?: string;
}

export interface AccessLog extends Projection {
  rows(filter?: AccessLogFilter): AccessLogRow[];
  get(requestId: string): AccessLogRow | undefined;
  /** Requests allowed or approved but not finished: the saga resumes these at start. */
  inFlight(): string[];
}

export function createAccessLog(): AccessLog {
  const byId = new Map<string, AccessLogRow>();

  return {
    name: 'access-log',
    apply(recorded: RecordedEvent) {
      const found = requestEventOf(recorded);
      if (!found) return;
      const { requestId, event, at } = found;
      if (event.type === 'QueryRequested') {
        const d = event.data;
        byId.set(requestId, {
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
          sql: d.sql,
          sqlHash: d.sqlHash,
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
      const row = byId.get(requestId);
      if (!row) return;
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
    },
    rows(filter = {}) {
      const from = filter.from?.getTime() ?? -Infinity;
      const to = filter.to?.getTime() ?? Infinity;
      return [...byId.values()]
        .filter((row) => {
          const t = Date.parse(row.time);
          if (t < from || t >= to) return false;
          if (filter.principal && row.subject !== filter.principal && row.email !== filter.principal && row.actor !== filter.principal) return false;
          if (filter.sessionId && row.sessionId !== filter.sessionId) return false;
          if (filter.decision && row.decision !== filter.decision) return false;
          if (filter.status && row.status !== filter.status) return false;
          return true;
        })
        .sort((a, b) => a.position - b.position)
        .map((row) => ({ ...row }));
    },
    inFlight: () => [...byId.values()].filter((r) => isInFlight(r.status)).map((r) => r.requestId),
    get(requestId) {
      const row = byId.get(requestId);
      return row ? { ...row } : undefined;
    },
  };
}
