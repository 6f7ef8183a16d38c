/**
 * DuckDB error text → LedgergateError. DuckDB echoes the statement and the offending values
 * ("Could not convert string '123-45-6789'…", "LINE 1: … WHERE ssn = '…'"), so only the first line
 * survives, with quoted literals and long digit runs removed.
 */
import { LedgergateError, type ErrorCode } from '../../domain/errors.js';

const identifierLike = /^[\w.$-]{1,128}$/;

export function scrubDuckDbMessage(message: string): string {
  const firstLine = message.split('\n')[0] ?? '';
  return firstLine
    .replace(/'(?:[^']|'')*'/g, "'…'")
    .replace(/"((?:[^"]|"")*)"/g, (whole, inner: string) => (identifierLike.test(inner) ? whole : '"…"'))
    .replace(/\d{4,}/g, '…')
    .slice(0, 500)
    .trim();
}

const invalidKinds = /^(Parser|Binder|Catalog|Syntax|Not implemented|Permission|Dependency) Error/i;

export function isInterrupt(message: string): boolean {
  return /^INTERRUPT Error|Interrupted/i.test(message);
}

export function duckDbErrorCode(message: string): ErrorCode {
  return invalidKinds.test(message) ? 'query_invalid' : 'query_failed';
}

export function toLedgergateError(error: unknown): LedgergateError {
  if (error instanceof LedgergateError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new LedgergateError(duckDbErrorCode(message), scrubDuckDbMessage(message));
}
