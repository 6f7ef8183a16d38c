/**
 * Scope resolution of one SELECT over the polyglot AST, for the lineage fast path: which catalogued
 * columns each output is computed from, and which columns the query joins, filters, groups and
 * orders on — the facts polyglot's `analyzeQuery` reports, in the order it reports them (its outputs
 * list an expression's columns last-first; its column uses go scope by scope: the SELECT itself, then
 * its CTEs, then its derived tables, each in turn).
 *
 * It reads only what it was written for: plain SELECTs over catalogued tables, CTEs and derived
 * tables, with joins, WHERE, GROUP BY, HAVING, QUALIFY, ORDER BY, window functions and stars without
 * modifiers. Any other shape, and every ambiguity (a name several sources have, a name that is both an
 * output alias and a column, a qualifier that is also a column name), throws `NotHandled`.
 */
import { isRecord, nodeOf, type Payload } from './ast-nodes.js';
import { expressionParts, identifierName, isEmpty, notHandled, readColumn, requireOnly, type ColumnNode } from './lineage-expressions.js';
import { resolveUnion } from './lineage-set-operations.js';
import { readSource, type Source, type SourceEnv } from './lineage-sources.js';

/** A catalogued column: the table as written in the query (how polyglot names it) and the column in lower case. */
export interface Leaf {
  readonly table: string;
  readonly column: string;
}

export interface Output {
  /** The output's name as written (alias or column name); undefined for an unnamed expression. */
  readonly name: string | undefined;
  /** Catalogued columns the value is computed from, in polyglot's order, without repeats. */
  readonly leaves: readonly Leaf[];
  /** The value is a column as is (polyglot's `direct`). */
  readonly direct: boolean;
  /**
   * The value reads columns, but only outputs of derived tables or CTEs that follow to no catalogued
   * column (`COUNT(*)`, constants). polyglot's lineage stops there and, for an output of the outermost
   * SELECT, names the derived table's column instead, which is no catalogued column: lineage unknown.
   * Referenced from further out, such an output contributes nothing (its leaves stay empty).
   */
  readonly unplaced: boolean;
  /** Brought in by `*` or `t.*`: polyglot does not place an unqualified name among such outputs. */
  readonly starred?: boolean;
}

export type UseContext = 'join' | 'filter' | 'group' | 'having' | 'qualify' | 'order' | 'window_partition' | 'window_order' | 'aggregate_order';

export interface Use {
  readonly context: UseContext;
  readonly references: readonly Leaf[];
}

export interface SelectLineage {
  readonly outputs: readonly Output[];
  /** This SELECT's column uses, then those of its CTEs and derived tables. */
  readonly uses: readonly Use[];
}

/** SELECT fields that may be set; every other field must be empty (PIVOT, TABLESAMPLE, named windows, …). */
const selectFields: ReadonlySet<string> = new Set([
  'expressions', 'from', 'joins', 'where_clause', 'group_by', 'having', 'qualify', 'order_by', 'limit', 'offset', 'distinct', 'with',
]);

/** A query: a SELECT, or a UNION of queries (lineage-set-operations.ts). */
export function resolveQuery(query: unknown, env: SourceEnv): SelectLineage {
  const node = nodeOf(query);
  if (node?.type === 'union' && isRecord(node.payload)) return resolveUnion(node.payload, env, resolveQuery);
  if (node?.type !== 'select' || !isRecord(node.payload)) notHandled(`query kind ${node?.type ?? '?'}`);
  const payload = node.payload;
  requireOnly(payload, selectFields, 'select');
  const scope = new SelectScope(env.withCtes(payload.with, resolveQuery));
  return scope.resolve(payload);
}

class SelectScope {
  private readonly sources: Source[] = [];
  private readonly uses: Use[] = [];
  private readonly usingUses: Use[] = [];
  private readonly joinSources = new Map<unknown, Source>();
  /** Uses inside WHERE's subqueries, reported after those of the derived tables. */
  private readonly subqueryUses: Use[] = [];
  private outputs: Output[] = [];
  /** Aliases that name something other than the column of the same name. */
  private readonly renamed = new Set<string>();

