/**
 * RFC 8785 (JSON Canonicalization Scheme) text of a value, the input of every hash and signature.
 *
 * `referenceCanonicalJson` is the `canonicalize` package, the reference. `fastCanonicalJson` gives the
 * same text several times faster on the plain JSON values events consist of: the package checks every
 * string for lone surrogates character by character and tracks cycles in a Set, which dominates
 * verifying millions of events. Plain JSON (strings, finite numbers, booleans, null, arrays, plain
 * objects) goes through the native JSON.stringify with a sorted property list; anything else (toJSON
 * objects, non-finite numbers, functions, lone surrogates) is handed to the reference, so the output
 * is always identical — property tests compare both on generated values.
 */
import canonicalize from 'canonicalize';

export function referenceCanonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value cannot be canonicalised');
  return text;
}

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
 * Whether the JSON.parse of this text (JSON.stringify output) may take the fast path below — no
 * "__proto__" key, no lone surrogate — so that code without this module (the SQLite writer thread)
 * can canonicalise it with the same property-list trick. Conservative: a string value that merely
 * looks like either answers false, and the caller then uses canonicalJson.
 */
export function fastPathHoldsForJsonText(jsonText: string): boolean {
  return !jsonText.includes('"__proto__"') && !ESCAPED_SURROGATE.test(jsonText);
}

/**
 * For plain JSON, RFC 8785 is JSON.stringify with every object's keys in UTF-16 order; a property-list
 * replacer holding all keys, sorted (default sort compares UTF-16 code units), gives exactly that order
 * at every level, in one native pass.
 */
export function fastCanonicalJson(value: unknown): string {
  const keys = new Set<string>();
  // A property list is read with [[Get]]: every object without an own "__proto__" would serialise the
  // inherited Object.prototype under that name (found by the property test), so such values take the reference path.
  if (!collectKeys(value, keys, 0) || keys.has('__proto__')) return referenceCanonicalJson(value);
  const text = JSON.stringify(value, [...keys].sort());
  if (text === undefined || ESCAPED_SURROGATE.test(text)) return referenceCanonicalJson(value);
  return text;
}
