/** How a query's view becomes an HTTP answer (same mapping for POST and GET). */
import type { Response } from 'express';
import { errorCodes, type ErrorCode } from '../../domain/errors.js';
import type { QueryView } from '../../domain/request/request-view.js';
import { sendProblem } from './problem.js';

export function sendQueryView(res: Response, view: QueryView, options: { failuresAsProblems: boolean }): void {
  if (view.status === 'denied') {
    return sendProblem(res, 403, 'denied_by_policy', view.error?.message ?? 'Denied by policy', {
      id: view.id,
      rule: view.decision?.rule ?? 'default',
      queryStatus: 'denied',
      decision: view.decision,
    });
  }
  if (view.status === 'failed' && options.failuresAsProblems) {
    const code = view.error?.code ?? 'query_failed';
    const status = code in errorCodes ? errorCodes[code as ErrorCode] : 422;
    return sendProblem(res, status >= 500 && status !== 503 && status !== 504 ? 502 : status, code, view.error?.message ?? 'The query failed', {
      id: view.id,
      queryStatus: 'failed',
    });
  }
  const pending = view.status === 'pending_approval' || view.status === 'running';
  if (pending) res.setHeader('Location', `/v1/queries/${encodeURIComponent(view.id)}`);
  const poll = pending ? { poll: `/v1/queries/${encodeURIComponent(view.id)}?wait=30` } : {};
  res.status(pending ? 202 : 200).json({ ...view, ...poll });
}
