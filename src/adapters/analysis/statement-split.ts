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

/** undefined when the tokenizer rejects the text (then the whole request is unknown). */
export function splitStatements(sql: string): StatementChunk[] | undefined {
  const tokens = tokenizeSql(sql);
  if (!tokens) return undefined;
  const codePoints = Array.from(sql);
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
  return chunks;
}

/**
 * Control characters, zero-width and bidirectional format characters, private-use and lone
 * surrogates. The tokenizer treats some of them as spaces while the warehouse may not; a request
 * holding any of them is never read as harmless.
 */
const disguisingCharacters = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\u2028\u2029]/u;

export function hasDisguisingCharacters(sql: string): boolean {
  return disguisingCharacters.test(sql.replace(/[\t\n\r]/g, ' '));
}
