/**
 * Reading one scalar expression of the polyglot AST for the JavaScript lineage fast path: which
 * columns it names (in document order), which window clauses and ordered aggregates it holds. Only
 * node kinds listed here are understood; any other kind anywhere under the expression (subqueries,
 * struct field access, lambdas, named windows, functions whose arguments are not all values…) throws
 * `NotHandled`, and the caller hands the statement to polyglot's own analysis instead of guessing.
 */
import { isRecord, nodeOf, type Payload } from './ast-nodes.js';
import { argumentOnlyFunctions } from './lineage-limits.js';

/** Thrown when the fast path meets something it was not written for; the statement then takes the slow path. */
export class NotHandled extends Error {}

export function notHandled(reason: string): never {
  throw new NotHandled(reason);
}

/**
 * Node kinds whose children are all plain value expressions (or scalars such as a function's name),
 * so the columns under them are exactly the columns their value is computed from.
 */
const valueNodeTypes: ReadonlySet<string> = new Set([
  'column', 'literal', 'boolean', 'null', 'paren', 'var',
  'eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'and', 'or', 'not', 'neg',
  'add', 'sub', 'mul', 'div', 'mod', 'concat', 'like', 'ilike', 'is_null', 'in', 'between',
  'case', 'cast', 'safe_cast', 'lower', 'upper', 'trim', 'length', 'coalesce', 'if_func', 'nullif',
  'substring', 'round', 'abs', 'extract', 'mod_func',
  'count', 'sum', 'avg', 'min', 'max', 'array_agg',
  'window_function', 'row_number', 'rank', 'dense_rank',
  'function',
]);

/** Payload fields that never hold expressions: a cast's target type is a type, not a column. */
const typeFields: ReadonlySet<string> = new Set(['to']);

export interface ColumnNode {
  readonly table: string | undefined;
  readonly name: string;
}

export interface WindowNode {
  readonly partitionBy: readonly unknown[];
  readonly orderBy: readonly unknown[];
}

/** `x IN (SELECT …)` or `EXISTS (SELECT …)`: read only in WHERE, where polyglot reads them too. */
export interface SubqueryNode {
  readonly query: unknown;
  readonly exists: boolean;
}

export interface ExpressionParts {
  /** Every column the value is computed from, in document order (window clauses included). */
  readonly columns: ColumnNode[];
  /** Columns and subqueries in document order (an IN's subquery comes after the value it tests). */
  readonly references: (ColumnNode | SubqueryNode)[];
  /** Window clauses, in document order. */
  readonly windows: WindowNode[];
  /** ORDER BY lists inside aggregates (`ARRAY_AGG(x ORDER BY y)`): they order, they are not the value. */
  readonly aggregateOrders: unknown[][];
}

export function readColumn(payload: Payload): ColumnNode {
  for (const [key, value] of Object.entries(payload)) {
    if (key === 'name' || key === 'table' || key === 'span' || key.endsWith('comments')) continue;
    if (!isEmpty(value)) notHandled(`column field ${key}`);
  }
  const name = identifierName(payload.name);
  const table = payload.table === null || payload.table === undefined ? undefined : identifierName(payload.table);
  if (name === undefined || name === '*' || (payload.table !== null && payload.table !== undefined && table === undefined)) {
    notHandled('an unreadable column name');
  }
  return { table, name };
}

/** A plain identifier `{ name, quoted }`; anything richer is not handled. */
export function identifierName(value: unknown): string | undefined {
  if (!isRecord(value) || typeof value.name !== 'string' || value.name === '') return undefined;
  return value.name;
}

export function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === false || (Array.isArray(value) && value.length === 0);
}

/** Every field of `payload` outside `allowed` must be empty (comments and spans aside). */
export function requireOnly(payload: Payload, allowed: ReadonlySet<string>, what: string): void {
  for (const [key, value] of Object.entries(payload)) {
    if (allowed.has(key) || key === 'span' || key.endsWith('comments') || isEmpty(value)) continue;
    notHandled(`${what} field ${key}`);
  }
}

export function expressionParts(expression: unknown, subqueries = false): ExpressionParts {
  const parts: ExpressionParts = { columns: [], references: [], windows: [], aggregateOrders: [] };
  walk(expression, parts, 0, subqueries);
  return parts;
}

