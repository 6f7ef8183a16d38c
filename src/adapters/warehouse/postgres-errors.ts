/**
 * PostgreSQL errors → LedgergateError, by SQLSTATE. A message can echo values (`invalid input syntax
 * for type integer: "123-45-6789"`, a DETAIL with a key's value), and messages reach the agent, the
 * event log and evidence exports, so: planning errors (class 42: syntax, unknown table or column,
 * permission) keep their first line with quoted literals removed; every other class is told by its
 * SQLSTATE and a fixed sentence, never by its text.
 */
import { LedgergateError } from '../../domain/errors.js';
import { isLedgergateError } from '../../domain/errors.js';

const identifierLike = /^[\w.$-]{1,128}$/;

export function scrubPostgresMessage(message: string): string {
  return (message.split('\n')[0] ?? '')
    .replace(/'(?:[^']|'')*'/g, "'…'")
    .replace(/"((?:[^"]|"")*)"/g, (whole, inner: string) => (identifierLike.test(inner) ? whole : '"…"'))
    .replace(/\d{4,}/g, '…')
    .slice(0, 500)
    .trim();
}

const sqlStateOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
};

export function toLedgergateError(error: unknown): LedgergateError {
  if (isLedgergateError(error)) return error;
  const state = sqlStateOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (state === undefined) {
    // No SQLSTATE: the connection or the driver failed, not the query.
    return new LedgergateError('warehouse_unavailable', `PostgreSQL is unreachable: ${scrubPostgresMessage(message)}`);
  }
  if (state === '42501') return new LedgergateError('warehouse_permission_denied', scrubPostgresMessage(message), { sqlState: state });
  if (state.startsWith('42') || state === '25006' || state === '0A000') {
    return new LedgergateError('query_invalid', scrubPostgresMessage(message), { sqlState: state });
  }
  if (state.startsWith('08') || state.startsWith('28') || state.startsWith('3D') || state.startsWith('57P') || state === '53300') {
    return new LedgergateError('warehouse_unavailable', `PostgreSQL is unavailable (SQLSTATE ${state})`, { sqlState: state });
  }
  return new LedgergateError('query_failed', `The query failed with SQLSTATE ${state} (the message is withheld: it can echo values)`, { sqlState: state });
}
