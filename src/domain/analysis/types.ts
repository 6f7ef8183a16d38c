/** What an analysed SQL request is. The analyser (a port, src/adapters/analysis) produces it. */

export const statementKinds = [
  'select',
  'insert',
  'update',
  'delete',
  'merge',
  'create',
  'alter',
  'drop',
  'truncate',
  'export',
  'load',
  'grant',
  'revoke',
  'call',
  'script',
  'unknown',
] as const;

export type StatementKind = (typeof statementKinds)[number];

/** A source column, fully qualified: table is `project.dataset.table` as the target resolves it. */
export interface SourceColumn {
  readonly table: string;
  readonly column: string;
}

export interface OutputColumn {
  readonly name: string;
  /** The source columns that flow into this output column. */
  readonly lineage: readonly SourceColumn[];
  /**
   * `exact`: the value is a source column unchanged; `derived`: computed from the lineage;
   * `unknown`: the analyser could not follow it, so every column of every referenced table must be presumed.
   */
  readonly confidence: 'exact' | 'derived' | 'unknown';
}

export interface StatementFlags {
  readonly scripting: boolean;
  readonly dynamicSql: boolean;
  /** The parser could not read it, or read it only as an opaque command. */
  readonly unparsed: boolean;
  /** Whole-row values, `SELECT *` over unknown tables and the like: lineage is incomplete. */
  readonly lineageIncomplete: boolean;
}

export interface AnalysedStatement {
  /** The strictest kind found anywhere in the statement's tree. */
  readonly kind: StatementKind;
  /** Every kind found in the tree (nested DML in a CTE, EXECUTE IMMEDIATE, …). */
  readonly kinds: readonly StatementKind[];
  /** Every table touched, fully qualified and normalised. */
  readonly tables: readonly string[];
  /** Tables written (DML/DDL targets). */
  readonly writtenTables: readonly string[];
  readonly outputColumns: readonly OutputColumn[];
  readonly filterColumns: readonly SourceColumn[];
  readonly joinColumns: readonly SourceColumn[];
  readonly groupColumns: readonly SourceColumn[];
  readonly orderColumns: readonly SourceColumn[];
  readonly flags: StatementFlags;
  /** The statement's text (for display only; decisions never match on text). */
  readonly text: string;
}

export interface Analysis {
  readonly statements: readonly AnalysedStatement[];
  /** All tables over all statements. */
  readonly tables: readonly string[];
  /** All statement kinds over all statements. */
  readonly kinds: readonly StatementKind[];
  /** Warehouse dry run, when one was made. */
  readonly bytesEstimate?: number;
  /** Set when the dry run disagreed with the analysis; the stricter reading was kept. */
  readonly dryRunDisagreement?: string;
  /**
   * Why some of the request is `unknown` or opaque: where the two readings of the SQL split, a tree
   * node the analyser does not classify, a routine called. Offsets and kinds only, never values.
   */
  readonly readingProblems?: readonly string[];
}

/** Risk order used to pick the strictest reading: later is riskier. */
const riskOrder: readonly StatementKind[] = [
  'select',
  'insert',
  'update',
  'delete',
  'merge',
  'create',
  'alter',
  'load',
  'export',
  'truncate',
  'drop',
  'grant',
  'revoke',
  'call',
  'script',
  'unknown',
];

export function riskiestKind(kinds: readonly StatementKind[]): StatementKind {
  if (kinds.length === 0) return 'unknown';
  return kinds.reduce((worst, kind) => (riskOrder.indexOf(kind) > riskOrder.indexOf(worst) ? kind : worst));
}

/**
 * A statement known only by its kind and tables (no columns): what the gateway reasons about when it
 * cannot see inside — a failed analysis, a dry run's stricter reading, a catalog probe.
 */
export function coarseStatement(
  kind: StatementKind,
  tables: readonly string[],
  flags: Partial<StatementFlags> = {},
): AnalysedStatement {
  return {
    kind,
    kinds: [kind],
    tables: [...tables],
    writtenTables: [],
    outputColumns: [],
    filterColumns: [],
    joinColumns: [],
    groupColumns: [],
    orderColumns: [],
    flags: { scripting: false, dynamicSql: false, unparsed: false, lineageIncomplete: false, ...flags },
    text: '',
  };
}
