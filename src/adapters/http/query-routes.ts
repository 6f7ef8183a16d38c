/** POST/GET/DELETE /v1/queries and POST /v1/queries/{id}/decisions. */
import { Router } from 'express';
import type { QueryService } from '../../app/query-service.js';
import { callerOf, waitSecondsOf } from './caller.js';
import { sendQueryView } from './query-responses.js';
import { DecisionBody, SubmitQueryBody, type BodyValidator } from './schemas.js';

export function queryRoutes(deps: { queries: QueryService; bodies: BodyValidator; maxWaitSeconds: number }): Router {
  const { queries, bodies, maxWaitSeconds } = deps;
  const router = Router();

  router.post('/v1/queries', async (req, res) => {
    const body = bodies.parse(SubmitQueryBody, req.body);
    const view = await queries.submit(callerOf(req, res), {
      sql: body.sql,
      channel: 'rest',
      ...(body.reason !== undefined ? { reason: body.reason } : {}),
      ...(body.maxRows !== undefined ? { maxRows: body.maxRows } : {}),
      ...(body.wait !== undefined ? { waitSeconds: Math.min(body.wait, maxWaitSeconds) } : {}),
    });
    sendQueryView(res, view, { failuresAsProblems: true });
  });

  router.get('/v1/queries/:id', async (req, res) => {
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const view = await queries.get(callerOf(req, res), req.params.id, waitSecondsOf(req.query.wait, maxWaitSeconds), abort.signal);
    sendQueryView(res, view, { failuresAsProblems: false });
  });

  router.delete('/v1/queries/:id', async (req, res) => {
    const view = await queries.cancel(callerOf(req, res), req.params.id);
    sendQueryView(res, view, { failuresAsProblems: false });
  });

  router.post('/v1/queries/:id/decisions', async (req, res) => {
    const body = bodies.parse(DecisionBody, req.body);
    const view = await queries.decide(callerOf(req, res), req.params.id, body.decision, body.comment);
    res.status(200).json(view);
  });

  return router;
}