  constructor(private readonly env: SourceEnv) {}

  resolve(payload: Payload): SelectLineage {
    this.readFrom(payload);
    this.readProjections(payload.expressions);
    const joins = Array.isArray(payload.joins) ? payload.joins : [];
    for (const join of joins) this.readJoinCondition(join);
    if (!isEmpty(payload.where_clause)) this.use('filter', this.whereReferences(clauseThis(payload.where_clause)));
    if (!isEmpty(payload.group_by)) {
      for (const item of listField(payload.group_by, 'group_by')) this.use('group', this.outputOrReferences(item));
    }
    if (!isEmpty(payload.having)) this.use('having', this.references(clauseThis(payload.having), false));
    if (!isEmpty(payload.qualify)) {
      const condition = clauseThis(payload.qualify);
      this.use('qualify', this.outputOrReferences(condition, true));
      this.windowUses(condition);
    }
    if (!isEmpty(payload.order_by)) {
      for (const item of listField(payload.order_by, 'order_by')) this.use('order', this.outputOrReferences(orderedThis(item)));
    }
    for (const field of ['limit', 'offset'] as const) {
      if (!isEmpty(payload[field]) && nodeOf(clauseThis(payload[field]))?.type !== 'literal') notHandled(`${field} that is not a literal`);
    }
    if (payload.distinct !== false && payload.distinct !== undefined && payload.distinct !== true) notHandled('DISTINCT ON');
    const nested = [...this.env.cteUses(), ...this.sources.flatMap((source) => source.uses), ...this.subqueryUses];
    return { outputs: this.outputs, uses: [...this.uses, ...this.usingUses, ...nested] };
  }

  private readFrom(payload: Payload): void {
    const from = payload.from;
    // `SELECT 1`: no source, so any column in it is refused as one no source has.
    if ((from === null || from === undefined) && isEmpty(payload.joins)) return;
    if (!isRecord(from)) notHandled('an unreadable FROM');
    requireOnly(from, new Set(['expressions']), 'from');
    const items = Array.isArray(from.expressions) ? from.expressions : [];
    if (items.length === 0) notHandled('an empty FROM');
    for (const item of items) this.addSource(readSource(item, this.env, resolveQuery));
    const joins = Array.isArray(payload.joins) ? payload.joins : [];
    for (const join of joins) {
      if (!isRecord(join)) notHandled('a join without a payload');
      requireOnly(join, new Set(['this', 'on', 'using', 'kind', 'nesting_group', 'use_inner_keyword', 'use_outer_keyword']), 'join');
      if (!['Inner', 'Left', 'Right', 'Full', 'Cross', 'Implicit'].includes(String(join.kind))) notHandled(`join kind ${String(join.kind)}`);
      if (join.nesting_group !== 0) notHandled('a parenthesised join');
      const source = readSource(join.this, this.env, resolveQuery);
      // Known before the select list is read: `*` over a USING join merges the column (not read here).
      if (Array.isArray(join.using) && join.using.length > 0) source.usingJoin = true;
      this.addSource(source);
      this.joinSources.set(join, source);
    }
  }

  private addSource(source: Source): void {
    const alias = source.alias?.toLowerCase();
    if (alias !== undefined && this.sources.some((other) => other.alias?.toLowerCase() === alias)) notHandled('two sources with one alias');
    this.sources.push(source);
  }

