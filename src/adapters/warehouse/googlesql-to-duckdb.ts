/**
 * Agents write GoogleSQL for every warehouse; the embedded one runs DuckDB. polyglot parses the
 * GoogleSQL, table names are mapped onto DuckDB schemas, and polyglot writes DuckDB SQL. Anything
 * polyglot cannot read is refused: untranspiled text never reaches DuckDB.
 */
import { Dialect, generate, init, isInitialized, parse, transpile } from '../analysis/polyglot-engine.js';
import { LedgergateError } from '../../domain/errors.js';
import { ledgerSchema, nameSegments, resolveTableName } from './table-names.js';

export interface TranspiledSql {
  /** One DuckDB statement per GoogleSQL statement, in order. */
  readonly statements: readonly string[];
}

type AstObject = Record<string, unknown>;

const isObject = (value: unknown): value is AstObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

interface Identifier extends AstObject {
  name: string;
}

const isIdentifier = (value: unknown): value is Identifier => isObject(value) && typeof value.name === 'string';

/** polyglot's table reference node: `{ name: Identifier, schema, catalog, alias, … }`. */
const isTableRef = (node: AstObject): boolean => 'schema' in node && 'catalog' in node && isIdentifier(node.name);

/**
 * DuckDB functions that reach outside the query's tables: running SQL from strings (which would hide
 * table names from the analyser), reading files, settings, the environment or DuckDB's own catalog.
 */
const forbiddenFunction =
  /^(query|query_table|query_table_by_name|glob|getenv|current_setting|getvariable|which_secret|sniff_csv|json_execute_serialized_sql|read_.*|duckdb_.*|pragma_.*|parquet_.*|iceberg_.*|delta_.*|sqlite_.*|postgres_.*|mysql_.*|checkpoint|force_checkpoint|test_.*|summary|unnest_table)$/i;

function identifierName(value: unknown): string | undefined {
  return isIdentifier(value) ? value.name : undefined;
}

function rewriteTableRef(node: AstObject, projectId: string): void {
  const segments = nameSegments([identifierName(node.catalog), identifierName(node.schema), identifierName(node.name)]);
  const resolved = resolveTableName(segments, projectId);
  const name = node.name as Identifier;
  if (resolved.dataset === undefined) {
    if (resolved.table.toLowerCase() === ledgerSchema) refuseLedger();
    return;
  }
  node.catalog = null;
  node.schema = { ...name, name: resolved.dataset, quoted: true, span: null };
  node.name = { ...name, name: resolved.table, quoted: true };
}

function refuseLedger(): never {
  throw new LedgergateError('query_invalid', 'Not found: the gateway\'s internal schema is not available', {
    reason: 'not_found',
  });
}

/** FROM items that are function calls are DuckDB table functions: BigQuery has only UNNEST there. */
function refuseTableFunctions(fromItems: unknown): void {
  if (!Array.isArray(fromItems)) return;
  for (const item of fromItems) {
    const inner = isObject(item) && isObject(item.alias) ? item.alias.this : item;
    if (isObject(inner) && isObject(inner.function)) {
      throw new LedgergateError('query_invalid', `Table function ${String(inner.function.name)}() is not supported`);
    }
  }
}

function walk(value: unknown, projectId: string): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, projectId);
    return;
  }
  if (!isObject(value)) return;
  if (isTableRef(value)) rewriteTableRef(value, projectId);
  if (isObject(value.function) && typeof value.function.name === 'string' && forbiddenFunction.test(value.function.name)) {
    throw new LedgergateError('query_invalid', `Function ${value.function.name} is not available`);
  }
  if (isObject(value.from)) refuseTableFunctions(value.from.expressions);
  if (Array.isArray(value.joins)) refuseTableFunctions(value.joins.map((join) => (isObject(join) ? join.this : join)));
  for (const [key, child] of Object.entries(value)) {
    if (key !== 'span') walk(child, projectId);
  }
}

function failure(stage: string, error: string | undefined): LedgergateError {
  // polyglot's messages quote the offending token, which can be a literal: keep only position info.
  const where = error?.match(/line \d+(, column \d+)?/i)?.[0];
  return new LedgergateError('query_invalid', `GoogleSQL could not be ${stage}${where ? ` (${where})` : ''}`);
}

/** polyglot's WASM loads itself under ESM; a CommonJS load needs init() first. Idempotent. */
export async function ensureTranspilerReady(): Promise<void> {
  if (!isInitialized()) await init();
}

export function googleSqlToDuckDb(sql: string, projectId: string): TranspiledSql {
  // Belt and braces: the ledger must not be reachable even through names built from strings.
  if (/_ledgergate/i.test(sql)) refuseLedger();
  const parsed = parse(sql, Dialect.BigQuery);
  if (!parsed.success || !Array.isArray(parsed.ast)) throw failure('parsed', parsed.error ?? undefined);
  const ast: unknown[] = parsed.ast;
  if (ast.length === 0) throw new LedgergateError('query_invalid', 'The SQL contains no statement');
  walk(ast, projectId);
  // transpile() applies the BigQuery→DuckDB rewrites (SAFE_CAST, NULL ordering, …) that generate()
  // alone does not, so the renamed tree goes back to GoogleSQL text and through transpile().
  const renamed = generate(ast, Dialect.BigQuery);
  if (!renamed.success || !renamed.sql || renamed.sql.length !== ast.length) throw failure('parsed', renamed.error ?? undefined);
  const generated = transpile(renamed.sql.join(';\n'), Dialect.BigQuery, Dialect.DuckDB, { unsupportedLevel: 'raise' });
  if (!generated.success || !generated.sql || generated.sql.length !== ast.length) {
    throw failure('translated to DuckDB', generated.error ?? undefined);
  }
  return { statements: generated.sql };
}
