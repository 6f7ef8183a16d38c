/**
 * The reading of one analysed statement that policy evaluation uses, made fail-closed: a statement
 * the parser could not read is `unknown` whatever else the analyser guessed, and its tables and
 * predicate columns are treated as not known.
 */
import type { AnalysedStatement, Analysis, SourceColumn, StatementKind } from '../analysis/types.js';

export interface StatementView {
  /** 1-based, for reasons. */
  readonly number: number;
  readonly kind: StatementKind;
  /** The statement's kind and every nested kind, without repeats. */
  readonly kinds: readonly StatementKind[];
  readonly tables: readonly string[];
  /** False when the analyser cannot have seen every table (unparsed, dynamic SQL, scripting, call). */
  readonly tablesKnown: boolean;
  /** Columns the statement filters, joins, groups or orders on. */
  readonly predicateColumns: readonly SourceColumn[];
}

const opaqueKinds: readonly StatementKind[] = ['unknown', 'script', 'call'];

function viewOf(statement: AnalysedStatement, index: number): StatementView {
  const number = index + 1;
  if (statement.flags.unparsed) {
    return { number, kind: 'unknown', kinds: ['unknown'], tables: statement.tables, tablesKnown: false, predicateColumns: [] };
  }
  const kinds = [...new Set<StatementKind>([statement.kind, ...statement.kinds])];
  const opaque = kinds.some((kind) => opaqueKinds.includes(kind));
  return {
    number,
    kind: statement.kind,
    kinds,
    tables: statement.tables,
    tablesKnown: !opaque && !statement.flags.dynamicSql && !statement.flags.scripting,
    predicateColumns: [...statement.filterColumns, ...statement.joinColumns, ...statement.groupColumns, ...statement.orderColumns],
  };
}

/** An analysis without statements is read as one unknown statement: nothing to judge is not "allowed". */
export function statementViews(analysis: Analysis): StatementView[] {
  if (analysis.statements.length === 0) {
    return [{ number: 1, kind: 'unknown', kinds: ['unknown'], tables: analysis.tables, tablesKnown: false, predicateColumns: [] }];
  }
  return analysis.statements.map(viewOf);
}
