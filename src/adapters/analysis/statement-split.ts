/**
 * Statement boundaries come from our GoogleSQL lexer (a `;` inside a string, a quoted name or a
 * comment is no boundary), and the parser library's tokenizer must read the same text the same way:
 * where the two readings split, the request is unreadable and the reason says where.
 */
import { readingsDisagree, utf16ToCodePoint } from './googlesql-lexer/agreement.js';
import { lexGoogleSql } from './googlesql-lexer/lexer.js';
import { statementStructure } from './googlesql-lexer/statements.js';
import type { GoogleSqlToken } from './googlesql-lexer/tokens.js';
import { tokenizeSql } from './polyglot-sdk.js';

export interface StatementChunk {
  /** The statement's source text, for display and for reading it alone. */
  readonly text: string;
  /** Where the text starts in the request, in code points (the parser library's span unit). */
  readonly codePointStart: number;
  /** Its first keywords, upper-cased, for hints when the parser rejects it. */
  readonly leadingWords: readonly string[];
}

/** A piece of a name path as GoogleSQL reads it, at code-point offsets (the parser library's unit). */
export interface NamePiece {
  readonly start: number;
  readonly end: number;
  /** Quoted names decoded, unquoted names as written, `.` and `-` as themselves. */
  readonly text: string;
}

/**
 * The text of a name the parser library reports at [start, end), rebuilt from the lexer's pieces
 * there: undefined unless the span is exactly a run of names, dots and dashes. The library sometimes
 * merges parts (`a`.b.c as one quoted name), so a span may cover several pieces.
 */
export function nameAt(pieces: readonly NamePiece[], start: number, end: number): string | undefined {
  let low = 0;
  let high = pieces.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((pieces[middle] as NamePiece).start < start) low = middle + 1;
    else high = middle;
  }
  let text = '';
  let position = start;
  for (let index = low; index < pieces.length && position < end; index++) {
    const piece = pieces[index] as NamePiece;
    if (piece.start !== position) return undefined;
    text += piece.text;
    position = piece.end;
  }
  return position === end && text.length > 0 ? text : undefined;
}

export interface SplitResult {
  readonly chunks: StatementChunk[];
  /** Names, dots and dashes in order, for reading a quoted name the way GoogleSQL does. */
  readonly namePieces: readonly NamePiece[];
  /** Some quoted name holds an escape, so its text as the parser library keeps it is not the name. */
  readonly escapedNames: boolean;
  /** Names the request defines with CREATE TEMP FUNCTION (lower case). */
  readonly tempFunctions: ReadonlySet<string>;
  /** Why the request cannot be read with certainty (readings split, blocks unbalanced), if so. */
  readonly problem?: string;
  /** Where the lexer and the parser library's tokenizer split, if they do. */
  readonly disagreement?: string;
}

export type SplitOutcome = { readonly ok: true; readonly split: SplitResult } | { readonly ok: false; readonly problem: string };

export function splitStatements(sql: string): SplitOutcome {
  const lexed = lexGoogleSql(sql);
  if (!lexed.ok) return { ok: false, problem: `not GoogleSQL: ${lexed.error.message}` };
  const toCodePoint = utf16ToCodePoint(sql);
  const structure = statementStructure(sql, lexed.tokens);
  const chunks = structure.chunks.map((chunk) => ({
    text: sql.slice(chunk.start, chunk.end),
    codePointStart: toCodePoint(chunk.start),
    leadingWords: chunk.leadingWords,
  }));
  const namePieces: NamePiece[] = [];
  let escapedNames = false;
  for (const token of lexed.tokens) {
    const raw = sql.slice(token.start, token.end);
    const piece = token.kind === 'quoted_identifier' ? token.value : token.kind === 'identifier' || raw === '.' || raw === '-' ? raw : undefined;
    if (piece === undefined) continue;
    namePieces.push({ start: toCodePoint(token.start), end: toCodePoint(token.end), text: piece });
    if (token.kind === 'quoted_identifier' && raw.slice(1, -1) !== token.value) escapedNames = true;
  }
  const tempFunctions = temporaryFunctionNames(sql, lexed.tokens);
  const otherTokens = tokenizeSql(sql);
  const disagreement = otherTokens
    ? readingsDisagree(sql, lexed.tokens, otherTokens)
    : 'the parser library cannot tokenize text that GoogleSQL reads';
  const problem = disagreement ?? structure.problem;
  return { ok: true, split: { chunks, namePieces, escapedNames, tempFunctions, ...(problem ? { problem } : {}), ...(disagreement ? { disagreement } : {}) } };
}

/** `CREATE [OR REPLACE] TEMP|TEMPORARY [AGGREGATE] FUNCTION [IF NOT EXISTS] name`: the one-part names. */
function temporaryFunctionNames(sql: string, tokens: readonly GoogleSqlToken[]): Set<string> {
  const words = tokens
    .filter((token) => token.kind !== 'comment')
    .map((token) => (token.kind === 'identifier' ? sql.slice(token.start, token.end).toUpperCase() : token.kind === 'quoted_identifier' ? `\`${token.value}` : ''));
  const names = new Set<string>();
  for (let index = 0; index < words.length; index++) {
    if (words[index] !== 'CREATE') continue;
    let at = index + 1;
    if (words[at] === 'OR' && words[at + 1] === 'REPLACE') at += 2;
    if (words[at] !== 'TEMP' && words[at] !== 'TEMPORARY') continue;
    at += 1;
    if (words[at] === 'AGGREGATE') at += 1;
    if (words[at] !== 'FUNCTION') continue;
    at += 1;
    if (words[at] === 'IF' && words[at + 1] === 'NOT' && words[at + 2] === 'EXISTS') at += 3;
    const name = words[at];
    // The token after the name must not be a dot: a temporary function has a one-part name.
    const next = tokens.filter((token) => token.kind !== 'comment')[at + 1];
    if (name && next && sql[next.start] !== '.') names.add((name.startsWith('`') ? name.slice(1) : name).toLowerCase());
  }
  return names;
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
