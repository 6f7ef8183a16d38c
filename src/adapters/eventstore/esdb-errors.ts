/**
 * Maps EventStoreDB client failures to the gateway's error codes. Only what a retry or a leader change
 * can cure is `store_unavailable` (503); a refused permission is a configuration fault, an UNKNOWN from
 * the server an internal one — reporting those as an outage would hide them behind "try again".
 */
import { ErrorType, convertToCommandError, isCommandError } from '@eventstore/db-client';
import { LedgergateError } from '../../domain/errors.js';

const transient = new Set<string>([
  ErrorType.UNAVAILABLE,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
  ErrorType.NOT_LEADER,
  ErrorType.CANCELLED,
]);

export function esdbFailure(raw: unknown): unknown {
  if (raw instanceof LedgergateError) return raw;
  // Some paths (append) surface the raw gRPC ServiceError; the client's own converter classifies it.
  const error = raw instanceof Error && !isCommandError(raw) ? convertToCommandError(raw) : raw;
  if (error instanceof Error && isCommandError(error)) {
    if (transient.has(error.type)) {
      return new LedgergateError('store_unavailable', `EventStoreDB is unavailable: ${error.type} (${error.message})`, {
        esdbError: error.type,
      });
    }
    if (error.type === ErrorType.ACCESS_DENIED) {
      return new LedgergateError(
        'invalid_config',
        'EventStoreDB refused access: the user in LEDGERGATE_EVENT_STORE lacks read or write permission on the streams',
        { esdbError: error.type },
      );
    }
    if (error.type === ErrorType.UNKNOWN) {
      return new LedgergateError('internal', `EventStoreDB failed the operation: ${error.message}`, { esdbError: error.type });
    }
    if (error.type === ErrorType.MAXIMUM_APPEND_SIZE_EXCEEDED) {
      return new LedgergateError('payload_too_large', `EventStoreDB refused an append over its maximum append size: ${error.message}`, {
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

/** Worth one more attempt: the client reconnects (to the new leader) after such an error. */
export const isTransient = (error: unknown): boolean => error instanceof LedgergateError && error.code === 'store_unavailable';
