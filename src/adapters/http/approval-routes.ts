/** GET /v1/approvals — the queue approvers work from. */
import { Router } from 'express';
import { LedgergateError } from '../../domain/errors.js';
import type { ApprovalQueue } from '../../projections/approval-queue.js';
import type { ProjectionRunner } from '../../projections/runner.js';
import { principalOf } from './authenticate.js';

export function approvalRoutes(deps: {
  queue: ApprovalQueue;
  runner: ProjectionRunner;
  approverGroups: () => readonly string[];
  auditorGroups: readonly string[];
}): Router {
  const router = Router();
  router.get('/v1/approvals', async (req, res) => {
    const principal = principalOf(res);
    const queueGroups = new Set(deps.queue.all().flatMap((a) => a.approverGroups));
    const allowed = [...deps.approverGroups(), ...deps.auditorGroups, ...queueGroups];
    if (!principal.groups.some((g) => allowed.includes(g))) {
      throw new LedgergateError('forbidden', 'Only approvers and auditors may list approvals');
    }
    const status = typeof req.query.status === 'string' ? req.query.status : 'pending';
    if (!['pending', 'all', 'approved', 'rejected', 'expired'].includes(status)) {
      throw new LedgergateError('invalid_request', 'status must be pending, approved, rejected, expired or all');
    }
    await deps.runner.catchUp();
    const wanted = status === 'pending' ? 'pending_approval' : status;
    const items = deps.queue
      .all()
      .filter((a) => status === 'all' || a.status === wanted)
      .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt))
      .map((a) => ({ id: a.requestId, ...a, canDecide: a.approverGroups.some((g) => principal.groups.includes(g)) }));
    res.json({ items, count: items.length });
  });
  return router;
}
