/**
 * One pass over a parsed statement: every statement kind in the tree (DML in a CTE, DDL in a script),
 * every table it names (CTE names excluded, scoped the way GoogleSQL scopes them), the write targets,
 * and the constructs that make lineage or the reading itself unreliable.
 */
import type { AnalysisContext } from '../../domain/ports.js';
import type { StatementKind } from '../../domain/analysis/types.js';
import { identifierText, isRecord, nodeOf, statementType, type Payload } from './ast-nodes.js';
import { isBuiltinFunction } from './builtin-functions.js';
import { expressionKinds, routineKinds, structureKeys } from './node-kinds.js';
import type { AstNode } from './polyglot-sdk.js';
import { classifyCommand, isRecognisedStatementType, kindOfNodeType } from './statement-kinds.js';
import { externalQueryCall, type ExternalQueryCall } from './external-query/external-query.js';
import { isTableRefPayload, qualifyTableName, tableNameParts, type NameDecoder, type QualifiedTable } from './table-names.js';

/** What the walk needs besides the tree: the defaults, GoogleSQL's reading of quoted names, temp functions. */
export interface WalkEnv {
  readonly context: AnalysisContext;
  /** The quoted name as GoogleSQL decodes it; undefined when the lexer holds no such name. */
  readonly decodeName: NameDecoder;
  /** Functions the request itself defines with CREATE TEMP FUNCTION (lower case). */
  readonly tempFunctions: ReadonlySet<string>;
}

export interface TableReference {
  /** The name parts as written (original case), which is how polyglot's analysis names the table. */
  readonly writtenParts: readonly string[];
  readonly table: QualifiedTable;
  /** Named as a write target (INSERT INTO, CREATE TABLE, DROP …), not read. */
  readonly written: boolean;
}

export interface StatementFacts {
  readonly kinds: Set<StatementKind>;
  readonly references: TableReference[];
  readonly writtenTables: Set<string>;
  /** `BEGIN <statement>` text polyglot kept raw; analysed as a nested request. */
  readonly nestedSql: string[];
  /** EXTERNAL_QUERY calls with literal arguments, read by the PostgreSQL reader (external-query/). */
  readonly externalQueries?: ExternalQueryCall[];
  scripting: boolean;
  dynamicSql: boolean;
  unparsed: boolean;
  lineageIncomplete: boolean;
  /** Why the statement is unknown or opaque: node kinds not understood, routines called. */
  readonly problems: string[];
}

/** Payload fields that name the statement's write target. */
const targetFields: Readonly<Record<string, readonly string[]>> = {
  insert: ['table'],
  update: ['table'],
  delete: ['table'],
  merge: ['this'],
  truncate: ['table'],
  truncate_table: ['table'],
  load_data: ['table', 'this'],
  create_table: ['name'],
  create_view: ['name'],
  alter_table: ['name'],
  alter_view: ['name'],
  drop_table: ['names'],
  drop_view: ['name'],
  undrop: ['name', 'this'],
};

/** Statements whose `name` is a routine, not a table. */
const routineTypes = new Set(['create_function', 'drop_function', 'create_procedure', 'drop_procedure']);

/** Table-valued functions that read no table of their own. */
const harmlessTableFunctions = new Set(['unnest', 'generate_array', 'generate_date_array', 'generate_timestamp_array']);

/** Functions that run SQL the analyser never sees. */
const foreignSqlFunctions = new Set(['external_query']);

export function collectStatementFacts(statement: AstNode, context: WalkEnv): StatementFacts {
  const facts: StatementFacts = {
    kinds: new Set(),
    references: [],
    writtenTables: new Set(),
    nestedSql: [],
    externalQueries: [],
    scripting: false,
    dynamicSql: false,
    unparsed: false,
    lineageIncomplete: false,
    problems: [],
  };
  if (!isRecognisedStatementType(statementType(statement))) {
    // Commands are read by their leading words below; any other unmodelled statement is unknown.
    if (statementType(statement) !== 'command') markUnknown(facts);
  }
  walk(statement, new Set(), false, facts, context);
  if (facts.kinds.size === 0) markUnknown(facts);
  return facts;
}

function markUnknown(facts: StatementFacts): void {
  facts.kinds.add('unknown');
  facts.unparsed = true;
}

function walk(value: unknown, ctes: ReadonlySet<string>, written: boolean, facts: StatementFacts, context: WalkEnv): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, ctes, written, facts, context);
    return;
  }
  if (!isRecord(value)) return;
  const node = nodeOf(value);
  if (node && !structureKeys.has(node.type) && !understood(node.type, facts)) return;
  if (node && isRecord(node.payload)) {
    walkNode(node.type, node.payload, ctes, written, facts, context);
    return;
  }
  if (node) {
    walk(node.payload, ctes, written, facts, context);
    return;
  }
  walkPayload(value, ctes, written, facts, context, []);
}

