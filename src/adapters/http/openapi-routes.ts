/** GET /openapi.json (public): the document is built once, from the schemas the gateway validates with. */
import { Router } from 'express';
import { openApiDocument } from './openapi.js';

export function openApiRoutes(deps: { version: string }): Router {
  const router = Router();
  const body = JSON.stringify(openApiDocument({ version: deps.version }));
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(body);
  });
  return router;
}
