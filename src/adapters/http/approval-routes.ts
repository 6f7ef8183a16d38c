/** GET /v1/approvals — the queue approvers work from. */
import { Router } from 'express';
import { LedgergateError } from '../../domain/errors.js';
import { approvalStatuses, type ApprovalStatus } from '../../domain/request/request-status.js';
import type { ApprovalQueue } from '../../projections/approval-queue-queries.js';
import type { ProjectionRunner } from '../../projections/runner.js';
import { principalOf } from './authenticate.js';

export function approvalRoutes(deps: {
  queue: ApprovalQueue;
  runner: ProjectionRunner;
  /** Auditors and the current policy's approvers. */
  readerGroups: () => readonly string[];
}): Router {
  const router = Router();
  router.get('/v1/approvals', async (req, res) => {
    const principal = principalOf(res);
    // Approvers named by a request still pending (under an older policy) may see the queue too.
    const allowed = new Set([...deps.readerGroups(), ...deps.queue.pending().flatMap((a) => a.approverGroups)]);
    if (!principal.groups.some((g) => allowed.has(g))) {
      throw new LedgergateError('forbidden', 'Only approvers and auditors may list approvals');
    }
    const status = typeof req.query.status === 'string' ? req.query.status : 'pending';
    const filters: readonly string[] = ['pending', 'all', ...approvalStatuses.filter((s) => s !== 'pending_approval')];
    if (!filters.includes(status)) {
      throw new LedgergateError('invalid_request', `status must be one of ${filters.join(', ')}`);
    }
    await deps.runner.catchUp();
    const wanted = status === 'pending' ? 'pending_approval' : status;
    const items = deps.queue
      .list(wanted as ApprovalStatus | 'all')
      .map((a) => ({ id: a.requestId, ...a, canDecide: a.approverGroups.some((g) => principal.groups.includes(g)) }));
    res.json({ items, count: items.length });
  });
  return router;
}
