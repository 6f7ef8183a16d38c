/** Audit endpoints: the access log (JSONL/CSV) and session replays. Auditors and approvers only. */
import { once } from 'node:events';
import { Router, type Response } from 'express';
import { LedgergateError } from '../../domain/errors.js';
import type { EventStore, RecordedEvent } from '../../domain/ports.js';
import type { AccessLogRow } from '../../projections/access-log.js';
import type { AccessLog } from '../../projections/access-log-queries.js';
import type { ProjectionRunner } from '../../projections/runner.js';
import type { SessionIndex } from '../../projections/sessions.js';
import { principalOf } from './authenticate.js';
import { csvLine } from './csv.js';

export interface AuditAccess {
  /** Groups that may read audit endpoints: auditors plus approvers. */
  readonly groups: () => readonly string[];
}

export function requireAuditor(res: Response, access: AuditAccess): void {
  const groups = access.groups();
  if (!principalOf(res).groups.some((g) => groups.includes(g))) {
    throw new LedgergateError('forbidden', 'Only auditors and approvers may read audit data');
  }
}

export function parseTime(value: unknown, name: string): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const time = typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(time.getTime())) throw new LedgergateError('invalid_request', `${name} must be an ISO-8601 time`);
  return time;
}

const csvColumns: (keyof AccessLogRow)[] = [
  'time', 'requestId', 'subject', 'email', 'actor', 'groups', 'clientIp', 'userAgent', 'sessionId', 'channel', 'sql', 'sqlHash', 'sqlLength',
  'reason', 'tables', 'statements', 'decision', 'rule', 'policyHash', 'approvers', 'status', 'error', 'jobId', 'rows',
  'bytesProcessed', 'maskedColumns', 'detectorHits', 'finishedAt',
];

const csvValue = (row: AccessLogRow, column: keyof AccessLogRow): unknown => {
  const value = row[column];
  if (column === 'approvers') return row.approvers.map((a) => `${a.email ?? a.subject} ${a.decision} ${a.at}`).join('; ');
  return Array.isArray(value) ? value.join(' ') : value;
};

export function auditRoutes(deps: { accessLog: AccessLog; sessions: SessionIndex; store: EventStore; runner: ProjectionRunner; access: AuditAccess }): Router {
  const router = Router();

  router.get('/v1/audit/access-log', async (req, res) => {
    requireAuditor(res, deps.access);
    const format = typeof req.query.format === 'string' ? req.query.format : 'jsonl';
    if (!['jsonl', 'csv', 'json'].includes(format)) throw new LedgergateError('invalid_request', 'format must be jsonl, csv or json');
    const from = parseTime(req.query.from, 'from');
    const to = parseTime(req.query.to, 'to');
    const str = (name: string) => (typeof req.query[name] === 'string' && req.query[name] ? (req.query[name] as string) : undefined);
    await deps.runner.catchUp();
    const filter = {
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(str('principal') ? { principal: str('principal') } : {}),
      ...(str('session') ? { sessionId: str('session') } : {}),
      ...(str('decision') ? { decision: str('decision') } : {}),
      ...(str('status') ? { status: str('status') } : {}),
    };
    if (format === 'json') {
      const rows = deps.accessLog.rows(filter);
      return void res.json({ items: rows, count: rows.length });
    }
    // Streamed page by page: the first page is read before anything is sent, so a read model being
    // rebuilt still answers 503 rather than a cut-off download.
    const pages = deps.accessLog.pages(filter);
    const first = pages.next();
    if (format === 'csv') {
      res.type('text/csv; charset=utf-8').setHeader('Content-Disposition', 'attachment; filename="access-log.csv"');
      res.write(csvLine(csvColumns));
    } else res.type('application/x-ndjson; charset=utf-8');
    const line = (row: AccessLogRow) => (format === 'csv' ? csvLine(csvColumns.map((c) => csvValue(row, c))) : `${JSON.stringify(row)}\n`);
    for (let page = first; !page.done; page = pages.next()) {
      // A slow reader holds the export back instead of the rows piling up in memory.
      if (!res.write(page.value.map(line).join(''))) await Promise.race([once(res, 'drain'), once(res, 'close')]);
      if (res.destroyed) return;
    }
    res.end();
  });

  router.get('/v1/sessions', async (_req, res) => {
    requireAuditor(res, deps.access);
    await deps.runner.catchUp();
    res.json({ items: deps.sessions.list() });
  });

  router.get('/v1/sessions/:sessionId', async (req, res) => {
    requireAuditor(res, deps.access);
    await deps.runner.catchUp();
    const streams = deps.sessions.streamsOf(req.params.sessionId);
    if (streams.length === 0) throw new LedgergateError('not_found', 'No events for that session');
    const events: RecordedEvent[] = (await Promise.all(streams.map((s) => deps.store.readStream(s))))
      .flat()
      .sort((a, b) => a.position - b.position);
    res.json({
      sessionId: req.params.sessionId,
      count: events.length,
      events: events.map((e) => ({
        position: e.position,
        stream: e.streamName,
        revision: e.revision,
        type: e.type,
        occurredAt: e.metadata.occurredAt,
        recordedAt: e.recordedAt,
        data: e.data,
        metadata: e.metadata,
        ...(e.hash ? { hash: e.hash } : {}),
      })),
    });
  });

  return router;
}
