/**
 * GET /metrics (Prometheus text). Who may scrape:
 * - with LEDGERGATE_METRICS_TOKEN set: callers sending `Authorization: Bearer <that token>`;
 * - without it: only connections from the loopback interface, and only when the gateway does not sit
 *   behind a proxy (LEDGERGATE_TRUST_PROXY=false) — behind a local proxy every caller would look local.
 * The address checked is the socket's, never X-Forwarded-For.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type Request } from 'express';
import { sendProblem } from '../http/problem.js';
import type { GatewayMetrics } from './gateway-metrics.js';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

const isLoopback = (address: string | undefined): boolean =>
  !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));

export type MetricsAccess = { readonly token: string } | { readonly loopbackOnly: true; readonly behindProxy: boolean };

function allowed(req: Request, access: MetricsAccess): boolean {
  if ('token' in access) {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    return !!match?.[1] && timingSafeEqual(digest(match[1]), digest(access.token));
  }
  return !access.behindProxy && isLoopback(req.socket.remoteAddress);
}

export function metricsRoutes(deps: { metrics: GatewayMetrics; access: MetricsAccess }): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    if (!allowed(req, deps.access)) {
      if ('token' in deps.access) res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      const detail =
        'token' in deps.access
          ? 'Send the metrics token: Authorization: Bearer <LEDGERGATE_METRICS_TOKEN>'
          : 'Metrics are served to loopback callers only; set LEDGERGATE_METRICS_TOKEN to scrape from elsewhere';
      return sendProblem(res, 'token' in deps.access ? 401 : 403, 'token' in deps.access ? 'unauthenticated' : 'forbidden', detail);
    }
    const text = await deps.metrics.registry.metrics();
    res.type(deps.metrics.registry.contentType).send(text);
  });
  return router;
}
