/**
 * Which statement kind a polyglot node type stands for. Only types listed here count as understood at
 * the top of a statement; anything else is `unknown`. Nested, the same table classifies DML or DDL
 * hidden in CTEs and subqueries, and the opaque types force `unknown`.
 */
import type { StatementKind } from '../../domain/analysis/types.js';

const queryTypes = new Set(['select', 'union', 'intersect', 'except', 'set_operation', 'subquery', 'paren', 'values']);

const exactKinds: Readonly<Record<string, StatementKind>> = {
  insert: 'insert',
  update: 'update',
  delete: 'delete',
  merge: 'merge',
  truncate: 'truncate',
  truncate_table: 'truncate',
  export: 'export',
  load_data: 'load',
  grant: 'grant',
  revoke: 'revoke',
  undrop: 'create',
};

/** Scripting statements: they change session state or control flow but touch no table themselves. */
const scriptTypes = new Set(['declare', 'set_statement', 'transaction', 'commit', 'rollback']);

/**
 * Types polyglot uses for statements it does not model, or that BigQuery does not have: whatever they
 * do is unknown to us. `command` (raw text) is handled by classifyCommand before this applies.
 */
const opaqueTypes = new Set([
  'command',
  'execute',
  'raw',
  'use',
  'pragma',
  'cache',
  'uncache',
  'kill',
  'put',
  'copy',
  'attach',
  'detach',
  'install',
  'lock',
  'locking_statement',
  'alter_session',
  'analyze',
  'refresh',
  'summarize',
  'describe',
  'show',
  'comment',
  'create_task',
]);

/** The kind a node type contributes wherever it appears, or undefined for ordinary expressions. */
export function kindOfNodeType(type: string): StatementKind | undefined {
  if (queryTypes.has(type)) return 'select';
  const exact = exactKinds[type];
  if (exact) return exact;
  if (scriptTypes.has(type)) return 'script';
  if (opaqueTypes.has(type)) return 'unknown';
  if (type.startsWith('create_')) return 'create';
  if (type.startsWith('drop_')) return 'drop';
  if (type.startsWith('alter_')) return 'alter';
  return undefined;
}

/** Whether a statement of this type is one the analyser understands (else it is read as unknown). */
export function isRecognisedStatementType(type: string): boolean {
  const kind = kindOfNodeType(type);
  return kind !== undefined && kind !== 'unknown';
}

export interface CommandReading {
  readonly kinds: readonly StatementKind[];
  readonly scripting: boolean;
  readonly dynamicSql: boolean;
  /** Text polyglot kept raw that still holds a statement to analyse (`BEGIN <statement>`). */
  readonly nestedSql?: string;
  readonly unparsed: boolean;
}

const scriptControlWords = new Set(['END', 'RETURN', 'BREAK', 'LEAVE', 'CONTINUE', 'ITERATE', 'RAISE', 'EXCEPTION']);

/**
 * polyglot keeps some BigQuery statements as raw `command` text (BEGIN blocks, CALL, EXECUTE IMMEDIATE).
 * The first words decide; anything else stays opaque, so unknown.
 */
export function classifyCommand(text: string): CommandReading {
  const trimmed = text.trim();
  const words = trimmed.split(/\s+/, 2).map((word) => word.toUpperCase());
  const first = words[0] ?? '';
  if (first === 'BEGIN') {
    const nestedSql = trimmed.slice('BEGIN'.length).trim();
    return { kinds: ['script'], scripting: true, dynamicSql: false, unparsed: false, nestedSql };
  }
  if (first === 'EXECUTE' && words[1] === 'IMMEDIATE') {
    return { kinds: ['script', 'unknown'], scripting: true, dynamicSql: true, unparsed: false };
  }
  if (first === 'CALL') return { kinds: ['call'], scripting: true, dynamicSql: false, unparsed: false };
  if (scriptControlWords.has(first)) return { kinds: ['script'], scripting: true, dynamicSql: false, unparsed: false };
  return { kinds: ['unknown'], scripting: false, dynamicSql: false, unparsed: true };
}

/**
 * For text the parser rejects: the leading keywords still say what it was meant to be. These hints
 * only add to `unknown`, never replace it.
 */
export function hintKindsFromLeadingWords(words: readonly string[]): StatementKind[] {
  const [first = '', second = ''] = words.map((word) => word.toUpperCase());
  if (first === 'LOAD' && second === 'DATA') return ['load'];
  if (first === 'EXPORT' && second === 'DATA') return ['export'];
  if (first === 'GRANT') return ['grant'];
  if (first === 'REVOKE') return ['revoke'];
  if (first === 'CALL') return ['call'];
  if (['IF', 'LOOP', 'WHILE', 'REPEAT', 'FOR', 'BEGIN', 'END', 'DECLARE', 'SET', 'CASE', 'ASSERT', 'RAISE'].includes(first))
    return ['script'];
  if (first === 'EXECUTE') return ['script'];
  const direct = kindOfNodeType(first.toLowerCase());
  return direct && direct !== 'select' ? [direct] : [];
}
