/**
 * A GoogleSQL lexer of our own, written from the lexical-structure reference and checked against
 * ZetaSQL (test/fuzz/googlesql-differential.test.ts). It is the authority for where every literal,
 * name and comment starts and ends, and so for statement boundaries: the parser library's tokenizer
 * is compared with it, never trusted alone.
 *
 * Comments: `#` and `--` run to the end of the line; `/* … *\/` does not nest and must be closed.
 * Unquoted names are ASCII letters, digits and `_`; any other character outside quotes and comments
 * (besides the punctuation below and space, tab, CR, LF, FF) is an error, as it is to ZetaSQL.
 */
import { decodeEscapes } from './escapes.js';
import { scanQuoted } from './quoted.js';
import type { GoogleSqlToken, LexResult } from './tokens.js';

/**
 * Character classes by UTF-16 code unit, for the ASCII range (everything else is an error outside
 * literals and comments). The lexer runs on every request, so it compares numbers, not 1-character strings.
 */
const other = 0;
const space = 1;
const letter = 2;
const digit = 3;
const punct = 4;
const classOf = new Uint8Array(128);
for (const char of ' \t\n\r\f') classOf[char.charCodeAt(0)] = space;
for (let code = 0; code < 128; code++) {
  const char = String.fromCharCode(code);
  if ((char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z') || char === '_') classOf[code] = letter;
  else if (char >= '0' && char <= '9') classOf[code] = digit;
}
for (const char of '()[]{},.:+-*/%<>=!|&^~') classOf[char.charCodeAt(0)] = punct;

/** The class of the code unit at `index`; past the end (NaN) and non-ASCII are `other`. */
function classAt(sql: string, index: number): number {
  const code = sql.charCodeAt(index);
  return code < 128 ? (classOf[code] as number) : other;
}

function isIdentifierPart(sql: string, index: number): boolean {
  const kind = classAt(sql, index);
  return kind === letter || kind === digit;
}

function isDigitAt(sql: string, index: number): boolean {
  return classAt(sql, index) === digit;
}

const codeOf = (char: string): number => char.charCodeAt(0);
const [hash, dash, slash, star, singleQuote, doubleQuote, backtick, at, question, semicolon, dot, lineFeed, carriageReturn] = [
  '#', '-', '/', '*', "'", '"', '`', '@', '?', ';', '.', '\n', '\r',
].map(codeOf) as [number, number, number, number, number, number, number, number, number, number, number, number, number];

/** Every string/bytes prefix starts with r or b: only then is the (allocating) prefix check worth making. */
function isLiteralPrefixStart(code: number): boolean {
  return code === 0x72 || code === 0x52 || code === 0x62 || code === 0x42;
}

/** The length of a string/bytes prefix (r, b, rb, br in any case) directly before a quote, else 0. */
function literalPrefixLength(sql: string, index: number): number {
  for (const length of [2, 1]) {
    const prefix = sql.slice(index, index + length).toLowerCase();
    const quote = sql[index + length];
    if ((quote === "'" || quote === '"') && ['r', 'b', 'rb', 'br'].includes(prefix)) return length;
  }
  return 0;
}

export function lexGoogleSql(sql: string): LexResult {
  const tokens: GoogleSqlToken[] = [];
  let index = 0;
  const fail = (offset: number, message: string): LexResult => ({ ok: false, error: { offset, message } });
  while (index < sql.length) {
    const code = sql.charCodeAt(index);
    const kind = code < 128 ? (classOf[code] as number) : other;
    const start = index;
    if (kind === space) {
      index += 1;
    } else if (kind === letter && !(isLiteralPrefixStart(code) && literalPrefixLength(sql, index) > 0)) {
      index += 1;
      while (isIdentifierPart(sql, index)) index += 1;
      tokens.push({ kind: 'identifier', start, end: index, value: sql.slice(start, index) });
    } else if (code === hash || (code === dash && sql.charCodeAt(index + 1) === dash)) {
      // Scanned in place: slicing the rest of the text for every comment made long requests quadratic.
      while (index < sql.length && sql.charCodeAt(index) !== lineFeed && sql.charCodeAt(index) !== carriageReturn) index += 1;
      tokens.push({ kind: 'comment', start, end: index });
    } else if (code === slash && sql.charCodeAt(index + 1) === star) {
      const close = sql.indexOf('*/', index + 2);
      if (close < 0) return fail(start, `block comment opened at ${start} is never closed`);
      index = close + 2;
      tokens.push({ kind: 'comment', start, end: index });
    } else if (code === singleQuote || code === doubleQuote || kind === letter) {
      // A letter here is a string/bytes prefix: plain names were read above.
      const prefix = kind === letter ? sql.slice(index, index + literalPrefixLength(sql, index)).toLowerCase() : '';
      const scan = scanQuoted(sql, index + prefix.length);
      if (!scan.ok) return fail(scan.offset, scan.message);
      index = scan.end;
      const body = sql.slice(scan.bodyStart, scan.bodyEnd);
      if (prefix.includes('b')) {
        tokens.push({ kind: 'bytes', start, end: index });
      } else if (prefix.includes('r')) {
        tokens.push({ kind: 'string', start, end: index, value: body });
      } else {
        const decoded = decodeEscapes(body, scan.bodyStart);
        if (!decoded.ok) return fail(decoded.offset, decoded.message);
        tokens.push({ kind: 'string', start, end: index, value: decoded.value });
      }
    } else if (code === backtick) {
      const scan = scanQuoted(sql, index);
      if (!scan.ok) return fail(scan.offset, scan.message);
      if (scan.bodyEnd === scan.bodyStart) return fail(start, `empty quoted identifier at ${start}`);
      const decoded = decodeEscapes(sql.slice(scan.bodyStart, scan.bodyEnd), scan.bodyStart);
      if (!decoded.ok) return fail(decoded.offset, decoded.message);
      index = scan.end;
      tokens.push({ kind: 'quoted_identifier', start, end: index, value: decoded.value });
    } else if (kind === digit || (code === dot && isDigitAt(sql, index + 1) && !endsName(sql, tokens))) {
      index = numberEnd(sql, index);
      tokens.push({ kind: 'number', start, end: index });
    } else if (code === at || code === question) {
      index += code === at && sql.charCodeAt(index + 1) === at ? 2 : 1;
      if (code === at) while (isIdentifierPart(sql, index)) index += 1;
      tokens.push({ kind: 'parameter', start, end: index });
    } else if (code === semicolon) {
      index += 1;
      tokens.push({ kind: 'semicolon', start, end: index });
    } else if (kind === punct) {
      index += 1;
      tokens.push({ kind: 'punctuation', start, end: index });
    } else {
      return fail(start, `character U+${(sql.codePointAt(index) ?? 0).toString(16).toUpperCase().padStart(4, '0')} at ${start} is not GoogleSQL outside a literal or comment`);
    }
  }
  return { ok: true, tokens };
}

/** After a name or a closing bracket, `.5` is a path step, not a number. */
function endsName(sql: string, tokens: readonly GoogleSqlToken[]): boolean {
  for (let i = tokens.length - 1; i >= 0; i--) {
    const token = tokens[i] as GoogleSqlToken;
    if (token.kind === 'comment') continue;
    if (token.kind === 'punctuation') return sql[token.start] === ')' || sql[token.start] === ']';
    return token.kind === 'identifier' || token.kind === 'quoted_identifier';
  }
  return false;
}

/** Decimal `12`, `1.5`, `.5`, `1e-3`, `1.`, and hex `0x1F`. */
function numberEnd(sql: string, start: number): number {
  let index = start;
  if (sql[index] === '0' && (sql[index + 1] === 'x' || sql[index + 1] === 'X') && /[0-9a-fA-F]/.test(sql[index + 2] ?? '')) {
    index += 2;
    while (/[0-9a-fA-F]/.test(sql[index] ?? '')) index += 1;
    return index;
  }
  while (isDigitAt(sql, index)) index += 1;
  if (sql[index] === '.') {
    index += 1;
    while (isDigitAt(sql, index)) index += 1;
  }
  if ((sql[index] === 'e' || sql[index] === 'E') && (isDigitAt(sql, index + 1) || (/[+-]/.test(sql[index + 1] ?? '') && isDigitAt(sql, index + 2)))) {
    index += 2;
    while (isDigitAt(sql, index)) index += 1;
  }
  return index;
}
