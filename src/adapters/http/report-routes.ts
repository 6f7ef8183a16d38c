/** GET /v1/audit/masking-report and GET /v1/audit/approvals-report (JSON). Auditors and approvers only. */
import { Router, type Request } from 'express';
import type { ApprovalsReportReader } from '../../projections/approvals-report-queries.js';
import type { MaskingReportReader } from '../../projections/masking-report.js';
import type { ProjectionRunner } from '../../projections/runner.js';
import { parseTime, requireAuditor, type AuditAccess } from './audit-routes.js';

function filterOf(req: Request): { from?: Date; to?: Date; principal?: string } {
  const from = parseTime(req.query.from, 'from');
  const to = parseTime(req.query.to, 'to');
  const principal = typeof req.query.principal === 'string' && req.query.principal ? req.query.principal : undefined;
  return { ...(from ? { from } : {}), ...(to ? { to } : {}), ...(principal ? { principal } : {}) };
}

export function reportRoutes(deps: {
  masking: MaskingReportReader;
  approvals: ApprovalsReportReader;
  runner: ProjectionRunner;
  access: AuditAccess;
}): Router {
  const router = Router();
  router.get('/v1/audit/masking-report', async (req, res) => {
    requireAuditor(res, deps.access);
    const filter = filterOf(req);
    await deps.runner.catchUp();
    res.json(deps.masking.report(filter));
  });
  router.get('/v1/audit/approvals-report', async (req, res) => {
    requireAuditor(res, deps.access);
    const filter = filterOf(req);
    await deps.runner.catchUp();
    res.json(deps.approvals.report(filter));
  });
  return router;
}
