/** Routes that need no token: health, and the development issuer's discovery documents. */
import { Router } from 'express';
import type { EventStore } from '../../domain/ports.js';
import type { DevIssuer } from '../identity/dev-issuer.js';
import { sendProblem } from './problem.js';

export function publicRoutes(deps: { store: EventStore; devIssuer?: DevIssuer }): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    try {
      const position = await deps.store.headPosition();
      res.json({ status: 'ok', eventStorePosition: position });
    } catch {
      sendProblem(res, 503, 'store_unavailable', 'The event store cannot be read; queries are refused until it recovers');
    }
  });
  const { devIssuer } = deps;
  if (devIssuer) {
    router.get('/dev-issuer/.well-known/openid-configuration', (req, res) => {
      res.json(devIssuer.discoveryDocument(`${req.protocol}://${req.get('host') ?? 'localhost'}/dev-issuer`));
    });
    router.get('/dev-issuer/.well-known/jwks.json', (_req, res) => res.json(devIssuer.jwks()));
  }
  return router;
}
