/**
 * Statement boundaries from the lexer's tokens. Every `;` outside literals and comments ends a
 * statement chunk (what the parser library reads one by one); the script structure on top says how
 * the chunks nest: BEGIN…END, IF…END IF, LOOP…END LOOP, WHILE…END WHILE, REPEAT…END REPEAT,
 * FOR…END FOR and CASE…END CASE bodies hold statements of their own, so only a `;` outside every
 * block ends a top-level statement. Blocks that do not balance make the reading unreliable.
 */
import type { GoogleSqlToken } from './tokens.js';

export interface LexedStatement {
  /** UTF-16 offsets of the first and past the last non-comment token. */
  readonly start: number;
  readonly end: number;
  /** The first two words, upper-cased (hints when the parser rejects the statement). */
  readonly leadingWords: readonly string[];
}

export interface StatementStructure {
  /** One entry per `;`-separated chunk holding any code. */
  readonly chunks: readonly LexedStatement[];
  /** Statements outside every script block (a whole BEGIN…END is one). */
  readonly topLevelCount: number;
  /** Why the script blocks do not balance, when they do not. */
  readonly problem?: string;
}

/** Words that open a script block when they start a statement. */
const blockWords = new Set(['BEGIN', 'IF', 'LOOP', 'WHILE', 'REPEAT', 'FOR', 'CASE']);
/** Words after which, inside a script block, a new statement starts. */
const bodyStartWords = new Set(['BEGIN', 'THEN', 'ELSE', 'DO', 'LOOP', 'REPEAT']);
/** The word after END that closes each kind of block (BEGIN's END stands alone). */
const closingWords: Readonly<Record<string, string | undefined>> = { IF: 'IF', LOOP: 'LOOP', WHILE: 'WHILE', REPEAT: 'REPEAT', FOR: 'FOR', CASE: 'CASE' };

type Frame = 'BEGIN' | 'IF' | 'LOOP' | 'WHILE' | 'REPEAT' | 'FOR' | 'CASE' | 'case-expression';

export function statementStructure(sql: string, tokens: readonly GoogleSqlToken[]): StatementStructure {
  const code = tokens.filter((token) => token.kind !== 'comment');
  const word = (index: number): string | undefined => {
    const token = code[index];
    return token?.kind === 'identifier' ? sql.slice(token.start, token.end).toUpperCase() : undefined;
  };
  const chunks: LexedStatement[] = [];
  const stack: Frame[] = [];
  let chunkStart = -1;
  let topLevelCount = 0;
  let topLevelOpen = false;
  let atStatementStart = true;
  let problem: string | undefined;
  // CREATE PROCEDURE … BEGIN … END: the body is a block although BEGIN does not start a statement.
  let procedureHeader = false;
  const closeChunk = (endIndex: number): void => {
    if (chunkStart < 0) return;
    const first = code[chunkStart] as GoogleSqlToken;
    const last = code[endIndex - 1] as GoogleSqlToken;
    chunks.push({ start: first.start, end: last.end, leadingWords: [word(chunkStart), word(chunkStart + 1)].filter((w): w is string => w !== undefined) });
    chunkStart = -1;
  };
  for (let index = 0; index < code.length; index++) {
    const token = code[index] as GoogleSqlToken;
    if (token.kind === 'semicolon') {
      closeChunk(index);
      if (stack.length === 0) {
        topLevelOpen = false;
        procedureHeader = false;
      }
      atStatementStart = stack.every((frame) => frame !== 'case-expression');
      continue;
    }
    if (chunkStart < 0) chunkStart = index;
    if (stack.length === 0 && !topLevelOpen) {
      topLevelOpen = true;
      topLevelCount += 1;
    }
    const current = keywordOf(token);
    const startsStatement = atStatementStart;
    atStatementStart = false;
    if (current === undefined) continue;
    // A label (`name:`) may stand before a block word.
    if (startsStatement && code[index + 1] && sql[(code[index + 1] as GoogleSqlToken).start] === ':' && code[index + 1]?.kind === 'punctuation') {
      atStatementStart = true;
      index += 1;
      continue;
    }
    if (stack.length === 0 && current === 'PROCEDURE' && word(chunkStart) === 'CREATE') procedureHeader = true;
    const opensProcedureBody = current === 'BEGIN' && procedureHeader && stack.length === 0;
    if ((startsStatement || opensProcedureBody) && blockWords.has(current) && !(current === 'BEGIN' && isTransactionBegin(word(index + 1), code[index + 1]))) {
      stack.push(current as Frame);
      if (current === 'BEGIN' || current === 'LOOP' || current === 'REPEAT') atStatementStart = true;
      continue;
    }
    if (current === 'CASE') {
      stack.push('case-expression');
      continue;
    }
    if (current === 'END') {
      const frame = stack.pop();
      if (frame === undefined) {
        problem ??= `END at ${token.start} closes no block`;
        continue;
      }
      const closing = frame === 'case-expression' ? undefined : closingWords[frame];
      if (closing !== undefined) {
        if (word(index + 1) !== closing) problem ??= `${frame} block is closed by END at ${token.start} without ${closing}`;
        else index += 1;
      }
      continue;
    }
    const top = stack.at(-1);
    if (top !== undefined && top !== 'case-expression' && bodyStartWords.has(current)) atStatementStart = true;
  }
  closeChunk(code.length);
  if (stack.length > 0) problem ??= `${stack.length} script block(s) are never closed`;
  return { chunks, topLevelCount, ...(problem ? { problem } : {}) };
}

/** Every word the block rules compare an identifier with. */
const ruleWords = ['BEGIN', 'IF', 'LOOP', 'WHILE', 'REPEAT', 'FOR', 'CASE', 'END', 'THEN', 'ELSE', 'DO', 'PROCEDURE', 'CREATE', 'TRANSACTION'];
/** Length and lower-cased first letter of each rule word, so most names are ruled out without upper-casing them. */
const ruleWordShapes: ReadonlySet<number> = new Set(ruleWords.map((word) => shapeOf(word.length, word.charCodeAt(0))));

function shapeOf(length: number, firstCode: number): number {
  return length * 128 + (firstCode | 0x20);
}

/**
 * An identifier as the block rules compare it: upper-cased when it could be one of their words; any
 * other name stays as written (it cannot equal one, but it still matters, e.g. as a label). Undefined
 * for other tokens.
 */
function keywordOf(token: GoogleSqlToken): string | undefined {
  if (token.kind !== 'identifier' || token.value === undefined) return undefined;
  return ruleWordShapes.has(shapeOf(token.value.length, token.value.charCodeAt(0))) ? token.value.toUpperCase() : token.value;
}

/** `BEGIN;` and `BEGIN TRANSACTION` start a transaction, not a block. */
function isTransactionBegin(next: string | undefined, nextToken: GoogleSqlToken | undefined): boolean {
  return nextToken === undefined || nextToken.kind === 'semicolon' || next === 'TRANSACTION';
}