function walkNode(
  type: string,
  payload: Payload,
  ctes: ReadonlySet<string>,
  written: boolean,
  facts: StatementFacts,
  context: WalkEnv,
): void {
  if (type === 'table') {
    recordTable(payload, ctes, written, facts, context);
    // FOR SYSTEM_TIME AS OF, TABLESAMPLE and hints hang off the table and may hold subqueries.
    for (const [key, child] of Object.entries(payload)) {
      if (key === 'span' || key.endsWith('comments') || tableNameFields.includes(key)) continue;
      walk(child, ctes, false, facts, context);
    }
    return;
  }
  if (type === 'command') {
    const reading = classifyCommand(String(identifierText(payload.this) ?? payload.this ?? ''));
    for (const kind of reading.kinds) facts.kinds.add(kind);
    facts.scripting ||= reading.scripting;
    facts.dynamicSql ||= reading.dynamicSql;
    facts.unparsed ||= reading.unparsed;
    // The results of a CALL or EXECUTE IMMEDIATE come from SQL the analyser never reads.
    if (reading.kinds.includes('call') || reading.dynamicSql || reading.unparsed) facts.lineageIncomplete = true;
    if (reading.nestedSql) facts.nestedSql.push(reading.nestedSql);
    return;
  }
  if (type === 'function') checkFunction(payload, facts);
  if (routineKinds.has(type)) checkRoutineCall(type, payload, facts, context);
  const kind = kindOfNodeType(type);
  if (kind) {
    facts.kinds.add(kind);
    if (kind === 'script') facts.scripting = true;
    if (kind === 'unknown') facts.unparsed = true;
  }
  if (type === 'select') checkFromFunctions(payload, facts);
  const skip: string[] = routineTypes.has(type) ? ['name'] : [];
  for (const field of targetFields[type] ?? []) {
    walk(payload[field], ctes, true, facts, context);
    skip.push(field);
  }
  walkPayload(payload, ctes, written, facts, context, skip);
}

function walkPayload(
  payload: Payload,
  ctes: ReadonlySet<string>,
  written: boolean,
  facts: StatementFacts,
  context: WalkEnv,
  skip: readonly string[],
): void {
  if (isTableRefPayload(payload)) {
    recordTable(payload, ctes, written, facts, context);
    return;
  }
  const withClause = payload.with;
  let scope = ctes;
  if (isRecord(withClause) && Array.isArray(withClause.ctes)) {
    scope = walkWith(withClause, ctes, facts, context);
  }
  for (const [key, child] of Object.entries(payload)) {
    if (key === 'with' || key === 'span' || key.endsWith('comments') || skip.includes(key)) continue;
    walk(child, scope, written, facts, context);
  }
}

/** Walks each CTE body with the names visible to it; returns the names visible to the main query. */
function walkWith(withClause: Payload, outer: ReadonlySet<string>, facts: StatementFacts, context: WalkEnv): Set<string> {
  const recursive = withClause.recursive === true;
  const visible = new Set(outer);
  const definitions = withClause.ctes as unknown[];
  const names = definitions.map((cte) => (isRecord(cte) ? identifierText(cte.alias)?.toLowerCase() : undefined));
  definitions.forEach((cte, index) => {
    const name = names[index];
    // A non-recursive CTE cannot see itself: a same-named reference in its body is the real table.
    const bodyScope = new Set(visible);
    if (recursive && name) bodyScope.add(name);
    if (isRecord(cte)) walk(cte.this, bodyScope, false, facts, context);
    if (name) visible.add(name);
  });
  return visible;
}

/** The fields of a table reference that name it; the rest (time travel, sampling, hints) is walked. */
const tableNameFields = ['name', 'schema', 'catalog', 'alias', 'column_aliases'];

function recordTable(payload: Payload, ctes: ReadonlySet<string>, written: boolean, facts: StatementFacts, env: WalkEnv): void {
  const asWritten = tableNameParts(payload);
  const parts = tableNameParts(payload, env.decodeName);
  if (!parts || !asWritten) {
    markUnknown(facts);
    facts.problems.push('a table name could not be read the way GoogleSQL reads it');
    return;
  }
  if (parts.length === 1 && ctes.has((parts[0] as string).toLowerCase()) && !written) return;
  const table = qualifyTableName(parts, env.context);
  // writtenParts stay as the parser library spells them: that is how its column analysis names the table.
  facts.references.push({ writtenParts: asWritten, table, written });
  if (written) facts.writtenTables.add(table.name);
  if (!written && (table.unqualified || !table.ref)) facts.lineageIncomplete = true;
  // Escapes in a name: the library's column analysis cannot be trusted to have read it as GoogleSQL does.
  if (asWritten.join('.') !== parts.join('.')) facts.lineageIncomplete = true;
}