  private readProjections(expressions: unknown): void {
    if (!Array.isArray(expressions) || expressions.length === 0) notHandled('a SELECT without outputs');
    const projections = expressions.map((expression) => readProjection(expression));
    for (const projection of projections) {
      if (projection.alias !== undefined && projection.bareColumnName?.toLowerCase() !== projection.alias.toLowerCase()) {
        this.renamed.add(projection.alias.toLowerCase());
      }
    }
    // polyglot renames a bare column that repeats an alias (`_col_N`); which one it renames is not read here.
    const aliases = new Set(projections.flatMap((projection) => (projection.alias === undefined ? [] : [projection.alias.toLowerCase()])));
    if (projections.some((projection) => projection.columnName !== undefined && aliases.has(projection.columnName.toLowerCase()))) {
      notHandled('a bare column named like an alias');
    }
    const outputs: Output[] = [];
    for (const projection of projections) {
      if (projection.star !== undefined) {
        outputs.push(...this.expandStar(projection.star));
        continue;
      }
      const parts = expressionParts(projection.value);
      for (const column of parts.columns) {
        const own = projection.alias !== undefined && column.table === undefined && column.name.toLowerCase() === projection.alias.toLowerCase();
        if (column.table === undefined && this.renamed.has(column.name.toLowerCase()) && !own) notHandled('a column named like an output alias');
      }
      const leaves = dedupe([...parts.columns].reverse().flatMap((column) => this.resolveColumn(column)));
      const unplaced = leaves.length === 0 && parts.columns.length > 0;
      outputs.push({ name: projection.alias ?? projection.columnName, leaves, direct: projection.bareColumnName !== undefined, unplaced });
      this.windowUses(projection.value);
    }
    this.outputs = outputs;
  }

  private expandStar(star: Payload): Output[] {
    requireOnly(star, new Set(['table']), 'star');
    if (this.sources.some((source) => source.usingJoin)) notHandled('a star over a USING join');
    const table = star.table === null || star.table === undefined ? undefined : identifierName(star.table);
    if (star.table !== null && star.table !== undefined && table === undefined) notHandled('an unreadable star qualifier');
    const sources = table === undefined ? this.sources : [this.sourceNamed(table)];
    return sources.flatMap((source) => {
      if (source.starOutputs === undefined) notHandled('a star over a source whose columns are not all followable');
      return source.starOutputs.map((output) => ({ ...output, direct: true, unplaced: output.leaves.length === 0, starred: true }));
    });
  }

  private readJoinCondition(join: unknown): void {
    const payload = join as Payload;
    if (!isEmpty(payload.on)) this.use('join', this.references(payload.on, false));
    if (Array.isArray(payload.using) && payload.using.length > 0) this.readUsing(payload);
  }

  /** `USING (x)`: polyglot reports the column of the sources before the join, then the joined one's. */
  private readUsing(join: Payload): void {
    const names = (join.using as unknown[]).map(identifierName);
    if (names.length !== 1 || names[0] === undefined) notHandled('USING with other than one column');
    const name = (names[0] as string).toLowerCase();
    const joined = this.joinSources.get(join);
    const index = joined === undefined ? -1 : this.sources.indexOf(joined);
    if (index <= 0 || joined === undefined) notHandled('a USING join that cannot be placed');
    // polyglot looks for a USING column inside derived tables and CTEs on the left too, by its own
    // reading of their select lists (`t.*` over several sources: every source's columns), so it may
    // report a column no output of theirs has; any of them on the left is left to it.
    if (this.sources.slice(0, index).some((source) => !source.table)) notHandled('USING after a derived table');
    const before = this.sources.slice(0, index).filter((source) => source.columns.has(name));
    if (before.length !== 1) notHandled('a USING column several earlier sources have');
    // polyglot places a USING column only between catalogued tables (a derived side is left unplaced).
    if (!(before[0] as Source).table || !joined.table) notHandled('USING beside a derived table');
    this.usingUses.push({ context: 'join', references: [...columnOf(before[0] as Source, name), ...columnOf(joined, name)] });
  }

  /** The columns an expression reads, in document order; `aliases` allows output aliases (QUALIFY). */
  private references(expression: unknown, aliases: boolean, windows = false): Leaf[] {
    const parts = expressionParts(expression);
    if (!windows && (parts.windows.length > 0 || parts.aggregateOrders.length > 0)) {
      notHandled('a window function outside the select list and QUALIFY');
    }
    return parts.columns.flatMap((column) => this.columnLeaves(column, aliases));
  }

