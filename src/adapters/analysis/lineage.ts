/**
 * Column lineage for the query part of a statement, from polyglot's `analyzeQuery` with a schema
 * built from the catalog — or, for the shapes it reads with certainty, from the JavaScript fast path
 * (lineage-fast-path.ts), which gives the same facts without a second parse in WebAssembly.
 * Everything that cannot be followed to a catalogued column is `unknown`, and any construct polyglot
 * is known to misread (whole rows, `* REPLACE`) makes the whole statement's lineage unknown, whichever
 * reading answered.
 */
import type { TableSchema } from '../../domain/ports.js';
import type { OutputColumn, SourceColumn } from '../../domain/analysis/types.js';
import { identifierText, isRecord, nodeOf, statementType, visitTree, type Payload } from './ast-nodes.js';
import { dmlColumns } from './dml-columns.js';
import { lineageUnfollowable, valueItselfByName } from './lineage-limits.js';
import { fastLineageAnalysis } from './lineage-fast-path.js';
import { analyseQuery, generateSql, type AstNode, type Schema } from './polyglot-sdk.js';
import type { TableReference } from './statement-facts.js';
import { qualifyTableName } from './table-names.js';
import type { AnalysisContext } from '../../domain/ports.js';

export interface LineageFacts {
  readonly outputColumns: OutputColumn[];
  readonly filterColumns: SourceColumn[];
  readonly joinColumns: SourceColumn[];
  readonly groupColumns: SourceColumn[];
  readonly orderColumns: SourceColumn[];
  readonly incomplete: boolean;
}

export interface LineageInput {
  readonly statement: AstNode;
  readonly references: readonly TableReference[];
  /** Catalog schemas by qualified table name; undefined when the catalog does not know the table. */
  readonly schemas: ReadonlyMap<string, TableSchema | undefined>;
  readonly context: AnalysisContext;
  /** The statement's lineage is already known to be incomplete (unknown table, unqualified name, …). */
  readonly incomplete: boolean;
  /** The statement's own source text, when it is known to be exactly this one statement. */
  readonly sourceText?: string;
  /**
   * `fast-path-first` (default): the JavaScript reading of lineage-fast-path.ts where it is certain,
   * polyglot's analysis otherwise; `analyze-query-only`: always polyglot's (the differential tests' reference).
   */
  readonly lineagePath?: LineagePath;
}

export type LineagePath = 'fast-path-first' | 'analyze-query-only';

/** Which reading answered: the fast path, polyglot's analysis, or none (no query part). */
export type LineageAnswer = 'fast-path' | 'analyze-query' | 'none';

const emptyLineage: LineageFacts = {
  outputColumns: [],
  filterColumns: [],
  joinColumns: [],
  groupColumns: [],
  orderColumns: [],
  incomplete: false,
};

/** Where the rows of a statement come from: the statement itself or its AS SELECT / query part. */
function queryPartOf(statement: AstNode): AstNode | undefined {
  const node = nodeOf(statement);
  if (!node || !isRecord(node.payload)) return undefined;
  if (['select', 'union', 'intersect', 'except', 'subquery', 'paren'].includes(node.type)) return statement;
  const field = { insert: 'query', create_table: 'as_select', create_view: 'query', export: 'this' }[node.type];
  const part = field ? node.payload[field] : undefined;
  return nodeOf(part) ? (part as AstNode) : undefined;
}

export function computeLineage(input: LineageInput): LineageFacts {
  return lineageWithAnswer(input).facts;
}

/** The lineage and which reading produced it (tests check the fast path answers where it should). */
export function lineageWithAnswer(input: LineageInput): { facts: LineageFacts; answer: LineageAnswer } {
  const query = queryPartOf(input.statement);
  if (!query) {
    const resolver = new SourceResolver(input);
    const dml = dmlColumns(input.statement, (column) => resolver.candidates(column));
    const facts = { ...emptyLineage, filterColumns: dedupe(dml.filterColumns), joinColumns: dedupe(dml.joinColumns), incomplete: input.incomplete };
    return { facts, answer: 'none' };
  }
  // An incomplete statement (unknown table, unreadable name) is left to polyglot's own reading.
  const fast = input.lineagePath === 'analyze-query-only' || input.incomplete ? undefined : fastLineageAnalysis(query, input);
  if (fast) return { facts: lineageFrom(fast, query, input), answer: 'fast-path' };
  // The source text saves regenerating SQL from the tree (a millisecond on a large join).
  const sql = query === input.statement && input.sourceText ? input.sourceText : generateSql(query);
  const analysis = sql === undefined ? undefined : analyseQuery(sql, buildSchema(input));
  if (!analysis) return { facts: { ...emptyLineage, incomplete: true }, answer: 'analyze-query' };
  return { facts: lineageFrom(analysis, query, input), answer: 'analyze-query' };
}

