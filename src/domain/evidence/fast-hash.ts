/**
 * The same canonical JSON and chain hash as event-hash.ts, several times faster on the JSON values
 * events consist of. The `canonicalize` package checks every string for lone surrogates character by
 * character and tracks cycles in a Set; verifying millions of events spends most of its time there.
 * Here plain JSON values (strings, finite numbers, booleans, null, arrays, plain objects) go through
 * the native JSON.stringify, and anything else (toJSON objects, non-finite numbers, functions, lone
 * surrogates) is handed to the reference implementation, so the output is always identical — the
 * tests compare both on generated values.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, eventContentOf, type HashableEvent } from './event-hash.js';

/**
 * Collects every object key in the value into `keys`; false when the value holds anything that is not
 * plain JSON (then the reference implementation decides, and throws where it should).
 */
function collectKeys(value: unknown, keys: Set<string>, depth: number): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (depth > 200) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item !== undefined && !collectKeys(item, keys, depth + 1)) return false;
        }
        return true;
      }
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
      for (const key in value) {
        if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined) continue;
        keys.add(key);
        if (!collectKeys(item, keys, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** JSON.stringify escapes a lone surrogate as \udXXX, which RFC 8785 forbids: let the reference throw. */
const ESCAPED_SURROGATE = /\\ud[89a-f]/;

/**
 * RFC 8785 JSON, identical to canonicalJson. For plain JSON, RFC 8785 is JSON.stringify with every
 * object's keys in UTF-16 order; a property-list replacer holding all keys, sorted, gives exactly
 * that order at every level, in one native pass.
 */
export function fastCanonicalJson(value: unknown): string {
  const keys = new Set<string>();
  if (!collectKeys(value, keys, 0)) return canonicalJson(value);
  const text = JSON.stringify(value, [...keys].sort());
  if (text === undefined || ESCAPED_SURROGATE.test(text)) return canonicalJson(value);
  return text;
}

/** Identical to chainHash. */
export function fastChainHash(prevHash: string, event: HashableEvent): string {
  return createHash('sha256').update(`${prevHash}\n${fastCanonicalJson(eventContentOf(event))}`).digest('hex');
}