  private columnLeaves(column: ColumnNode, aliases: boolean): readonly Leaf[] {
    const key = column.name.toLowerCase();
    // Where output names are in scope, polyglot leaves a name several outputs carry unplaced.
    if (aliases && column.table === undefined && this.outputs.filter((output) => output.name?.toLowerCase() === key).length > 1) {
      notHandled('a name several outputs carry');
    }
    if (column.table === undefined && this.renamed.has(key)) {
      if (!aliases) notHandled('an output alias outside GROUP BY, QUALIFY and ORDER BY');
      if (this.sources.some((source) => source.columns.has(key))) notHandled('a name that is both an output alias and a column');
      return this.outputNamed(column.name);
    }
    return this.resolveColumn(column);
  }

  /**
   * WHERE may hold uncorrelated `IN (SELECT …)` and `EXISTS (SELECT …)`: polyglot counts the IN
   * subquery's output among the filter's columns. A correlated one names a column its own scope does
   * not have, and is refused there (outer scopes are never searched).
   */
  private whereReferences(expression: unknown): Leaf[] {
    const parts = expressionParts(expression, true);
    if (parts.windows.length > 0 || parts.aggregateOrders.length > 0) notHandled('a window function in WHERE');
    return parts.references.flatMap((reference) => {
      if (!('query' in reference)) return this.columnLeaves(reference, false);
      const lineage = resolveQuery(reference.query, this.env);
      this.subqueryUses.push(...lineage.uses);
      if (reference.exists) return [];
      if (lineage.outputs.length !== 1 || (lineage.outputs[0] as Output).leaves.length === 0) notHandled('an IN subquery not of one followable column');
      return [...(lineage.outputs[0] as Output).leaves];
    });
  }

  /** GROUP BY, QUALIFY and ORDER BY may name an output by position or alias. */
  private outputOrReferences(expression: unknown, windows = false): Leaf[] {
    const node = nodeOf(expression);
    if (node?.type === 'literal' && isRecord(node.payload) && node.payload.literal_type === 'number') {
      const position = Number(node.payload.value);
      const output = Number.isInteger(position) ? this.outputs[position - 1] : undefined;
      if (output === undefined) notHandled('an output position out of range');
      return [...output.leaves];
    }
    if (node?.type === 'column' && isRecord(node.payload)) {
      const column = readColumn(node.payload);
      const key = column.name.toLowerCase();
      const named = this.outputs.filter((output) => output.name?.toLowerCase() === key).length;
      // polyglot leaves a name several outputs carry unplaced (and then over-approximates it).
      if (column.table === undefined && named > 1) notHandled('a name several outputs carry');
      if (column.table === undefined && named === 1) {
        const sourceHasIt = this.sources.some((source) => source.columns.has(key));
        if (this.renamed.has(key) || !sourceHasIt) {
          if (sourceHasIt) notHandled('a name that is both an output alias and a column');
          return [...this.outputNamed(column.name)];
        }
      }
    }
    return this.references(expression, true, windows);
  }

  private outputNamed(name: string): readonly Leaf[] {
    const key = name.toLowerCase();
    const matches = this.outputs.filter((output) => output.name?.toLowerCase() === key);
    if (matches.length !== 1) notHandled('an output alias that names no single output');
    return (matches[0] as Output).leaves;
  }

  private windowUses(expression: unknown): void {
    const parts = expressionParts(expression);
    if (parts.windows.length > 0 && parts.aggregateOrders.length > 0) notHandled('windows and ordered aggregates in one expression');
    for (const window of parts.windows) {
      for (const item of window.partitionBy) this.use('window_partition', this.references(item, false));
      for (const item of window.orderBy) this.use('window_order', this.references(orderedThis(item), false));
    }
    for (const order of parts.aggregateOrders) {
      for (const item of order) this.use('aggregate_order', this.references(orderedThis(item), false));
    }
  }

