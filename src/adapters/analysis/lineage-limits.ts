/**
 * Where polyglot's lineage is not to be trusted for masking, and where an output is the protected
 * value itself. Both fail closed:
 * - column lists on derived tables and CTEs (`AS t(a, b)`, `WITH t (b, a) AS …`), `* RENAME`, and
 *   any generic function call not on the allow-list below make the statement's lineage unknown —
 *   the transpiled SQL may honour what the analysis dropped (or the reverse), and an unknown
 *   function (DuckDB's `COLUMNS('regex')`) may read columns it names nowhere;
 * - an output is "the value itself" only when the outermost SELECT reads base tables directly (no
 *   CTE, no derived table, no set operation) and the expression is a column, possibly wrapped in
 *   functions that keep both the value and its shape (see `shapePreserving`). polyglot reports a
 *   column read through a CTE as `direct` even when the CTE rewrote it, so its word is not enough.
 */
import { identifierText, isRecord, nodeOf, visitTree, type Payload } from './ast-nodes.js';
import type { AstNode } from './polyglot-sdk.js';

/**
 * GoogleSQL functions polyglot parses as a generic call whose value is computed from their arguments
 * only (so the lineage of their column arguments is the lineage of their value). Functions polyglot
 * knows by name get their own node types and are followed by polyglot itself.
 */
export const argumentOnlyFunctions: ReadonlySet<string> = new Set([
  'ARRAY_CONCAT', 'ARRAY_TO_STRING', 'ASCII', 'BYTE_LENGTH', 'CHR', 'CODE_POINTS_TO_BYTES', 'CODE_POINTS_TO_STRING',
  'CONCAT', 'CORR', 'COVAR_POP', 'COVAR_SAMP', 'CURRENT_DATE', 'CURRENT_DATETIME', 'CURRENT_TIME', 'CURRENT_TIMESTAMP',
  'DATE', 'DATE_ADD', 'DATE_DIFF', 'DATE_FROM_UNIX_DATE', 'DATE_SUB', 'DATE_TRUNC', 'DATETIME', 'DATETIME_ADD',
  'DATETIME_DIFF', 'DATETIME_SUB', 'DATETIME_TRUNC', 'DIV', 'EDIT_DISTANCE', 'FARM_FINGERPRINT', 'FORMAT', 'FORMAT_DATE',
  'FORMAT_DATETIME', 'FORMAT_TIME', 'FORMAT_TIMESTAMP', 'FROM_BASE32', 'FROM_BASE64', 'FROM_HEX', 'GENERATE_ARRAY',
  'GENERATE_DATE_ARRAY', 'GENERATE_TIMESTAMP_ARRAY', 'GENERATE_UUID', 'GREATEST', 'IEEE_DIVIDE', 'INSTR', 'LEAST', 'LEFT',
  'LPAD', 'LTRIM', 'MD5', 'NULLIF', 'PARSE_DATE', 'PARSE_DATETIME', 'PARSE_TIME', 'PARSE_TIMESTAMP', 'REGEXP_CONTAINS',
  'REGEXP_EXTRACT', 'REGEXP_EXTRACT_ALL', 'REGEXP_INSTR', 'REGEXP_REPLACE', 'REPEAT', 'REPLACE', 'REVERSE', 'RIGHT',
  'RPAD', 'RTRIM', 'SAFE_CONVERT_BYTES_TO_STRING', 'SHA1', 'SHA256', 'SHA512', 'SIGN', 'SOUNDEX', 'SPLIT', 'STRING',
  'TIME', 'TIMESTAMP_ADD', 'TIMESTAMP_DIFF', 'TIMESTAMP_MICROS', 'TIMESTAMP_MILLIS', 'TIMESTAMP_SECONDS', 'TIMESTAMP_SUB',
  'TIMESTAMP_TRUNC', 'TO_BASE32', 'TO_BASE64', 'TO_CODE_POINTS', 'TO_HEX', 'TO_JSON_STRING', 'TRANSLATE', 'UNICODE',
  'UNIX_DATE', 'UNIX_MICROS', 'UNIX_MILLIS', 'UNIX_SECONDS', 'APPROX_QUANTILES', 'APPROX_TOP_COUNT', 'STRUCT',
]);

const genericCallTypes: ReadonlySet<string> = new Set(['function', 'aggregate_function', 'anonymous', 'anonymous_function']);

/** A generic call the lineage walker does not know: its name, else undefined. */
function unknownFunctionName(node: { type: string; payload: unknown }): string | undefined {
  if (!genericCallTypes.has(node.type)) return undefined;
  const name = isRecord(node.payload) ? identifierText(node.payload.name) : undefined;
  const upper = name?.toUpperCase().replace(/^SAFE\./, '');
  return upper !== undefined && argumentOnlyFunctions.has(upper) ? undefined : (name ?? '?');
}