/** The part of polyglot's analysis (or of the fast path's, which has the same shape) lineage is made of. */
interface AnalysisFacts {
  readonly projections: readonly ProjectionFacts[];
  readonly columnUses?: readonly { readonly context: string; readonly references: readonly { readonly table?: string; readonly column: string }[] }[];
}

interface ProjectionFacts {
  readonly index: number;
  readonly name?: string;
  readonly isStar: boolean;
  readonly transformKind: string;
  readonly upstream: readonly UpstreamFacts[];
}

interface UpstreamFacts {
  readonly sourceKind: string;
  readonly confidence: string;
  readonly table?: string;
  readonly column: string;
}

function lineageFrom(analysis: AnalysisFacts, query: AstNode, input: LineageInput): LineageFacts {
  const resolver = new SourceResolver(input);
  const wholeStatementUnknown = input.incomplete || hasUnfollowableStar(query) || lineageUnfollowable(query);
  const valueItself = valueItselfByName(query);
  // An UNNEST element is a part of its column (SPLIT, arrays), never the column's value unchanged.
  const unnests = containsNode(query, 'unnest');
  const projections = dropExceptedColumns(query, analysis.projections);
  const outputColumns = projections.map((projection): OutputColumn => {
    const name = (projection.name ?? `_col_${projection.index}`).toLowerCase();
    const lineage = resolver.resolveAll(projection.upstream);
    if (wholeStatementUnknown || projection.isStar || lineage === undefined) {
      return { name, lineage: lineage ?? [], confidence: 'unknown' };
    }
    // `exact` means the protected value itself (format-preserving mask rules apply only there).
    const direct = projection.transformKind === 'direct';
    const exact = lineage.length === 1 && !unnests && valueItself(name, direct);
    return { name, lineage, confidence: exact ? 'exact' : 'derived' };
  });
  const uses = collectColumnUses(analysis, resolver);
  return {
    outputColumns,
    ...uses,
    incomplete: wholeStatementUnknown || outputColumns.some((column) => column.confidence === 'unknown'),
  };
}

/** The schema polyglot needs, keyed by each table as written so its own name matching finds it. */
function buildSchema(input: LineageInput): Schema {
  const tables: Schema['tables'] = [];
  const seen = new Set<string>();
  for (const reference of input.references) {
    const schema = input.schemas.get(reference.table.name);
    const key = reference.writtenParts.join('.');
    if (!schema || seen.has(key)) continue;
    seen.add(key);
    const namespace = reference.writtenParts.slice(0, -1).join('.');
    tables.push({
      name: reference.writtenParts.at(-1) as string,
      ...(namespace ? { schema: namespace } : {}),
      columns: schema.columns.map((column) => ({ name: column.name, type: simpleType(column.type) })),
    });
  }
  return { strict: false, tables };
}

/** polyglot only needs a type name; composite BigQuery types are passed as an opaque word. */
function simpleType(type: string): string {
  return /^[A-Za-z][A-Za-z0-9_]*$/.test(type) ? type : 'STRING';
}

class SourceResolver {
  private readonly byWrittenName = new Map<string, string>();
  private readonly columnsByTable = new Map<string, Set<string>>();

  constructor(private readonly input: LineageInput) {
    for (const reference of input.references) {
      this.byWrittenName.set(reference.writtenParts.join('.').toLowerCase(), reference.table.name);
      const schema = input.schemas.get(reference.table.name);
      if (schema) {
        this.columnsByTable.set(reference.table.name, new Set(schema.columns.map((column) => column.name.toLowerCase())));
      }
    }
  }

  /** Every upstream as a catalogued column, or undefined when any of them is not one. */
  resolveAll(upstream: readonly UpstreamFacts[]): SourceColumn[] | undefined {
    const columns: SourceColumn[] = [];
    for (const reference of upstream) {
      if (reference.sourceKind !== 'table' || reference.confidence !== 'resolved' || !reference.table) return undefined;
      const column = this.resolve(reference.table, reference.column);
      if (!column) return undefined;
      columns.push(column);
    }
    return dedupe(columns);
  }

