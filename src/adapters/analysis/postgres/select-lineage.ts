/**
 * Output lineage for the plain PostgreSQL SELECT: FROM items that are tables (joined or not), output
 * expressions over their columns. Anything else — a union, a CTE, a subquery in FROM or in an
 * expression, `*` over a table whose columns are unknown, a column no table can be shown to own —
 * makes the lineage incomplete, and the masker then presumes every protected column of every table.
 */
import type { OutputColumn, SourceColumn } from '../../../domain/analysis/types.js';

type Node = Record<string, unknown>;
const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);

export interface FromTable {
  /** Lower-case alias, or the table's own name when it has none. */
  readonly alias: string;
  readonly name: string;
  readonly columns: readonly string[] | undefined;
}

export interface SelectLineage {
  readonly outputColumns: OutputColumn[];
  readonly filterColumns: SourceColumn[];
  readonly joinColumns: SourceColumn[];
  readonly groupColumns: SourceColumn[];
  readonly orderColumns: SourceColumn[];
  readonly incomplete: boolean;
}

const subqueryTypes = new Set(['select', 'union', 'union all', 'values', 'with', 'with recursive', 'array select']);

export function selectLineage(
  statement: Node,
  resolve: (table: Node) => FromTable | undefined,
): SelectLineage | undefined {
  if (statement.type !== 'select') return undefined;
  const from = Array.isArray(statement.from) ? statement.from : [];
  const tables: FromTable[] = [];
  for (const item of from) {
    if (!isNode(item) || item.type !== 'table') return undefined;
    const table = resolve(item);
    if (!table) return undefined;
    tables.push(table);
  }
  const state = { incomplete: false };
  const sources = (expression: unknown): SourceColumn[] => columnsIn(expression, tables, state);

  const outputColumns: OutputColumn[] = [];
  for (const column of Array.isArray(statement.columns) ? statement.columns : []) {
    if (!isNode(column)) return undefined;
    const expr = column.expr;
    const alias = isNode(column.alias) && typeof column.alias.name === 'string' ? column.alias.name : undefined;
    if (isNode(expr) && expr.type === 'ref' && expr.name === '*') {
      outputColumns.push(...expandStar(expr, tables, state));
      continue;
    }
    const lineage = sources(expr);
    const exact = isNode(expr) && expr.type === 'ref' && lineage.length === 1;
    const opaque = containsSubquery(expr);
    if (opaque) state.incomplete = true;
    outputColumns.push({
      name: alias ?? defaultName(expr),
      lineage,
      confidence: opaque ? 'unknown' : exact ? 'exact' : 'derived',
    });
  }
  const joinColumns = from.flatMap((item) => (isNode(item) && isNode(item.join) ? sources(item.join.on) : []));
  if (containsSubquery(statement.where) || containsSubquery(statement.having)) state.incomplete = true;
  return {
    outputColumns,
    filterColumns: [...sources(statement.where), ...sources(statement.having)],
    joinColumns,
    groupColumns: sources(statement.groupBy),
    orderColumns: sources(statement.orderBy),
    incomplete: state.incomplete,
  };
}

/** PostgreSQL's own name for an unaliased output: the column, the function, the cast's operand, else `?column?`. */
function defaultName(expr: unknown): string {
  if (!isNode(expr)) return '?column?';
  if (expr.type === 'ref' && typeof expr.name === 'string') return expr.name;
  if (expr.type === 'call' && isNode(expr.function) && typeof expr.function.name === 'string') return expr.function.name;
  if (expr.type === 'cast') return defaultName(expr.operand);
  return '?column?';
}

function expandStar(ref: Node, tables: readonly FromTable[], state: { incomplete: boolean }): OutputColumn[] {
  const qualifier = isNode(ref.table) && typeof ref.table.name === 'string' ? ref.table.name.toLowerCase() : undefined;
  const chosen = qualifier === undefined ? tables : tables.filter((table) => table.alias === qualifier);
  if (chosen.length === 0) state.incomplete = true;
  return chosen.flatMap((table) => {
    if (!table.columns) {
      state.incomplete = true;
      return [];
    }
    return table.columns.map((column): OutputColumn => ({ name: column, lineage: [{ table: table.name, column }], confidence: 'exact' }));
  });
}

function containsSubquery(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(containsSubquery);
  if (!isNode(value)) return false;
  if (typeof value.type === 'string' && subqueryTypes.has(value.type)) return true;
  return Object.entries(value).some(([key, child]) => key !== '_location' && containsSubquery(child));
}

/** Every column reference inside, resolved to its table; one no table can be shown to own counts for all. */
function columnsIn(value: unknown, tables: readonly FromTable[], state: { incomplete: boolean }): SourceColumn[] {
  if (Array.isArray(value)) return value.flatMap((item) => columnsIn(item, tables, state));
  if (!isNode(value)) return [];
  if (value.type === 'ref' && typeof value.name === 'string') return resolveRef(value, tables, state);
  if (isCountStar(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => (key === '_location' ? [] : columnsIn(child, tables, state)));
}

/** COUNT(*) counts rows and reads no column's value. */
function isCountStar(node: Node): boolean {
  if (node.type !== 'call' || !isNode(node.function) || String(node.function.name).toLowerCase() !== 'count') return false;
  const args = Array.isArray(node.args) ? node.args : [];
  return args.length === 1 && isNode(args[0]) && args[0].type === 'ref' && args[0].name === '*' && args[0].table === undefined;
}

function resolveRef(ref: Node, tables: readonly FromTable[], state: { incomplete: boolean }): SourceColumn[] {
  const column = String(ref.name);
  const qualifier = isNode(ref.table) && typeof ref.table.name === 'string' ? ref.table.name.toLowerCase() : undefined;
  if (column === '*') {
    // COUNT(*) and the like: whole rows of every (or the named) table flow in.
    state.incomplete = true;
    return [];
  }
  const candidates =
    qualifier !== undefined
      ? tables.filter((table) => table.alias === qualifier)
      : tables.filter((table) => table.columns === undefined || table.columns.some((known) => known.toLowerCase() === column.toLowerCase()));
  if (candidates.length !== 1) state.incomplete = true;
  // Unresolved: every table might own it (fail closed for predicates and masking alike).
  const owners = candidates.length > 0 ? candidates : tables;
  return owners.map((table) => ({ table: table.name, column: ownName(table, column) }));
}

/** The column's name as the catalog spells it (PostgreSQL folds unquoted names to lower case). */
function ownName(table: FromTable, column: string): string {
  return table.columns?.find((known) => known.toLowerCase() === column.toLowerCase()) ?? column;
}
