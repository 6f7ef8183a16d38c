/**
 * Every failure the gateway reports carries a stable code. The HTTP adapter maps codes to
 * RFC 9457 problem responses; the CLI prints the message. Messages must never echo protected values.
 */
export const errorCodes = {
  invalid_request: 400,
  sql_too_long: 400,
  /** The statement is over an analysis size cap or took longer than the analysis deadline. */
  analysis_limit: 422,
  unauthenticated: 401,
  forbidden: 403,
  denied_by_policy: 403,
  not_found: 404,
  revision_conflict: 409,
  already_decided: 409,
  invalid_transition: 409,
  payload_too_large: 413,
  rate_limited: 429,
  query_invalid: 400,
  query_failed: 422,
  bytes_billed_exceeded: 422,
  warehouse_permission_denied: 502,
  warehouse_quota_exceeded: 503,
  warehouse_unavailable: 502,
  warehouse_timeout: 504,
  store_unavailable: 503,
  /** A read model is being rebuilt (its version changed); the answer says when to retry. */
  read_model_rebuilding: 503,
  invalid_event: 500,
  invalid_config: 500,
  invalid_policy: 500,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class LedgergateError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'LedgergateError';
    this.code = code;
    this.details = details;
  }
}

/** Raised by an event store when the stream is not at the revision the caller expected. */
export class RevisionConflictError extends LedgergateError {
  constructor(
    readonly stream: string,
    readonly expected: string,
    readonly actual: number | 'no_stream',
  ) {
    super('revision_conflict', `Stream ${stream} is at revision ${String(actual)}, expected ${expected}`, {
      stream,
      expected,
      actual,
    });
    this.name = 'RevisionConflictError';
  }
}

export const isLedgergateError = (error: unknown): error is LedgergateError => error instanceof LedgergateError;

export const httpStatusOf = (code: ErrorCode): number => errorCodes[code];
