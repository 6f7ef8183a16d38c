/**
 * Statement boundaries come from polyglot's tokenizer (a `;` inside a string, a quoted name or a
 * comment is no boundary), never from the raw text.
 */
import { tokenizeSql, type Token } from './polyglot-sdk.js';

export interface StatementChunk {
  /** The statement's source text, for display. */
  readonly text: string;
  /** Its first keywords, upper-cased, for hints when the parser rejects it. */
  readonly leadingWords: readonly string[];
}

export interface SplitResult {
  readonly chunks: StatementChunk[];
  /**
   * False when the text between tokens is not plain whitespace and comments under GoogleSQL's own
   * rules: a block comment holding another comment opener, which the tokenizer nests and the
   * warehouse ends at the first closer, can hide a statement from one reader and not the other.
   */
  readonly commentsAgree: boolean;
}

/** undefined when the tokenizer rejects the text (then the whole request is unknown). */
export function splitStatements(sql: string): SplitResult | undefined {
  const tokens = tokenizeSql(sql);
  if (!tokens) return undefined;
  const codePoints = Array.from(sql);
  const commentsAgree = gapsAreWhitespaceAndComments(codePoints, tokens);
  const chunks: StatementChunk[] = [];
  let current: Token[] = [];
  const flush = (): void => {
    if (current.length === 0) return;
    const first = current[0] as Token;
    const last = current.at(-1) as Token;
    const text = Number.isInteger(first.start) && Number.isInteger(last.end) ? codePoints.slice(first.start, last.end).join('') : '';
    chunks.push({ text, leadingWords: current.slice(0, 2).map((token) => token.text.toUpperCase()) });
    current = [];
  };
  for (const token of tokens) {
    if (token.type === 'SEMICOLON') flush();
    else current.push(token);
  }
  flush();
  return { chunks, commentsAgree };
}

function gapsAreWhitespaceAndComments(codePoints: readonly string[], tokens: readonly Token[]): boolean {
  let position = 0;
  for (const token of tokens) {
    if (!Number.isInteger(token.start) || !Number.isInteger(token.end) || token.start < position) return false;
    if (!isWhitespaceAndComments(codePoints.slice(position, token.start).join(''))) return false;
    position = token.end;
  }
  return isWhitespaceAndComments(codePoints.slice(position).join(''));
}

/** GoogleSQL comments run from `--` or `#` to the end of the line, or between block delimiters, never nested. */
function isWhitespaceAndComments(gap: string): boolean {
  let index = 0;
  while (index < gap.length) {
    const char = gap[index] as string;
    if (/\s/.test(char)) {
      index += 1;
    } else if (char === '#' || gap.startsWith('--', index)) {
      const newline = gap.slice(index).search(/[\r\n]/);
      index = newline < 0 ? gap.length : index + newline;
    } else if (gap.startsWith('/*', index)) {
      const close = gap.indexOf('*/', index + 2);
      if (close < 0) return false;
      index = close + 2;
    } else {
      return false;
    }
  }
  return true;
}

/**
 * Control characters, zero-width and bidirectional format characters, private-use and lone
 * surrogates, and space separators other than the ASCII space (no-break, ideographic, en/em
 * spaces). The tokenizer treats some of them as spaces while the warehouse may not; a request
 * holding any of them is never read as harmless.
 */
const disguisingCharacters = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\u2028\u2029]|(?! )\p{Zs}/u;

export function hasDisguisingCharacters(sql: string): boolean {
  return disguisingCharacters.test(sql.replace(/[\t\n\r]/g, ' '));
}
