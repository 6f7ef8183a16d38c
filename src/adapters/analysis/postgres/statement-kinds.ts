/**
 * PostgreSQL statement and function classification for pgsql-ast-parser's tree. Fails closed: a node
 * type not listed here is `unknown`, a function not on the built-in list is a `call` (it may write,
 * read files, run SQL or reach the network: pg_read_file, dblink, query_to_xml, set_config, nextval …).
 */
import type { StatementKind } from '../../../domain/analysis/types.js';

/** Node types that are statements or subqueries, and the kinds they stand for. */
export const nodeKinds: Readonly<Record<string, readonly StatementKind[]>> = {
  select: ['select'],
  union: ['select'],
  'union all': ['select'],
  values: ['select'],
  with: ['select'],
  'with recursive': ['select'],
  'array select': ['select'],
  insert: ['insert'],
  update: ['update'],
  delete: ['delete'],
  'truncate table': ['truncate'],
  'create table': ['create'],
  'create index': ['create'],
  'create view': ['create'],
  'create materialized view': ['create'],
  'create sequence': ['create'],
  'create schema': ['create'],
  'create enum': ['create'],
  'create composite type': ['create'],
  // Installing an extension loads code into the server; a function body is code the reader never sees.
  'create extension': ['create', 'unknown'],
  'create function': ['create', 'script'],
  'alter table': ['alter'],
  'alter index': ['alter'],
  'alter sequence': ['alter'],
  'alter enum': ['alter'],
  comment: ['alter'],
  'refresh materialized view': ['alter'],
  'drop table': ['drop'],
  'drop sequence': ['drop'],
  'drop index': ['drop'],
  'drop type': ['drop'],
  'drop trigger': ['drop'],
  'drop function': ['drop'],
  // A DO block is PL/pgSQL the reader cannot follow.
  do: ['script', 'unknown'],
  // Transaction control and session settings could end the read-only transaction a read runs in, or
  // change whose rights the rest of the request runs with.
  begin: ['unknown'],
  'start transaction': ['unknown'],
  commit: ['unknown'],
  rollback: ['unknown'],
  set: ['unknown'],
  'set timezone': ['unknown'],
  'set names': ['unknown'],
  show: ['unknown'],
  prepare: ['unknown'],
  deallocate: ['unknown'],
  tablespace: ['unknown'],
  raise: ['unknown'],
};

/** Statement types allowed at the top of a request (anything else there is `unknown`). */
export const isStatementType = (type: string): boolean => type in nodeKinds && type !== 'array select';

/**
 * Built-in functions that read nothing but their arguments and change nothing. Anything else — a user
 * routine, a schema-qualified name outside pg_catalog, an admin or file function — is a `call`.
 */
const pureFunctions = new Set([
  // aggregates and window functions
  'count', 'sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'every', 'string_agg', 'array_agg', 'stddev', 'stddev_pop',
  'stddev_samp', 'variance', 'var_pop', 'var_samp', 'percentile_cont', 'percentile_disc', 'mode', 'row_number', 'rank',
  'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value', 'last_value', 'nth_value',
  // conditionals and comparisons
  'coalesce', 'nullif', 'greatest', 'least',
  // strings
  'lower', 'upper', 'length', 'char_length', 'character_length', 'octet_length', 'substr', 'substring', 'trim', 'btrim',
  'ltrim', 'rtrim', 'concat', 'concat_ws', 'left', 'right', 'lpad', 'rpad', 'replace', 'split_part', 'strpos', 'position',
  'initcap', 'reverse', 'repeat', 'md5', 'starts_with', 'regexp_replace', 'regexp_match', 'regexp_matches', 'format',
  'to_char', 'to_number', 'to_date', 'to_timestamp', 'translate', 'ascii', 'chr',
  // numbers
  'abs', 'round', 'trunc', 'ceil', 'ceiling', 'floor', 'mod', 'power', 'sqrt', 'sign', 'ln', 'log', 'exp', 'div',
  'width_bucket',
  // dates and times
  'now', 'current_date', 'current_timestamp', 'date_trunc', 'date_part', 'extract', 'age', 'make_date',
  'make_timestamp', 'make_interval', 'justify_days', 'justify_hours', 'timezone',
  // arrays, ranges and JSON values (no table access)
  'array_length', 'cardinality', 'unnest', 'generate_series', 'array_position', 'array_to_string', 'string_to_array',
  'json_build_object', 'jsonb_build_object', 'json_agg', 'jsonb_agg', 'to_json', 'to_jsonb', 'jsonb_array_length',
  'json_array_length', 'row_to_json',
]);

export function isPureFunction(name: string, schema: string | undefined): boolean {
  if (schema !== undefined && schema.toLowerCase() !== 'pg_catalog') return false;
  return pureFunctions.has(name.toLowerCase());
}

/**
 * Kinds for a request the parser could not read, from its leading words (pgsql-ast-parser reads
 * neither COPY, GRANT, CALL nor SET ROLE), so the refusal names what it looked like. Always with `unknown`.
 */
export function hintKinds(sql: string): StatementKind[] {
  const words = sql
    .replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ')
    .trim()
    .split(/\s+/)
    .slice(0, 6)
    .map((word) => word.toLowerCase());
  const hints: StatementKind[] = [];
  const [first] = words;
  if (first === 'copy') hints.push(words.includes('from') ? 'load' : 'export');
  if (first === 'grant') hints.push('grant');
  if (first === 'revoke') hints.push('revoke');
  if (first === 'call') hints.push('call');
  if (first === 'do') hints.push('script');
  if (first === 'vacuum' || first === 'cluster' || first === 'reindex') hints.push('alter');
  return [...hints, 'unknown'];
}
