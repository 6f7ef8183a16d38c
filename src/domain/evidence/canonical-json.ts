/**
 * RFC 8785 (JSON Canonicalization Scheme) text of a value, the input of every hash and signature.
 *
 * `referenceCanonicalJson` is the `canonicalize` package, the reference. `fastCanonicalJson` gives the
 * same text several times faster on the plain JSON values events consist of: the package checks every
 * string for lone surrogates character by character and tracks cycles in a Set, which dominates
 * verifying millions of events. RFC 8785 is ECMAScript's JSON serialisation of strings and numbers with
 * every object's keys in UTF-16 order, so plain JSON (strings, finite numbers, booleans, null, arrays,
 * plain objects) is written here in one recursive pass; the moment anything else turns up (toJSON
 * objects, non-finite numbers, functions, symbols, bigints, array holes, lone surrogates, nesting deep
 * enough to be a cycle) the whole value is handed to the reference, so the output is always identical
 * and the reference alone decides what to throw — property tests compare both on generated values.
 */
import canonicalize from 'canonicalize';

export function referenceCanonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value cannot be canonicalised');
  return text;
}

/** Thrown inside the fast pass when the value is not plain JSON; never escapes this module. */
class NotPlainJson extends Error {}
const notPlain = new NotPlainJson('not plain JSON');

/** Deeper than this is treated as a possible cycle and left to the reference, which detects cycles. */
const MAX_DEPTH = 200;

/** Characters JSON escapes, and surrogates (a lone one must make canonicalisation fail). */
const NEEDS_CARE = /["\\\u0000-\u001f\ud800-\udfff]/;
/** JSON.stringify writes a lone surrogate as \udXXX, which RFC 8785 forbids. */
const ESCAPED_SURROGATE = /\\ud[89a-f]/i;

function stringText(text: string): string {
  // Most strings (ids, names, timestamps, hashes) need no escaping: quoting them is the whole job,
  // and skips a call into the native serialiser per string.
  if (!NEEDS_CARE.test(text)) return `"${text}"`;
  const quoted = JSON.stringify(text);
  // A false alarm (a literal backslash followed by "ud8…") only sends the value to the reference.
  if (ESCAPED_SURROGATE.test(quoted)) throw notPlain;
  return quoted;
}

function valueText(value: unknown, depth: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return stringText(value);
    case 'number':
      // ECMAScript's Number::toString, which RFC 8785 adopts (and which writes -0 as 0).
      if (!Number.isFinite(value)) throw notPlain;
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (depth > MAX_DEPTH) throw notPlain;
      return Array.isArray(value) ? arrayText(value, depth) : objectText(value as Record<string, unknown>, depth);
    default:
      throw notPlain;
  }
}

function arrayText(items: readonly unknown[], depth: number): string {
  let text = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) text += ',';
    const item = items[i];
    if (item === undefined) {
      // JSON writes an undefined item as null, but the reference keeps a hole as a hole: let it decide.
      if (!(i in items)) throw notPlain;
      text += 'null';
    } else {
      text += valueText(item, depth + 1);
    }
  }
  return `${text}]`;
}

function objectText(object: Record<string, unknown>, depth: number): string {
  if (typeof object.toJSON === 'function') throw notPlain;
  const keys = Object.keys(object);
  // The default sort compares UTF-16 code units, which is the order RFC 8785 prescribes.
  if (keys.length > 1) keys.sort();
  return membersText(object, keys, depth);
}

function membersText(object: Record<string, unknown>, keys: readonly string[], depth: number): string {
  let text = '{';
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const item = object[key];
    // Skipped like the reference does; a symbol value falls to the reference through valueText.
    if (item === undefined) continue;
    if (!first) text += ',';
    first = false;
    text += `${stringText(key)}:${valueText(item, depth + 1)}`;
  }
  return `${text}}`;
}

/**
 * Whether the JSON.parse of this text (JSON.stringify output) holds no "__proto__" key and no lone
 * surrogate, so that code without this module (the SQLite writer thread) may canonicalise it with
 * JSON.stringify and a sorted property-list replacer: for plain JSON that gives exactly RFC 8785's key
 * order at every level, in one native pass. Conservative: a string value that merely looks like either
 * answers false, and the caller then uses canonicalJson.
 */
export function fastPathHoldsForJsonText(jsonText: string): boolean {
  return !jsonText.includes('"__proto__"') && !ESCAPED_SURROGATE.test(jsonText);
}

/**
 * The canonical text of `{ [k]: object[k] for k of sortedKeys }` without building that object: what a
 * chain hash covers is a fixed set of an event's fields, so their order is known in advance.
 * `sortedKeys` must be distinct and in UTF-16 order (the caller's constant); the result equals
 * `fastCanonicalJson` of the picked object, which the property tests check.
 */
export function fastCanonicalJsonOfMembers(object: Readonly<Record<string, unknown>>, sortedKeys: readonly string[]): string {
  try {
    return membersText(object, sortedKeys, 0);
  } catch (error) {
    if (!(error instanceof NotPlainJson)) throw error;
    // fromEntries defines own properties, so even a key named __proto__ stays data.
    return referenceCanonicalJson(Object.fromEntries(sortedKeys.map((key) => [key, object[key]])));
  }
}

export function fastCanonicalJson(value: unknown): string {
  try {
    return valueText(value, 0);
  } catch (error) {
    if (error instanceof NotPlainJson) return referenceCanonicalJson(value);
    throw error;
  }
}