  private resolveColumn(column: ColumnNode): readonly Leaf[] {
    const key = column.name.toLowerCase();
    if (column.table !== undefined) {
      const qualifier = column.table.toLowerCase();
      // `a.b` where `a` is also a column may be a struct field: not read here.
      if (this.sources.some((source) => source.columns.has(qualifier))) notHandled('a qualifier that is also a column name');
      return columnOf(this.sourceNamed(column.table), key);
    }
    if (this.sources.some((source) => source.alias?.toLowerCase() === key)) notHandled('a whole-row reference');
    // After `USING`, polyglot's reading of unqualified names differs from BigQuery's merged column.
    if (this.sources.some((source) => source.usingJoin)) notHandled('an unqualified column beside a USING join');
    // A source with an unnamed, repeated or star-given output might hold the name: polyglot then leaves it unplaced.
    if (this.sources.some((source) => source.unclearOutputs)) notHandled('an unqualified column beside a source with unclear outputs');
    const having = this.sources.filter((source) => source.columns.has(key));
    if (having.length !== 1) notHandled(having.length === 0 ? 'a column no source has' : 'an ambiguous column');
    return columnOf(having[0] as Source, key);
  }

  private sourceNamed(alias: string): Source {
    const source = this.sources.find((candidate) => candidate.alias === alias);
    if (!source) notHandled('a qualifier that names no source');
    return source;
  }

  private use(context: Use['context'], references: readonly Leaf[]): void {
    this.uses.push({ context, references });
  }
}

interface Projection {
  readonly value: unknown;
  readonly alias?: string;
  /** The output's name when it is a bare column without alias (polyglot names it after the column). */
  readonly columnName?: string;
  /** The column's name when the value is a column as is (parentheses allowed). */
  readonly bareColumnName?: string;
  readonly star?: Payload;
}

function readProjection(expression: unknown): Projection {
  const node = nodeOf(expression);
  if (!node || !isRecord(node.payload)) notHandled('an unreadable output');
  if (node.type === 'star') return { value: expression, star: node.payload };
  if (node.type === 'alias') {
    requireOnly(node.payload, new Set(['this', 'alias', 'alias_explicit_as', 'alias_keyword']), 'alias');
    const alias = identifierName(node.payload.alias);
    if (alias === undefined) notHandled('an unreadable alias');
    const bare = bareColumn(node.payload.this);
    return { value: node.payload.this, alias, ...(bare ? { bareColumnName: bare } : {}) };
  }
  const bare = bareColumn(expression);
  const columnName = node.type === 'column' ? bare : undefined;
  return { value: expression, ...(columnName ? { columnName } : {}), ...(bare ? { bareColumnName: bare } : {}) };
}

function bareColumn(expression: unknown): string | undefined {
  let current = expression;
  for (let depth = 0; depth < 16; depth++) {
    const node = nodeOf(current);
    if (!node || !isRecord(node.payload)) return undefined;
    if (node.type === 'column') return readColumn(node.payload).name;
    if (node.type !== 'paren') return undefined;
    current = node.payload.this;
  }
  return undefined;
}

function columnOf(source: Source, key: string): readonly Leaf[] {
  const leaves = source.columns.get(key);
  if (leaves === undefined) notHandled('a column its source does not have');
  if (leaves === 'unusable') notHandled('a column whose lineage is not followable');
  return leaves;
}

export function dedupe(leaves: readonly Leaf[]): Leaf[] {
  const seen = new Map<string, Leaf>();
  for (const leaf of leaves) {
    const key = `${leaf.table.toLowerCase()}\u0000${leaf.column}`;
    if (!seen.has(key)) seen.set(key, leaf);
  }
  return [...seen.values()];
}

function clauseThis(clause: unknown): unknown {
  if (!isRecord(clause)) notHandled('an unreadable clause');
  requireOnly(clause, new Set(['this']), 'clause');
  return clause.this;
}

function listField(clause: unknown, what: string): unknown[] {
  if (!isRecord(clause)) notHandled(`an unreadable ${what}`);
  requireOnly(clause, new Set(['expressions']), what);
  return Array.isArray(clause.expressions) ? clause.expressions : [];
}

function orderedThis(item: unknown): unknown {
  if (!isRecord(item)) notHandled('an unreadable ORDER BY item');
  requireOnly(item, new Set(['this', 'desc', 'nulls_first', 'explicit_asc']), 'ordered');
  return item.this;
}
