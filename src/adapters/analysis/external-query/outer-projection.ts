/**
 * How the BigQuery statement around an EXTERNAL_QUERY uses its columns, read from polyglot's tree.
 * Two facts only, both fail closed:
 * - `plainColumns`: for `SELECT a, e.b AS c, * FROM EXTERNAL_QUERY(…) [AS e]` (one source, no joins,
 *   plain column references, `*`, optional aliases, LIMIT) the external column each output is; any
 *   other shape gives undefined and lineage stays incomplete.
 * - `hasPredicates`: whether anything filters, joins, groups, orders or windows (where a protected
 *   column could be probed one guess at a time); true whenever the tree holds such a clause anywhere.
 */
import { identifierText, isRecord, nodeOf, visitTree, type Payload } from '../ast-nodes.js';
import type { AstNode } from '../polyglot-sdk.js';

/** An output: the external column it reads (`*` for all of them) and the name it gets. */
export interface PlainColumn {
  readonly source: string;
  readonly name: string;
}

const predicateKeys = new Set(['where_clause', 'group_by', 'having', 'qualify', 'order_by', 'windows', 'joins', 'connect', 'over', 'window']);

export function hasPredicates(node: unknown): boolean {
  let found = false;
  visitTree(node, (value) => {
    if (found) return false;
    const node = nodeOf(value);
    const record = node && isRecord(node.payload) ? node.payload : value;
    const hit = Object.entries(record).some(
      ([key, child]) => predicateKeys.has(key) && child !== null && child !== false && !(Array.isArray(child) && child.length === 0),
    );
    if (hit) found = true;
    return !found;
  });
  return found;
}

export function plainColumns(statement: AstNode | undefined): PlainColumn[] | undefined {
  const select = nodeOf(statement);
  if (select?.type !== 'select' || !isRecord(select.payload)) return undefined;
  const payload = select.payload;
  if (Array.isArray(payload.joins) && payload.joins.length > 0) return undefined;
  if (payload.with !== null && payload.with !== undefined) return undefined;
  const sources = isRecord(payload.from) && Array.isArray(payload.from.expressions) ? payload.from.expressions : [];
  if (sources.length !== 1) return undefined;
  const alias = externalSourceAlias(sources[0]);
  if (alias === undefined) return undefined;
  const columns: PlainColumn[] = [];
  for (const expression of Array.isArray(payload.expressions) ? payload.expressions : []) {
    const column = plainColumn(expression, alias);
    if (!column) return undefined;
    columns.push(column);
  }
  return columns.length > 0 ? columns : undefined;
}

/** The source's alias ('' when it has none), or undefined when it is not an EXTERNAL_QUERY call. */
function externalSourceAlias(source: unknown): string | undefined {
  let node = nodeOf(source);
  let alias = '';
  if (node?.type === 'alias' && isRecord(node.payload)) {
    if (Array.isArray(node.payload.column_aliases) && node.payload.column_aliases.length > 0) return undefined;
    alias = (identifierText(node.payload.alias) ?? '').toLowerCase();
    node = nodeOf(node.payload.this);
  }
  if (node?.type !== 'function' || !isRecord(node.payload)) return undefined;
  return String(node.payload.name ?? '').toLowerCase() === 'external_query' ? alias : undefined;
}

function plainColumn(expression: unknown, alias: string): PlainColumn | undefined {
  let node = nodeOf(expression);
  let name: string | undefined;
  if (node?.type === 'alias' && isRecord(node.payload)) {
    if (Array.isArray(node.payload.column_aliases) && node.payload.column_aliases.length > 0) return undefined;
    name = identifierText(node.payload.alias);
    node = nodeOf(node.payload.this);
    if (name === undefined) return undefined;
  }
  if (!node || !isRecord(node.payload)) return undefined;
  const payload: Payload = node.payload;
  if (!qualifierFits(payload.table, alias)) return undefined;
  if (node.type === 'star') {
    if (name !== undefined || payload.except || payload.replace || payload.rename) return undefined;
    return { source: '*', name: '*' };
  }
  if (node.type !== 'column') return undefined;
  const source = identifierText(payload.name);
  return source === undefined ? undefined : { source, name: name ?? source };
}

/** No qualifier, or the external query's own alias. */
function qualifierFits(table: unknown, alias: string): boolean {
  if (table === null || table === undefined) return true;
  const qualifier = identifierText(table);
  return qualifier !== undefined && alias !== '' && qualifier.toLowerCase() === alias;
}
