/**
 * GoogleSQL escape sequences, as the lexical-structure reference lists them for quoted strings and
 * backtick identifiers: \a \b \f \n \r \t \v \\ \? \" \' \` , octal \ooo (exactly three digits),
 * \xhh and \Xhh (exactly two hex digits), \uhhhh and \Uhhhhhhhh. Anything else after a backslash is
 * an error. A name must decode to the same text BigQuery sees, so `\u0068r`, `\150r` and `\x68r` all
 * reach policy as `hr`.
 */

const simpleEscapes: Readonly<Record<string, string>> = {
  a: '\u0007',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '?': '?',
  '"': '"',
  "'": "'",
  '`': '`',
};

export type Decoded = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly offset: number; readonly message: string };

/**
 * Decodes `body` (the text between the quotes). `base` is the body's offset in the whole input, for
 * error positions. In strings and names an octal or \x escape decodes to one Unicode character
 * (the reference: "decodes to a single Unicode character (in string literals)"), so \377 is U+00FF.
 */
export function decodeEscapes(body: string, base: number): Decoded {
  if (!body.includes('\\')) return { ok: true, value: body };
  let value = '';
  let index = 0;
  while (index < body.length) {
    const char = body[index] as string;
    if (char !== '\\') {
      value += char;
      index += 1;
      continue;
    }
    const next = body[index + 1];
    const at = base + index;
    if (next === undefined) return { ok: false, offset: at, message: 'a backslash ends the literal' };
    const simple = simpleEscapes[next];
    if (simple !== undefined) {
      value += simple;
      index += 2;
      continue;
    }
    const numeric = numericEscape(body, index);
    if (!numeric) return { ok: false, offset: at, message: `illegal escape sequence \\${next}` };
    if (numeric.codePoint > 0x10ffff || (numeric.codePoint >= 0xd800 && numeric.codePoint <= 0xdfff)) {
      return { ok: false, offset: at, message: 'escape names no Unicode character' };
    }
    value += String.fromCodePoint(numeric.codePoint);
    index += numeric.length;
  }
  return { ok: true, value };
}

function numericEscape(body: string, index: number): { codePoint: number; length: number } | undefined {
  const next = body[index + 1] as string;
  if (/[0-7]/.test(next)) {
    const digits = body.slice(index + 1, index + 4);
    return /^[0-3][0-7]{2}$/.test(digits) ? { codePoint: parseInt(digits, 8), length: 4 } : undefined;
  }
  const hexLength = next === 'x' || next === 'X' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
  if (hexLength === 0) return undefined;
  const digits = body.slice(index + 2, index + 2 + hexLength);
  if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(digits)) return undefined;
  return { codePoint: parseInt(digits, 16), length: 2 + hexLength };
}