/** Whether the walk understands this node kind; if not, the statement is unknown and says why. */
function understood(type: string, facts: StatementFacts): boolean {
  if (type === 'table' || type === 'command' || expressionKinds.has(type) || routineKinds.has(type) || kindOfNodeType(type) !== undefined) return true;
  markUnknown(facts);
  facts.problems.push(`the statement holds a ${type} node, which the analyser does not classify`);
  return false;
}

/**
 * A call by name of something that is not a GoogleSQL built-in, or of a table function or model:
 * kind `call`, whose tables cannot be known. Functions the request defines as temporary are read
 * in their CREATE statement and are no routine of anyone else's.
 */
function checkRoutineCall(type: string, payload: Payload, facts: StatementFacts, env: WalkEnv): void {
  const name = routineName(type, payload);
  if (name !== undefined && (type === 'function' || type === 'method_call')) {
    // EXTERNAL_QUERY is read by checkFunction: its literal SQL is analysed, anything else is unknown.
    if (type === 'function' && foreignSqlFunctions.has(name.toLowerCase())) return;
    if (isBuiltinFunction(name)) return;
    if (!name.includes('.') && env.tempFunctions.has(name.toLowerCase())) return;
  }
  facts.kinds.add('call');
  facts.lineageIncomplete = true;
  facts.problems.push(name === undefined ? `the statement calls a routine (${type})` : `the statement calls routine ${name}`);
}

function routineName(type: string, payload: Payload): string | undefined {
  if (type === 'function' && typeof payload.name === 'string') return payload.name;
  if (type === 'method_call') {
    const path = pathOf(payload.this);
    const method = identifierText(payload.method);
    return path && method ? [...path, method].join('.') : undefined;
  }
  return undefined;
}

/** `a.b` as a column reference, read as the dotted path of a routine name. */
function pathOf(value: unknown): string[] | undefined {
  const node = nodeOf(value);
  if (!node || !isRecord(node.payload)) return undefined;
  if (node.type === 'identifier') return [identifierText(node.payload) ?? ''];
  if (node.type !== 'column') return undefined;
  const name = identifierText(node.payload.name);
  if (name === undefined) return undefined;
  const table = node.payload.table;
  if (table === null || table === undefined) return [name];
  const prefix = identifierText(table);
  return prefix === undefined ? undefined : [prefix, name];
}

function checkFunction(payload: Payload, facts: StatementFacts): void {
  const name = String(payload.name ?? '').toLowerCase();
  if (foreignSqlFunctions.has(name)) {
    const call = externalQueryCall(literalArguments(payload.args));
    if (call && facts.externalQueries) return void facts.externalQueries.push(call);
    facts.kinds.add('unknown');
    facts.dynamicSql = true;
    facts.lineageIncomplete = true;
  }
}

/** A table-valued function in FROM reads tables the analyser cannot see. */
function checkFromFunctions(select: Payload, facts: StatementFacts): void {
  const sources: unknown[] = [];
  if (isRecord(select.from) && Array.isArray(select.from.expressions)) sources.push(...select.from.expressions);
  if (Array.isArray(select.joins)) for (const join of select.joins) if (isRecord(join)) sources.push(join.this);
  for (const source of sources) {
    let node = nodeOf(source);
    if (node?.type === 'alias' && isRecord(node.payload)) node = nodeOf(node.payload.this);
    if (node?.type !== 'function' || !isRecord(node.payload)) continue;
    const name = String(node.payload.name ?? '').toLowerCase();
    if (harmlessTableFunctions.has(name) || foreignSqlFunctions.has(name)) continue; // the latter: checkFunction
    facts.kinds.add('unknown');
    facts.lineageIncomplete = true;
  }
}

/** Each argument's text when it is a plain or raw string literal (others, e.g. a concatenation, have none). */
function literalArguments(args: unknown): { literal?: string }[] {
  if (!Array.isArray(args)) return [];
  return args.map((arg) => {
    const node = nodeOf(arg);
    if (node?.type !== 'literal' || !isRecord(node.payload)) return {};
    const { literal_type: type, value } = node.payload;
    return (type === 'string' || type === 'raw_string') && typeof value === 'string' ? { literal: value } : {};
  });
}
