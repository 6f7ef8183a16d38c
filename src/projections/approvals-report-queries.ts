/** The approvals report, read page by page from `approvals_report` and checked request by request. */
import type Database from 'better-sqlite3';
import type { ApprovalsReport, ApprovalsReportFilter, ApprovalsReportItem } from './approvals-report.js';
import { approvalsReportProjection } from './approvals-report.js';
import { itemOf, type Tracked } from './approvals-report-checks.js';
import { onFirstUse } from './read-model-db.js';
import type { ReadModelStatus } from './read-model-status.js';

export interface ApprovalsReportReader {
  report(filter?: ApprovalsReportFilter): ApprovalsReport;
}

const pageSize = 500;

export function createApprovalsReport(db: Database.Database, status: ReadModelStatus): ApprovalsReportReader {
  const page = onFirstUse(() => db.prepare(`
    SELECT request_id, requested_at, doc FROM approvals_report
    WHERE involves = 1 AND (requested_at, request_id) > (@at, @id) AND requested_ms >= @from AND requested_ms < @to
      AND (@principal IS NULL OR @principal IN (subject, email, actor_subject, actor_email))
    ORDER BY requested_at, request_id LIMIT @limit`));
  return {
    report(filter = {}) {
      status.assertReady(approvalsReportProjection.name);
      const params = {
        from: filter.from?.getTime() ?? Number.MIN_SAFE_INTEGER,
        to: filter.to?.getTime() ?? Number.MAX_SAFE_INTEGER,
        principal: filter.principal ?? null,
        limit: pageSize,
      };
      const items: ApprovalsReportItem[] = [];
      let cursor = { at: '', id: '' };
      for (;;) {
        const rows = page().all({ ...params, ...cursor }) as { request_id: string; requested_at: string; doc: string }[];
        for (const row of rows) items.push(itemOf(row.request_id, JSON.parse(row.doc) as Tracked));
        const last = rows[rows.length - 1];
        if (!last || rows.length < pageSize) break;
        cursor = { at: last.requested_at, id: last.request_id };
      }
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
