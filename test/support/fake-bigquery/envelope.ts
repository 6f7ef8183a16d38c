/** Google's JSON error envelope and the HTTP status each reason travels with. */
import type { ErrorReason } from './types.js';

export interface ErrorEnvelope {
  readonly error: {
    readonly code: number;
    readonly message: string;
    readonly errors: readonly { message: string; domain: string; reason: string; location?: string }[];
    readonly status: string;
  };
}

const statusNames: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export const httpStatusForReason = (reason: string): number => {
  switch (reason as ErrorReason) {
    case 'notFound':
      return 404;
    case 'duplicate':
      return 409;
    case 'accessDenied':
    case 'quotaExceeded':
    case 'rateLimitExceeded':
      return 403;
    case 'backendError':
    case 'internalError':
      return 500;
    default:
      return 400;
  }
};

const defaultReasonForStatus = (status: number): string => {
  if (status === 404) return 'notFound';
  if (status === 409) return 'duplicate';
  if (status === 401) return 'authError';
  if (status === 403) return 'accessDenied';
  if (status === 429) return 'rateLimitExceeded';
  if (status === 500) return 'internalError';
  if (status >= 500) return 'backendError';
  return 'invalid';
};

export const envelope = (
  code: number,
  message: string,
  reason = defaultReasonForStatus(code),
  location?: string,
): ErrorEnvelope => ({
  error: {
    code,
    message,
    errors: [{ message, domain: 'global', reason, ...(location ? { location } : {}) }],
    status: statusNames[code] ?? 'UNKNOWN',
  },
});