  resolve(writtenTable: string, columnName: string): SourceColumn | undefined {
    const table =
      this.byWrittenName.get(writtenTable.toLowerCase()) ?? qualifyTableName(writtenTable.split('.'), this.input.context).name;
    const column = columnName.toLowerCase();
    return this.columnsByTable.get(table)?.has(column) ? { table, column } : undefined;
  }

  /** A column polyglot could not place: every referenced table that has it (an over-approximation). */
  candidates(columnName: string): SourceColumn[] {
    const column = columnName.toLowerCase();
    return [...this.columnsByTable].filter(([, columns]) => columns.has(column)).map(([table]) => ({ table, column }));
  }
}

const useGroups = {
  join: 'joinColumns',
  filter: 'filterColumns',
  having: 'filterColumns',
  qualify: 'filterColumns',
  set_operation_filter: 'filterColumns',
  group: 'groupColumns',
  window_partition: 'groupColumns',
  order: 'orderColumns',
  window_order: 'orderColumns',
  aggregate_order: 'orderColumns',
} as const;

type UseGroup = (typeof useGroups)[keyof typeof useGroups];

function collectColumnUses(analysis: AnalysisFacts, resolver: SourceResolver): Record<UseGroup, SourceColumn[]> {
  const groups: Record<UseGroup, SourceColumn[]> = { joinColumns: [], filterColumns: [], groupColumns: [], orderColumns: [] };
  for (const use of analysis.columnUses ?? []) {
    const group = (useGroups as Record<string, UseGroup | undefined>)[use.context];
    if (!group) continue;
    for (const reference of use.references) {
      const resolved = reference.table ? resolver.resolve(reference.table, reference.column) : undefined;
      groups[group].push(...(resolved ? [resolved] : resolver.candidates(reference.column)));
    }
  }
  for (const key of Object.keys(groups) as UseGroup[]) groups[key] = dedupe(groups[key]);
  return groups;
}

function containsNode(tree: unknown, type: string): boolean {
  let found = false;
  visitTree(tree, (value) => {
    if (found) return false;
    if (nodeOf(value)?.type === type) found = true;
  });
  return found;
}

/**
 * `STRUCT(t.*)`, `f(t.*)` and `* REPLACE (ssn AS email)` carry columns polyglot does not report
 * (or reports under the wrong name); no output of such a statement can be trusted.
 */
function hasUnfollowableStar(query: AstNode): boolean {
  let found = false;
  visitTree(query, (value, context) => {
    const node = nodeOf(value);
    if (node?.type !== 'star') return;
    const payload = isRecord(node.payload) ? node.payload : {};
    const replaces = Array.isArray(payload.replace) && payload.replace.length > 0;
    if (replaces || context.parent !== 'select') found = true;
    return false;
  });
  return found;
}

/**
 * polyglot expands `* EXCEPT (…)` without the exception. For the outermost SELECT with a single star
 * and no explicit column of an excepted name, the excepted columns are removed; anywhere else the
 * extra columns are left in (an over-approximation, never an omission).
 */
function dropExceptedColumns<T extends { name?: string }>(query: AstNode, projections: readonly T[]): T[] {
  if (statementType(query) !== 'select') return [...projections];
  const select = nodeOf(query)?.payload;
  const expressions = isRecord(select) && Array.isArray(select.expressions) ? select.expressions : [];
  const stars = expressions.map(nodeOf).filter((node) => node?.type === 'star');
  if (stars.length !== 1) return [...projections];
  const starPayload = stars[0]?.payload;
  const excepted = new Set(
    (isRecord(starPayload) && Array.isArray(starPayload.except) ? starPayload.except : [])
      .map((item) => identifierText(item)?.toLowerCase())
      .filter((name): name is string => name !== undefined),
  );
  if (excepted.size === 0) return [...projections];
  const explicit = expressions.map(explicitOutputName).filter((name): name is string => name !== undefined);
  if (explicit.some((name) => excepted.has(name))) return [...projections];
  return projections.filter((projection) => !excepted.has((projection.name ?? '').toLowerCase()));
}

function explicitOutputName(expression: unknown): string | undefined {
  const node = nodeOf(expression);
  if (!node || node.type === 'star' || !isRecord(node.payload)) return undefined;
  const payload: Payload = node.payload;
  if (node.type === 'alias') return identifierText(payload.alias)?.toLowerCase();
  if (node.type === 'column') return identifierText(payload.name)?.toLowerCase();
  return undefined;
}

function dedupe(columns: readonly SourceColumn[]): SourceColumn[] {
  const seen = new Map<string, SourceColumn>();
  for (const column of columns) seen.set(`${column.table}\u0000${column.column}`, column);
  return [...seen.values()];
}
