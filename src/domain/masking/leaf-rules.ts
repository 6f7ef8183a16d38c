/** Each mask rule applied to one scalar (non-null, non-nested) value. */
import type { CellValue } from '../ports.js';
import type { MaskRuleName } from '../policy/types.js';
import type { KeyedHasher } from './keyed-hash.js';

export const REDACTED = '[REDACTED]';

export type Scalar = string | number | boolean;

/** `j***@example.com`; anything that is not one plain address is redacted whole. */
export function maskEmailAddress(value: string): string {
  const match = /^\s*([^\s@]+)@([^\s@]+\.[^\s@]+)\s*$/u.exec(value);
  if (!match) return REDACTED;
  const [, local, domain] = match;
  const first = String.fromCodePoint(local.codePointAt(0) ?? 42);
  return `${first}***@${domain}`;
}

/**
 * `****1234`. Values with fewer than eight letters or digits are masked whole: showing the last four
 * of a five-character value would reveal most of it.
 */
export function maskLast4(value: string): string {
  const kept = value.match(/[\p{L}\p{N}]/gu) ?? [];
  if (kept.length < 8) return '****';
  return `****${kept.slice(-4).join('')}`;
}

const isoDatePrefix = /^\s*([+-]?\d{4})-\d{2}-\d{2}/;
const epochNumber = /^\s*-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\s*$/;

/**
 * The year of a DATE, DATETIME or TIMESTAMP (ISO text, or epoch seconds as the BigQuery REST API
 * returns TIMESTAMP); undefined when the value is not a date.
 */
export function yearOf(value: Scalar, type: string | undefined): string | undefined {
  if (typeof value === 'string') {
    const iso = isoDatePrefix.exec(value);
    if (iso) return iso[1];
  }
  const upper = type?.toUpperCase();
  if (upper === 'TIMESTAMP' && (typeof value === 'number' || (typeof value === 'string' && epochNumber.test(value)))) {
    const date = new Date(Number(value) * 1000);
    if (!Number.isNaN(date.getTime())) return String(date.getUTCFullYear());
  }
  return undefined;
}

/** One rule on one scalar; `type` is the BigQuery type of the value where known. */
export function maskScalar(rule: MaskRuleName, value: Scalar, type: string | undefined, hasher: KeyedHasher): CellValue {
  switch (rule) {
    case 'null':
      return null;
    case 'redact':
      return REDACTED;
    case 'hash':
      return hasher(typeof value === 'string' ? value : String(value));
    case 'email':
      return typeof value === 'string' ? maskEmailAddress(value) : REDACTED;
    case 'last4':
      return typeof value === 'boolean' ? REDACTED : maskLast4(String(value));
    case 'year':
      return yearOf(value, type) ?? REDACTED;
  }
}
