/**
 * The two readings of one request must agree: our GoogleSQL lexer and the parser library's
 * tokenizer. They agree when they cover exactly the same characters with code (not space, not
 * comment), every literal and quoted name spans exactly the same characters in both, and the `;`
 * boundaries are the same. Operators and numbers may be cut differently inside a run of code;
 * that changes nothing about what the statement is. Any other difference means one reader sees
 * text the other does not, so the answer names the first place they split.
 */
import type { GoogleSqlToken } from './tokens.js';

/** A token of the other reader, in code points (as the parser library counts). */
export interface OtherToken {
  readonly type: string;
  readonly start: number;
  readonly end: number;
}

const quoteCharacters = new Set(["'", '"', '`']);
const literalPrefixLetters = new Set(['r', 'R', 'b', 'B']);

function textAt(codePoints: ArrayLike<string>, start: number, count: number): string {
  let text = '';
  for (let index = start; index < start + count && index < codePoints.length; index++) text += codePoints[index];
  return text;
}

/** undefined when the readings agree, else where and how they split. */
export function readingsDisagree(sql: string, lexed: readonly GoogleSqlToken[], other: readonly OtherToken[]): string | undefined {
  const toCodePoint = utf16ToCodePoint(sql);
  // Without surrogate pairs, UTF-16 offsets are code points: no per-character array is needed.
  const codePoints: ArrayLike<string> = toCodePoint === sameOffset ? sql : Array.from(sql);
  const ours = lexed.map((token) => ({ token, start: toCodePoint(token.start), end: toCodePoint(token.end) }));
  const length = codePoints.length;
  const lexCovered = new Uint8Array(length);
  const otherCovered = new Uint8Array(length);
  for (const { token, start, end } of ours) if (token.kind !== 'comment') lexCovered.fill(1, start, end);
  for (const token of other) {
    if (!Number.isInteger(token.start) || !Number.isInteger(token.end) || token.start < 0 || token.end > length || token.end < token.start) {
      return `the parser library reports a token at ${token.start}..${token.end} outside the text`;
    }
    otherCovered.fill(1, token.start, token.end);
  }
  for (let offset = 0; offset < length; offset++) {
    if (lexCovered[offset] !== otherCovered[offset]) {
      const lexSays = describeOffset(ours, offset);
      return `the readings split at ${position(codePoints, offset)}: GoogleSQL reads ${lexSays} there, the parser library ${otherCovered[offset] ? 'reads code' : 'skips it'}`;
    }
  }
  const otherSpans = new Set(other.map((token) => `${token.start}:${token.end}`));
  for (const { token, start, end } of ours) {
    if (isQuotedKind(token.kind) && !otherSpans.has(`${start}:${end}`)) {
      return `the readings split at ${position(codePoints, start)}: GoogleSQL reads a ${token.kind.replace('_', ' ')} of ${end - start} characters there, the parser library does not`;
    }
  }
  const ourQuoted = new Set(ours.filter(({ token }) => isQuotedKind(token.kind)).map(({ start, end }) => `${start}:${end}`));
  for (const token of other) {
    const first = codePoints[token.start] ?? '';
    const opensQuote = quoteCharacters.has(first) || (literalPrefixLetters.has(first) && /^[rRbB]{1,2}['"]/.test(textAt(codePoints, token.start, 3)));
    if (opensQuote && !ourQuoted.has(`${token.start}:${token.end}`)) {
      return `the readings split at ${position(codePoints, token.start)}: the parser library reads a quoted token of ${token.end - token.start} characters there, GoogleSQL does not`;
    }
  }
  const ourSemicolons = ours.filter(({ token }) => token.kind === 'semicolon').map(({ start }) => start);
  const otherSemicolons = other.filter((token) => token.type === 'SEMICOLON').map((token) => token.start);
  const count = Math.max(ourSemicolons.length, otherSemicolons.length);
  for (let index = 0; index < count; index++) {
    if (ourSemicolons[index] !== otherSemicolons[index]) {
      const at = Math.min(ourSemicolons[index] ?? length, otherSemicolons[index] ?? length);
      return `the readings split at ${position(codePoints, at)}: they do not end statements at the same semicolons`;
    }
  }
  return undefined;
}

function isQuotedKind(kind: GoogleSqlToken['kind']): boolean {
  return kind === 'string' || kind === 'bytes' || kind === 'quoted_identifier';
}

function describeOffset(ours: readonly { token: GoogleSqlToken; start: number; end: number }[], offset: number): string {
  const hit = ours.find(({ start, end }) => start <= offset && offset < end);
  if (!hit) return 'space';
  return hit.token.kind === 'comment' ? 'a comment' : hit.token.kind === 'quoted_identifier' ? 'a quoted name' : `a ${hit.token.kind}`;
}

/** `line L column C (offset N)`, 1-based line and column, offset in code points. */
function position(codePoints: ArrayLike<string>, offset: number): string {
  let line = 1;
  let column = 1;
  for (let index = 0; index < offset && index < codePoints.length; index++) {
    if (codePoints[index] === '\n') {
      line += 1;
      column = 1;
    } else {
      column += 1;
    }
  }
  return `line ${line} column ${column} (offset ${offset})`;
}

const sameOffset = (offset: number): number => offset;

/** Converts UTF-16 offsets to code-point offsets (identity when the text has no surrogate pairs). */
export function utf16ToCodePoint(sql: string): (offset: number) => number {
  if (!/[\uD800-\uDFFF]/.test(sql)) return sameOffset;
  const map = new Uint32Array(sql.length + 1);
  let codePoint = 0;
  for (let index = 0; index < sql.length; index++) {
    map[index] = codePoint;
    const unit = sql.charCodeAt(index);
    if (!(unit >= 0xd800 && unit <= 0xdbff && index + 1 < sql.length)) codePoint += 1;
  }
  map[sql.length] = codePoint;
  return (offset) => map[offset] as number;
}
