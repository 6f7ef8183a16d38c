/**
 * The UTF-8 bytes of an event's RFC 8785 text written straight into a reusable buffer, for hashing:
 * verifying a bundle hashes every event, and building the canonical text as a JavaScript string (a
 * chain of concatenations, flattened and UTF-8 encoded again by the hash) cost more than the hash.
 *
 * Writes exactly what `fastCanonicalJson` writes (see canonical-json.ts for the rules), encoded as
 * UTF-8: strings and keys with JSON.stringify's escapes, numbers as ECMAScript's Number::toString,
 * each object's keys in UTF-16 order. The moment a value is not plain JSON (or holds a lone
 * surrogate) it gives up and answers undefined, and the caller takes the string path, whose reference
 * fallback alone decides the text or the error. Property tests compare the bytes with the reference.
 */

/** Thrown inside a write when the value is not plain JSON; never escapes this module. */
class NotPlainJson extends Error {}
const notPlain = new NotPlainJson('not plain JSON');

/** Same limit as canonical-json.ts: deeper is treated as a possible cycle and left to the reference. */
const MAX_DEPTH = 200;

const HEX = '0123456789abcdef';

/** 1 for the ASCII characters JSON writes as they are: not a control character, quote or backslash. */
const WRITTEN_AS_IS = Uint8Array.from({ length: 0x80 }, (_, c) => (c >= 0x20 && c !== 0x22 && c !== 0x5c ? 1 : 0));

export interface CanonicalByteWriter {
  /**
   * The bytes of `line` (the previous hash), a newline, then the canonical text of
   * `{ [k]: object[k] for k of sortedKeys }` — or undefined when that is not plain JSON or `line` is
   * not ASCII. `sortedKeys` must be distinct and in UTF-16 order. The view is valid until the next call.
   */
  membersAfterLine(line: string, object: Readonly<Record<string, unknown>>, sortedKeys: readonly string[]): Uint8Array | undefined;
}