const nonEmptyList = (value: unknown): boolean => Array.isArray(value) && value.length > 0;

/** True when some construct in the query makes its column lineage unknowable for masking. */
export function lineageUnfollowable(query: AstNode): boolean {
  let found = false;
  visitTree(query, (value) => {
    if (found) return false;
    const node = nodeOf(value);
    if (node === undefined) {
      // CTE entries are plain payloads: `{ alias, this, columns }`.
      if (nonEmptyList(value.columns) && 'alias' in value && 'this' in value) found = true;
      return;
    }
    const payload: Payload = isRecord(node.payload) ? node.payload : {};
    if (nonEmptyList(payload.column_aliases)) found = true;
    else if (node.type === 'star' && nonEmptyList(payload.rename)) found = true;
    else if (unknownFunctionName(node) !== undefined) found = true;
  });
  return found;
}

/** Node types that keep a value and its shape: case folding and trimming of surrounding blanks. */
const shapePreservingTypes: ReadonlySet<string> = new Set(['lower', 'upper']);
const shapePreservingFunctions: ReadonlySet<string> = new Set(['LTRIM', 'RTRIM']);
const stringTypes = /^(STRING|VARCHAR|TEXT)$/i;

function castTarget(payload: Payload): string | undefined {
  // polyglot writes `{ data_type: 'string' }`, or `{ data_type: 'custom', name: 'INT64' }`.
  const to = payload.to;
  if (!isRecord(to)) return undefined;
  if (typeof to.name === 'string') return to.name;
  return typeof to.data_type === 'string' ? to.data_type : undefined;
}

/** The column under the shape-preserving wrappers, or undefined when the expression is anything else. */
function peel(expression: unknown): Payload | undefined {
  let current = expression;
  for (let depth = 0; depth < 16; depth++) {
    const node = nodeOf(current);
    if (!node || !isRecord(node.payload)) return undefined;
    const payload = node.payload;
    if (node.type === 'column') return payload;
    if (node.type === 'alias' || node.type === 'paren' || shapePreservingTypes.has(node.type)) {
      current = payload.this;
    } else if (node.type === 'trim') {
      // TRIM(x) only: TRIM(x, 'chars') removes characters that may be part of the value.
      if (payload.characters !== undefined && payload.characters !== null) return undefined;
      current = payload.this;
    } else if (node.type === 'cast' || node.type === 'safe_cast') {
      if (!stringTypes.test(castTarget(payload) ?? '')) return undefined;
      current = payload.this;
    } else if (node.type === 'function') {
      const name = identifierText(payload.name)?.toUpperCase();
      const args = Array.isArray(payload.args) ? payload.args : [];
      if (name === undefined || !shapePreservingFunctions.has(name) || args.length !== 1) return undefined;
      current = args[0];
    } else {
      return undefined;
    }
  }
  return undefined;
}

function readsBaseTablesOnly(select: Payload): boolean {
  if (select.with !== undefined && select.with !== null) return false;
  const from = isRecord(select.from) && Array.isArray(select.from.expressions) ? select.from.expressions : [];
  const joins = Array.isArray(select.joins) ? select.joins.map((join) => (isRecord(join) ? join.this : undefined)) : [];
  return [...from, ...joins].every((item) => nodeOf(item)?.type === 'table');
}

/**
 * For each output name of the outermost SELECT: whether that output is a base-table column, as is or
 * through shape-preserving wrappers. A name given to more than one output is never the value itself.
 */
export function valueItselfByName(query: AstNode): (name: string, polyglotDirect: boolean) => boolean {
  const node = nodeOf(query);
  const select = node?.type === 'select' && isRecord(node.payload) ? node.payload : undefined;
  if (!select || !readsBaseTablesOnly(select)) return () => false;
  const expressions = Array.isArray(select.expressions) ? select.expressions : [];
  const counts = new Map<string, number>();
  const shaped = new Map<string, boolean>();
  let hasStar = false;
  for (const expression of expressions) {
    const expressionNode = nodeOf(expression);
    if (expressionNode?.type === 'star') {
      hasStar = true;
      continue;
    }
    const column = peel(expression);
    const name =
      expressionNode?.type === 'alias' && isRecord(expressionNode.payload)
        ? identifierText(expressionNode.payload.alias)
        : column !== undefined
          ? identifierText(column.name)
          : undefined;
    if (name === undefined) continue;
    const key = name.toLowerCase();
    counts.set(key, (counts.get(key) ?? 0) + 1);
    shaped.set(key, column !== undefined);
  }
  return (name, polyglotDirect) => {
    const key = name.toLowerCase();
    if (counts.has(key)) return counts.get(key) === 1 && shaped.get(key) === true && !hasStar;
    // A column a star brought in: it is the table's column unchanged when polyglot says so.
    return hasStar && polyglotDirect;
  };
}