function walk(value: unknown, parts: ExpressionParts, depth: number, subqueries = false): void {
  if (depth > 64) notHandled('an expression nested too deeply');
  if (Array.isArray(value)) {
    for (const item of value) walk(item, parts, depth + 1, subqueries);
    return;
  }
  if (!isRecord(value)) return;
  const node = nodeOf(value);
  if (!node) {
    // A plain struct inside a node (an ORDER BY item, a window spec, an identifier): walk its fields.
    walkFields(value, parts, depth, [], subqueries);
    return;
  }
  if (subqueries && (node.type === 'exists' || (node.type === 'in' && isRecord(node.payload) && !isEmpty(node.payload.query)))) {
    readSubquery(node.type, node.payload as Payload, parts, depth);
    return;
  }
  if (!valueNodeTypes.has(node.type)) notHandled(`expression kind ${node.type}`);
  const payload = node.payload;
  if (node.type === 'column') {
    if (!isRecord(payload)) notHandled('a column without a payload');
    const column = readColumn(payload);
    parts.columns.push(column);
    parts.references.push(column);
    return;
  }
  if (payload === null || payload === undefined) return;
  if (!isRecord(payload)) notHandled(`a ${node.type} without a struct payload`);
  if (node.type === 'function') {
    const name = typeof payload.name === 'string' ? payload.name.toUpperCase() : undefined;
    if (name === undefined || !argumentOnlyFunctions.has(name)) notHandled(`function ${String(payload.name)}`);
  }
  if (node.type === 'window_function') {
    readWindow(payload, parts, depth);
    return;
  }
  if (node.type === 'array_agg' && Array.isArray(payload.order_by) && payload.order_by.length > 0) {
    parts.aggregateOrders.push(payload.order_by);
    walkFields(payload, parts, depth, ['order_by']);
    return;
  }
  walkFields(payload, parts, depth, [], subqueries);
}

function walkFields(record: Payload, parts: ExpressionParts, depth: number, skip: readonly string[] = [], subqueries = false): void {
  for (const [key, child] of Object.entries(record)) {
    if (key === 'span' || key.endsWith('comments') || typeFields.has(key) || skip.includes(key)) continue;
    if (typeof child === 'object' && child !== null) walk(child, parts, depth + 1, subqueries);
  }
}

function readSubquery(type: string, payload: Payload, parts: ExpressionParts, depth: number): void {
  if (type === 'exists') {
    requireOnly(payload, new Set(['this', 'not']), 'exists');
    parts.references.push({ query: payload.this, exists: true });
    return;
  }
  requireOnly(payload, new Set(['this', 'query', 'not']), 'in');
  walk(payload.this, parts, depth + 1, true);
  parts.references.push({ query: payload.query, exists: false });
}

const windowSpecFields: ReadonlySet<string> = new Set(['partition_by', 'order_by', 'frame']);

function readWindow(payload: Payload, parts: ExpressionParts, depth: number): void {
  for (const [key, value] of Object.entries(payload)) {
    if (key !== 'this' && key !== 'over' && !key.endsWith('comments') && !isEmpty(value)) notHandled(`window field ${key}`);
  }
  walk(payload.this, parts, depth + 1);
  const over = payload.over;
  if (!isRecord(over)) notHandled('a window without OVER');
  for (const [key, value] of Object.entries(over)) {
    if (!windowSpecFields.has(key) && !key.endsWith('comments') && key !== 'span' && !isEmpty(value)) notHandled(`window spec field ${key}`);
  }
  // A frame holds only bounds (literals); anything else in it is not read here.
  if (!isEmpty(over.frame)) walkFrame(over.frame);
  const partitionBy = Array.isArray(over.partition_by) ? over.partition_by : [];
  const orderBy = Array.isArray(over.order_by) ? over.order_by : [];
  parts.windows.push({ partitionBy, orderBy });
  walk(partitionBy, parts, depth + 1);
  walk(orderBy, parts, depth + 1);
}

function walkFrame(frame: unknown): void {
  const nested: ExpressionParts = { columns: [], references: [], windows: [], aggregateOrders: [] };
  walk(frame, nested, 0);
  if (nested.columns.length > 0 || nested.windows.length > 0) notHandled('a window frame naming columns');
}
