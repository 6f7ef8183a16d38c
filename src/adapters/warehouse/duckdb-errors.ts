/**
 * DuckDB error text → LedgergateError. DuckDB echoes the statement and the offending values
 * ("Could not convert string '123-45-6789'…", "LINE 1: … WHERE ssn = '…'", and `error(email)` raises
 * the value itself as the message), and the message reaches the agent, the event log and evidence
 * exports. So:
 * - errors raised while planning (parser, binder, catalog…) read no data: their first line survives,
 *   with quoted literals and long digit runs removed (the agent still learns what it got wrong);
 * - errors raised while reading data (conversion, out of range, invalid input, anything else) are
 *   reduced to their error class and a fixed sentence naming what can be named safely (the target
 *   type of a failed cast and the source column's name) — never any part of a value.
 */
import { LedgergateError, type ErrorCode } from '../../domain/errors.js';

const identifierLike = /^[\w.$-]{1,128}$/;

/** Planning-time errors: nothing in them comes from table data. */
const invalidKinds = /^(Parser|Binder|Catalog|Syntax|Not implemented|Permission|Dependency) Error/i;

export function scrubDuckDbMessage(message: string): string {
  const firstLine = message.split('\n')[0] ?? '';
  return firstLine
    .replace(/'(?:[^']|'')*'/g, "'…'")
    .replace(/"((?:[^"]|"")*)"/g, (whole, inner: string) => (identifierLike.test(inner) ? whole : '"…"'))
    .replace(/\d{4,}/g, '…')
    .slice(0, 500)
    .trim();
}

const errorClass = /^([A-Za-z][A-Za-z ]{0,40}) Error:/;
const castTarget = /\bto ([A-Z][A-Z0-9_]*(?:\(\d+(?:,\s*\d+)?\))?)(?: when casting| *$)/;
const castSource = /when casting from source column ([A-Za-z_][A-Za-z0-9_]{0,127})\s*$/;

/** A data-time error, told without any of its data: the class, and for casts the type and column. */
export function describeDataError(message: string): string {
  const firstLine = message.split('\n')[0] ?? '';
  const kind = errorClass.exec(firstLine)?.[1];
  if (kind === undefined) return 'The query failed while reading data (the warehouse message is withheld: it can echo values)';
  if (/^Conversion$/i.test(kind)) {
    // The type and column are written after the last quoted value, so only the tail is read.
    const tail = firstLine.slice(Math.max(firstLine.lastIndexOf("'"), firstLine.lastIndexOf('"')) + 1);
    const target = castTarget.exec(tail)?.[1];
    const source = castSource.exec(tail)?.[1];
    return `Conversion Error: a value could not be converted${target ? ` to ${target}` : ''}${source ? ` (source column ${source})` : ''}; the value is withheld`;
  }
  return `${kind} Error: the query failed on a value (the warehouse message is withheld: it can echo values)`;
}

export function isInterrupt(message: string): boolean {
  return /^INTERRUPT Error|Interrupted/i.test(message);
}

export function duckDbErrorCode(message: string): ErrorCode {
  return invalidKinds.test(message) ? 'query_invalid' : 'query_failed';
}

export function toLedgergateError(error: unknown): LedgergateError {
  if (error instanceof LedgergateError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = duckDbErrorCode(message);
  return new LedgergateError(code, code === 'query_invalid' ? scrubDuckDbMessage(message) : describeDataError(message));
}
