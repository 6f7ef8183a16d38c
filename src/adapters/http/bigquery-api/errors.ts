/**
 * BigQuery's error envelope: `{error: {code, message, errors: [{message, domain, reason}], status}}`.
 * Clients read `error.message` and `errors[].reason` (docs: bigquery/docs/error-messages). The reasons
 * chosen here are never ones the official clients retry (rateLimitExceeded, backendError, internalError,
 * 5xx, job*):
 * a refusal retried three times would still be a refusal, only slower.
 */
import type { ErrorRequestHandler, Response } from 'express';
import { isLedgergateError, type ErrorCode } from '../../../domain/errors.js';
import type { Logger } from '../../../domain/ports.js';

export type BigQueryReason = 'invalid' | 'invalidQuery' | 'notFound' | 'duplicate' | 'accessDenied' | 'stopped' | 'bytesBilledLimitExceeded' | 'responseTooLarge' | 'rateLimitExceeded';

const statusNames: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
};

/** A refusal answered in BigQuery's envelope; `status` is the HTTP status. */
export class BigQueryApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: BigQueryReason,
    message: string,
  ) {
    super(message);
    this.name = 'BigQueryApiError';
  }
}

export function sendBigQueryError(res: Response, status: number, reason: string, message: string): void {
  res.status(status).json({
    error: { code: status, message, errors: [{ message, domain: 'global', reason }], status: statusNames[status] ?? 'UNKNOWN' },
  });
}

/** The gateway's own error codes in BigQuery's words (none of them a reason clients retry, except a rate limit). */
const reasonOf: Partial<Record<ErrorCode, { status: number; reason: BigQueryReason }>> = {
  invalid_request: { status: 400, reason: 'invalid' },
  sql_too_long: { status: 400, reason: 'invalidQuery' },
  query_invalid: { status: 400, reason: 'invalidQuery' },
  query_failed: { status: 400, reason: 'invalidQuery' },
  bytes_billed_exceeded: { status: 400, reason: 'bytesBilledLimitExceeded' },
  forbidden: { status: 403, reason: 'accessDenied' },
  denied_by_policy: { status: 403, reason: 'accessDenied' },
  not_found: { status: 404, reason: 'notFound' },
  already_decided: { status: 409, reason: 'duplicate' },
  invalid_transition: { status: 409, reason: 'duplicate' },
  payload_too_large: { status: 413, reason: 'invalid' },
  // The one reason clients retry, and safely: a rate limit refuses the call before it is read, so
  // nothing ran and nothing was recorded; BigQuery answers its own quotas the same way.
  rate_limited: { status: 429, reason: 'rateLimitExceeded' },
  // Faults of the gateway itself: stated as such, and still not retried behind the agent's back.
  store_unavailable: { status: 400, reason: 'invalid' },
  // jobs.list while its read model is rebuilt: the message says to retry shortly.
  read_model_rebuilding: { status: 400, reason: 'invalid' },
  invalid_event: { status: 400, reason: 'invalid' },
  internal: { status: 400, reason: 'invalid' },
};

/** Maps a failure code (from an error or a failed request) to a non-retried BigQuery reason. */
export function bigQueryErrorOf(code: string, message: string): BigQueryApiError {
  const known = reasonOf[code as ErrorCode];
  // Warehouse outages and internal faults become a 400-class failure of this job: clients must not resubmit
  // on their own; the agent sees the message and decides.
  return new BigQueryApiError(known?.status ?? 400, known?.reason ?? 'invalidQuery', message);
}

/** Errors raised inside the BigQuery API routes (and the body parser before them) → BigQuery's envelope. */
export function bigQueryErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (error instanceof BigQueryApiError) return sendBigQueryError(res, error.status, error.reason, error.message);
    if (isLedgergateError(error)) {
      const mapped = bigQueryErrorOf(error.code, error.message);
      return sendBigQueryError(res, mapped.status, mapped.reason, mapped.message);
    }
    const bodyError = error as { type?: string; status?: number };
    if (bodyError.type === 'entity.too.large') return sendBigQueryError(res, 413, 'invalid', 'Request body is too large');
    if (bodyError.type === 'entity.parse.failed') return sendBigQueryError(res, 400, 'invalid', 'Request body is not valid JSON');
    if (typeof bodyError.status === 'number' && bodyError.status >= 400 && bodyError.status < 500) {
      return sendBigQueryError(res, bodyError.status, 'invalid', 'The request could not be read');
    }
    logger.error('unexpected error in the BigQuery API', { error: error instanceof Error ? error.stack : String(error), traceId: res.locals.traceId });
    // 400 `invalid`, not 500 or internalError: the official clients resubmit those (Python retries the reason
    // internalError too), and the gateway must never run a query twice behind the agent's back.
    sendBigQueryError(res, 400, 'invalid', `ledgergate could not complete the call (trace id ${String(res.locals.traceId)})`);
  };
}
