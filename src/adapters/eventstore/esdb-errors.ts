/** Maps EventStoreDB client failures to the gateway's error codes. */
import { ErrorType, convertToCommandError, isCommandError } from '@eventstore/db-client';
import { LedgergateError } from '../../domain/errors.js';

const unavailable = new Set<string>([
  ErrorType.UNAVAILABLE,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
  ErrorType.NOT_LEADER,
  ErrorType.CANCELLED,
  ErrorType.ACCESS_DENIED,
  ErrorType.UNKNOWN,
]);

/** Connection, leadership and permission problems are `store_unavailable`; other errors pass through. */
export function esdbFailure(raw: unknown): unknown {
  if (raw instanceof LedgergateError) return raw;
  // Some paths (append) surface the raw gRPC ServiceError; the client's own converter classifies it.
  const error = raw instanceof Error && !isCommandError(raw) ? convertToCommandError(raw) : raw;
  if (error instanceof Error && isCommandError(error)) {
    if (unavailable.has(error.type)) {
      return new LedgergateError('store_unavailable', `EventStoreDB is unavailable: ${error.type} (${error.message})`, {
        esdbError: error.type,
      });
    }
    return error;
  }
  // gRPC and socket failures that the client did not classify (refused, reset, DNS).
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && /^(ECONN|ENOTFOUND|EAI_|ETIMEDOUT|EPIPE|EHOSTUNREACH)/.test(code)) {
    return new LedgergateError('store_unavailable', `EventStoreDB is unreachable: ${code}`, { esdbError: code });
  }
  return error;
}
