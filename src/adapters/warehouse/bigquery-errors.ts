/**
 * BigQuery / Google client failures → LedgergateError. BigQuery's messages can quote the query's
 * literals ("Invalid timestamp: '…'"), so every message is scrubbed before it leaves the adapter.
 */
import { LedgergateError, type ErrorCode } from '../../domain/errors.js';

/** One entry of BigQuery's `errors[]` / `errorResult`. */
export interface BigQueryErrorProto {
  readonly reason?: string;
  readonly message?: string;
  readonly location?: string;
}

const byReason: Readonly<Record<string, ErrorCode>> = {
  invalidQuery: 'query_invalid',
  invalid: 'query_invalid',
  accessDenied: 'warehouse_permission_denied',
  authError: 'warehouse_permission_denied',
  quotaExceeded: 'warehouse_quota_exceeded',
  rateLimitExceeded: 'warehouse_quota_exceeded',
  userRateLimitExceeded: 'warehouse_quota_exceeded',
  jobRateLimitExceeded: 'warehouse_quota_exceeded',
  bytesBilledLimitExceeded: 'bytes_billed_exceeded',
  billingTierLimitExceeded: 'bytes_billed_exceeded',
  notFound: 'not_found',
  backendError: 'warehouse_unavailable',
  internalError: 'warehouse_unavailable',
  jobBackendError: 'warehouse_unavailable',
  jobInternalError: 'warehouse_unavailable',
  timeout: 'warehouse_timeout',
  stopped: 'query_failed',
  resourcesExceeded: 'query_failed',
  responseTooLarge: 'query_failed',
};

const byStatus = (status: number): ErrorCode | undefined => {
  if (status === 400) return 'query_invalid';
  if (status === 401 || status === 403) return 'warehouse_permission_denied';
  if (status === 404) return 'not_found';
  if (status === 408 || status === 504) return 'warehouse_timeout';
  if (status === 429) return 'warehouse_quota_exceeded';
  if (status >= 500) return 'warehouse_unavailable';
  return undefined;
};

const connectionCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);
const timeoutCodes = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNABORTED']);

/**
 * Removes what could be data: quoted strings, e-mail addresses and numbers longer than four digits
 * (values, not positions like [1:8]). Identifiers in backticks are kept: they name tables, not data.
 */
export const scrubMessage = (message: string): string =>
  message
    .replace(/'(?:[^'\\]|\\.)*'/g, "'…'")
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, '…@…')
    .replace(/-?\d{5,}(?:\.\d+)?(?:[eE][+-]?\d+)?/g, '…')
    .slice(0, 500);

/**
 * Query errors about the SQL itself are safe to pass on once scrubbed; errors raised while reading
 * data ("Bad int64 value: …", "Invalid date: …", user ERROR() text) can carry a value unquoted, so
 * anything not known to describe the query is withheld.
 */
const describesTheQuery =
  /^(Syntax error|Unrecognized name|Not found|Access Denied|Function not found|No matching signature|Column name .* is ambiguous|Query exceeded limit|Table .* does not have|Name .* not found|Unrecognized function|Cannot access field|Duplicate column|Resources exceeded|Query error: (Syntax|Unrecognized))/i;

export const queryErrorMessage = (message: string, reason: string): string =>
  describesTheQuery.test(message.trim())
    ? `BigQuery: ${scrubMessage(message)}`
    : `BigQuery: the query failed (${reason}); the warehouse message is withheld because it can echo values`;

const firstError = (error: unknown): BigQueryErrorProto | undefined => {
  const errors = (error as { errors?: unknown }).errors;
  return Array.isArray(errors) && errors.length > 0 ? (errors[0] as BigQueryErrorProto) : undefined;
};

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : typeof error === 'string' ? error : 'unknown error';

/** Numbers in "Query exceeded limit for bytes billed: 1000000. 10485760 or higher required." — our own config, safe to keep as details. */
const bytesBilledDetails = (message: string): Record<string, number> => {
  const match = /bytes billed:\s*(\d+)\.\s*(\d+) or higher/i.exec(message);
  return match ? { maximumBytesBilled: Number(match[1]), requiredBytesBilled: Number(match[2]) } : {};
};

/** Maps a job's `status.errorResult` (a failed job, not a failed request). */
export const fromJobError = (proto: BigQueryErrorProto, jobId?: string): LedgergateError => {
  const reason = proto.reason ?? 'unknown';
  const code = byReason[reason] ?? 'query_failed';
  const message = proto.message ?? reason;
  return new LedgergateError(code, queryErrorMessage(message, reason), {
    reason,
    ...(jobId ? { jobId } : {}),
    ...(code === 'bytes_billed_exceeded' ? bytesBilledDetails(message) : {}),
  });
};

/** Maps anything the Google client throws. */
export const toLedgergateError = (error: unknown, jobId?: string): LedgergateError => {
  if (error instanceof LedgergateError) return error;
  const proto = firstError(error);
  const status = (error as { code?: unknown }).code;
  const reason = proto?.reason;
  if (reason && byReason[reason]) return fromJobError({ ...proto, message: proto.message ?? messageOf(error) }, jobId);
  const message = messageOf(error);
  const details = { ...(reason ? { reason } : {}), ...(jobId ? { jobId } : {}) };
  if (typeof status === 'number') {
    const code = byStatus(status) ?? 'query_failed';
    return new LedgergateError(code, `BigQuery: ${scrubMessage(message)}`, { ...details, status });
  }
  if (typeof status === 'string' && connectionCodes.has(status)) {
    return new LedgergateError('warehouse_unavailable', `BigQuery unreachable (${status})`, details);
  }
  if ((typeof status === 'string' && timeoutCodes.has(status)) || /timed? ?out|did not complete before|AbortError/i.test(message)) {
    return new LedgergateError('warehouse_timeout', 'BigQuery did not answer in time', details);
  }
  if (/Could not load the default credentials|invalid_grant|unauthorized_client/i.test(message)) {
    return new LedgergateError('warehouse_permission_denied', 'BigQuery credentials are missing or invalid', details);
  }
  if (/ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|socket hang up|network/i.test(message)) {
    return new LedgergateError('warehouse_unavailable', 'BigQuery unreachable', details);
  }
  if (reason) return fromJobError({ reason, message }, jobId);
  return new LedgergateError('warehouse_unavailable', `BigQuery: ${scrubMessage(message)}`, details);
};

export const isAlreadyExists = (error: unknown): boolean =>
  (error as { code?: unknown }).code === 409 || firstError(error)?.reason === 'duplicate';

export const isNotFound = (error: unknown): boolean =>
  (error as { code?: unknown }).code === 404 || firstError(error)?.reason === 'notFound';
