/** RFC 9457 problem responses: every error the API returns is one of these. */
import type { ErrorRequestHandler, Response } from 'express';
import { httpStatusOf, isLedgergateError, type ErrorCode } from '../../domain/errors.js';
import type { Logger } from '../../domain/ports.js';

const titles: Partial<Record<ErrorCode, string>> = {
  invalid_request: 'Malformed request',
  sql_too_long: 'SQL too long',
  analysis_limit: 'Statement too large to analyse',
  unauthenticated: 'Authentication required',
  forbidden: 'Not allowed',
  denied_by_policy: 'Denied by policy',
  not_found: 'Not found',
  already_decided: 'Already decided',
  invalid_transition: 'Conflicting state',
  revision_conflict: 'Concurrent change',
  payload_too_large: 'Payload too large',
  rate_limited: 'Too many requests',
  query_invalid: 'Invalid query',
  query_failed: 'Query failed',
  bytes_billed_exceeded: 'Bytes billed limit exceeded',
  warehouse_permission_denied: 'Warehouse permission denied',
  warehouse_quota_exceeded: 'Warehouse quota exceeded',
  warehouse_unavailable: 'Warehouse unavailable',
  warehouse_timeout: 'Warehouse timeout',
  store_unavailable: 'Event store unavailable',
  read_model_rebuilding: 'Read model rebuilding',
  internal: 'Internal error',
};

export const problemType = (code: string): string => `urn:ledgergate:problem:${code}`;

export function sendProblem(
  res: Response,
  status: number,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
): void {
  res
    .status(status)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: problemType(code),
        title: titles[code as ErrorCode] ?? code,
        detail,
        code,
        instance: res.req.originalUrl.split('?')[0],
        traceId: res.locals.traceId,
        ...extra,
        // The HTTP status member is RFC 9457's; extras never override it.
        status,
      }),
    );
}

/** Express errors (body parser, our own LedgergateErrors, anything unexpected) → problem+json. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    if (res.headersSent) {
      // Half an answer (a streamed export that failed) must not look whole: cut the connection.
      logger.warn('response failed after it started', { traceId: res.locals.traceId, error: String(error) });
      res.destroy();
      return;
    }
    if (isLedgergateError(error)) {
      const status = httpStatusOf(error.code);
      if (status >= 500) logger.warn('request failed', { code: error.code, traceId: res.locals.traceId });
      if (status === 503) res.setHeader('Retry-After', '5');
      return sendProblem(res, status, error.code, error.message, publicDetails(error.details));
    }
    const bodyError = error as { type?: string; status?: number };
    if (bodyError.type === 'entity.too.large') return sendProblem(res, 413, 'payload_too_large', 'Request body is too large');
    if (bodyError.type === 'entity.parse.failed') return sendProblem(res, 400, 'invalid_request', 'Request body is not valid JSON');
    if (typeof bodyError.status === 'number' && bodyError.status >= 400 && bodyError.status < 500) {
      return sendProblem(res, bodyError.status, 'invalid_request', 'The request could not be read');
    }
    logger.error('unexpected error', { error: error instanceof Error ? error.stack : String(error), traceId: res.locals.traceId });
    sendProblem(res, 500, 'internal', 'Something went wrong; the trace id identifies it in the gateway log');
  };
}

/** Only plain, non-sensitive details travel to the caller. */
function publicDetails(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const allowed = ['reason', 'id', 'rule', 'queryStatus', 'setting'];
  return Object.fromEntries(Object.entries(details).filter(([key]) => allowed.includes(key)));
}