/** One writer per caller: it owns a buffer that grows to the largest event written. */
export function createCanonicalByteWriter(): CanonicalByteWriter {
  let bytes = new Uint8Array(4096);
  let length = 0;

  const reserve = (extra: number): void => {
    if (length + extra <= bytes.length) return;
    let size = bytes.length * 2;
    while (size < length + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(bytes.subarray(0, length));
    bytes = grown;
  };

  const byte = (code: number): void => {
    if (length === bytes.length) reserve(1);
    bytes[length++] = code;
  };

  /** Text known to be ASCII without characters JSON escapes (number text, literals, the prefix). */
  const ascii = (text: string): void => {
    reserve(text.length);
    for (let i = 0; i < text.length; i++) bytes[length++] = text.charCodeAt(i);
  };

  /** Text written as it is, which UTF-8 leaves unchanged only while it is ASCII. */
  const rawAscii = (text: string): void => {
    reserve(text.length);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) throw notPlain;
      bytes[length++] = c;
    }
  };

  /** A non-negative 31-bit integer in decimal, as String() writes it, without making the string. */
  const digits = (integer: number): void => {
    reserve(10);
    let divisor = 1;
    while (divisor * 10 <= integer) divisor *= 10;
    for (; divisor >= 1; divisor /= 10) {
      const digit = Math.floor(integer / divisor);
      bytes[length++] = 0x30 + digit;
      integer -= digit * divisor;
    }
  };

  const string = (text: string): void => {
    // Worst case per UTF-16 unit: six bytes (\u001f); plus the quotes. A long string is measured
    // first, so that it never asks for six times its length.
    reserve((text.length <= 16_384 ? text.length * 6 : escapedLengthBound(text)) + 2);
    const out = bytes;
    let at = length;
    out[at++] = 0x22;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) {
        if (WRITTEN_AS_IS[c] === 1) {
          out[at++] = c;
          continue;
        }
        out[at++] = 0x5c;
        switch (c) {
          case 0x22:
          case 0x5c:
            out[at++] = c;
            break;
          case 0x08:
            out[at++] = 0x62; // \b
            break;
          case 0x09:
            out[at++] = 0x74; // \t
            break;
          case 0x0a:
            out[at++] = 0x6e; // \n
            break;
          case 0x0c:
            out[at++] = 0x66; // \f
            break;
          case 0x0d:
            out[at++] = 0x72; // \r
            break;
          default:
            // \u00XX with lowercase hex digits, as JSON.stringify writes it.
            out[at++] = 0x75;
            out[at++] = 0x30;
            out[at++] = 0x30;
            out[at++] = HEX.charCodeAt(c >> 4);
            out[at++] = HEX.charCodeAt(c & 0xf);
        }
      } else if (c < 0x800) {
        out[at++] = 0xc0 | (c >> 6);
        out[at++] = 0x80 | (c & 0x3f);
      } else if (c < 0xd800 || c > 0xdfff) {
        out[at++] = 0xe0 | (c >> 12);
        out[at++] = 0x80 | ((c >> 6) & 0x3f);
        out[at++] = 0x80 | (c & 0x3f);
      } else {
        // A surrogate: only a high one followed by a low one is a character; a lone one is not JSON
        // that RFC 8785 can write, and the reference decides what happens.
        const low = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
        if (c > 0xdbff || low < 0xdc00 || low > 0xdfff) throw notPlain;
        const point = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        out[at++] = 0xf0 | (point >> 18);
        out[at++] = 0x80 | ((point >> 12) & 0x3f);
        out[at++] = 0x80 | ((point >> 6) & 0x3f);
        out[at++] = 0x80 | (point & 0x3f);
        i++;
      }
    }
    out[at++] = 0x22;
    length = at;
  };

  const value = (item: unknown, depth: number): void => {
    if (item === null) return ascii('null');
    switch (typeof item) {
      case 'string':
        return string(item);
      case 'number':
        // ECMAScript's Number::toString, which RFC 8785 adopts (and which writes -0 as 0): ASCII.
        if (!Number.isFinite(item)) throw notPlain;
        return item >= 0 && item < 0x8000_0000 && (item | 0) === item ? digits(item) : ascii(String(item));
      case 'boolean':
        return ascii(item ? 'true' : 'false');
      case 'object':
        if (depth > MAX_DEPTH) throw notPlain;
        return Array.isArray(item) ? array(item, depth) : object(item as Record<string, unknown>, depth);
      default:
        throw notPlain;
    }
  };

  const array = (items: readonly unknown[], depth: number): void => {
    byte(0x5b);
    for (let i = 0; i < items.length; i++) {
      if (i > 0) byte(0x2c);
      const item = items[i];
      if (item === undefined) {
        // JSON writes an undefined item as null, but the reference keeps a hole as a hole: let it decide.
        if (!(i in items)) throw notPlain;
        ascii('null');
      } else {
        value(item, depth + 1);
      }
    }
    byte(0x5d);
  };

  const object = (target: Record<string, unknown>, depth: number): void => {
    if (typeof target.toJSON === 'function') throw notPlain;
    const keys = Object.keys(target);
    sortUtf16(keys);
    members(target, keys, depth);
  };

  const members = (target: Readonly<Record<string, unknown>>, keys: readonly string[], depth: number): void => {
    byte(0x7b);
    let first = true;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const item = target[key];
      // Skipped like the reference does; a symbol value falls to the reference through value().
      if (item === undefined) continue;
      if (!first) byte(0x2c);
      first = false;
      string(key);
      byte(0x3a);
      value(item, depth + 1);
    }
    byte(0x7d);
  };

  return {
    membersAfterLine(line, target, sortedKeys) {
      length = 0;
      try {
        rawAscii(line);
        byte(0x0a);
        members(target, sortedKeys, 0);
      } catch (error) {
        if (error instanceof NotPlainJson) return undefined;
        throw error;
      }
      return bytes.subarray(0, length);
    },
  };
}

/** At least the number of bytes `string` writes for `text` between its quotes. */
function escapedLengthBound(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A surrogate pair is two units of four bytes in all: three per unit is enough for them too.
    bytes += c < 0x20 ? 6 : c === 0x22 || c === 0x5c ? 2 : c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
  }
  return bytes;
}

/**
 * In place, by UTF-16 code units (what `<` compares for strings, and the order RFC 8785 prescribes).
 * Insertion sort: objects in events have a handful of keys, where it beats Array.prototype.sort.
 */
function sortUtf16(keys: string[]): void {
  if (keys.length > 16) {
    keys.sort();
    return;
  }
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = key;
  }
}
