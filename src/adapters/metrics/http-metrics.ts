/** Counts and times every HTTP answer, labelled by a route template from a fixed list (never the raw path). */
import type { RequestHandler } from 'express';
import type { GatewayMetrics } from './gateway-metrics.js';

const routeTemplates: readonly [RegExp, string][] = [
  [/^\/v1\/queries\/?$/, '/v1/queries'],
  [/^\/v1\/queries\/[^/]+\/decisions\/?$/, '/v1/queries/{id}/decisions'],
  [/^\/v1\/queries\/[^/]+\/?$/, '/v1/queries/{id}'],
  [/^\/v1\/approvals\/?$/, '/v1/approvals'],
  [/^\/v1\/audit\/access-log\/?$/, '/v1/audit/access-log'],
  [/^\/v1\/sessions\/?$/, '/v1/sessions'],
  [/^\/v1\/sessions\/[^/]+\/?$/, '/v1/sessions/{sessionId}'],
  [/^\/v1\/evidence\/keys\/?$/, '/v1/evidence/keys'],
  [/^\/v1\/evidence\/?$/, '/v1/evidence'],
  [/^\/mcp\/?$/, '/mcp'],
  [/^\/healthz\/?$/, '/healthz'],
  [/^\/metrics\/?$/, '/metrics'],
  [/^\/openapi\.json$/, '/openapi.json'],
  [/^\/console(\/.*)?$/, '/console'],
  [/^\/dev-issuer\//, '/dev-issuer'],
];

const methods = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

export const routeTemplateOf = (path: string): string => routeTemplates.find(([pattern]) => pattern.test(path))?.[1] ?? 'other';

export function httpMetrics(metrics: GatewayMetrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const labels = {
        method: methods.has(req.method) ? req.method : 'other',
        // originalUrl: under a mounted middleware (authentication on /v1) req.path has lost its prefix.
        route: routeTemplateOf((req.originalUrl ?? req.url).split('?')[0] ?? ''),
        status: String(res.statusCode),
      };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
