/**
 * Reads PostgreSQL with pgsql-ast-parser, statement by statement, over the whole tree: every statement
 * kind (DML in a CTE, a subquery, a function call), every table (CTE names excluded where they are in
 * scope), the write targets, and output lineage for plain SELECTs. Fails closed: text the parser
 * cannot read is one `unknown` statement; a shape it does not model leaves lineage incomplete.
 */
import { parse, type Statement } from 'pgsql-ast-parser';
import { coarseStatement, riskiestKind, statementKinds, type AnalysedStatement, type StatementKind } from '../../../domain/analysis/types.js';
import { selectLineage, type FromTable } from './select-lineage.js';
import { hintKinds, isPureFunction, isStatementType, nodeKinds } from './statement-kinds.js';

export interface PostgresNaming {
  /** The name policies see for `schema.table` (schema undefined when the SQL left it to the search path). */
  qualify(schema: string | undefined, table: string): string;
  /** The columns of a qualified table, when known. */
  columnsOf(qualified: string): readonly string[] | undefined;
}

type Node = Record<string, unknown>;
const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);

interface Facts {
  kinds: Set<StatementKind>;
  tables: Set<string>;
  written: Set<string>;
  opaque: boolean;
}

/** Payload fields that name a statement's write target, by statement type. */
const targetFields: Readonly<Record<string, string>> = {
  insert: 'into',
  update: 'table',
  delete: 'from',
  'truncate table': 'tables',
  'create table': 'name',
  'create view': 'name',
  'create materialized view': 'name',
  'create index': 'table',
  'create sequence': 'name',
  'alter table': 'table',
  'refresh materialized view': 'name',
  'drop table': 'names',
  'drop sequence': 'names',
  'drop index': 'names',
};

export function readPostgres(sql: string, naming: PostgresNaming): AnalysedStatement[] {
  let statements: Statement[];
  try {
    statements = parse(sql);
  } catch {
    return [unreadable(sql)];
  }
  if (statements.length === 0) return [unreadable(sql)];
  return statements.map((statement) => readStatement(statement, sql, statements.length === 1, naming));
}

function unreadable(sql: string): AnalysedStatement {
  const kinds = hintKinds(sql);
  return { ...coarseStatement(riskiestKind(kinds), [], { unparsed: true, lineageIncomplete: true }), kinds, text: sql };
}

function readStatement(statement: Statement, sql: string, whole: boolean, naming: PostgresNaming): AnalysedStatement {
  const facts: Facts = { kinds: new Set(), tables: new Set(), written: new Set(), opaque: false };
  const root = statement as unknown as Node;
  if (!isStatementType(String(root.type))) facts.kinds.add('unknown');
  walk(root, new Set(), facts, naming);
  if (facts.kinds.size === 0) facts.kinds.add('unknown');
  const kinds = statementKinds.filter((kind) => facts.kinds.has(kind));
  const plain = kinds.length === 1 && kinds[0] === 'select' && !facts.opaque;
  const lineage = plain ? selectLineage(root, (table) => resolveFrom(table, naming)) : undefined;
  return {
    kind: riskiestKind(kinds),
    kinds,
    tables: [...facts.tables].sort(),
    writtenTables: [...facts.written].sort(),
    outputColumns: lineage?.outputColumns ?? [],
    filterColumns: lineage?.filterColumns ?? [],
    joinColumns: lineage?.joinColumns ?? [],
    groupColumns: lineage?.groupColumns ?? [],
    orderColumns: lineage?.orderColumns ?? [],
    flags: {
      scripting: kinds.includes('script'),
      dynamicSql: false,
      unparsed: false,
      lineageIncomplete: lineage === undefined || lineage.incomplete,
    },
    text: whole ? sql : '',
  };
}

function resolveFrom(table: Node, naming: PostgresNaming): FromTable | undefined {
  const name = qualifiedName(table.name, naming);
  if (!name) return undefined;
  const written = table.name as Node;
  const alias = typeof written.alias === 'string' ? written.alias : String(written.name);
  return { alias: alias.toLowerCase(), name, columns: naming.columnsOf(name) };
}

/** `{ name, schema? }` (pgsql-ast-parser's QName) as the qualified name, or undefined when malformed. */
function qualifiedName(value: unknown, naming: PostgresNaming): string | undefined {
  if (!isNode(value) || typeof value.name !== 'string') return undefined;
  const schema = typeof value.schema === 'string' ? value.schema : undefined;
  return naming.qualify(schema, value.name);
}

function walk(node: Node, ctes: ReadonlySet<string>, facts: Facts, naming: PostgresNaming): void {
  const type = typeof node.type === 'string' ? node.type : undefined;
  let scope = ctes;
  if (type !== undefined) {
    // A locking clause (FOR UPDATE) also has type "update"; a real UPDATE has `sets`.
    const isLockingClause = type === 'update' && !('sets' in node);
    const kinds = isLockingClause ? undefined : nodeKinds[type];
    if (kinds) for (const kind of kinds) facts.kinds.add(kind);
    if (kinds?.some((kind) => kind === 'script' || kind === 'unknown')) facts.opaque = true;
    if (type === 'with' || type === 'with recursive') scope = withScope(node, ctes);
    if (type === 'table' && isNode(node.name)) recordRead(node.name, scope, facts, naming);
    if (type === 'call') checkCall(node, facts);
    const target = isLockingClause ? undefined : targetFields[type];
    if (target !== undefined) recordTargets(node[target], facts, naming);
  }
  for (const [key, child] of Object.entries(node)) {
    if (key === '_location') continue;
    for (const item of Array.isArray(child) ? child : [child]) if (isNode(item)) walk(item, scope, facts, naming);
  }
}

function withScope(node: Node, ctes: ReadonlySet<string>): Set<string> {
  const scope = new Set(ctes);
  for (const bind of Array.isArray(node.bind) ? node.bind : []) {
    if (isNode(bind) && isNode(bind.alias) && typeof bind.alias.name === 'string') scope.add(bind.alias.name.toLowerCase());
  }
  return scope;
}

function recordRead(name: Node, ctes: ReadonlySet<string>, facts: Facts, naming: PostgresNaming): void {
  if (typeof name.schema !== 'string' && typeof name.name === 'string' && ctes.has(name.name.toLowerCase())) return;
  const qualified = qualifiedName(name, naming);
  if (qualified) facts.tables.add(qualified);
  else markUnknown(facts);
}

function recordTargets(value: unknown, facts: Facts, naming: PostgresNaming): void {
  for (const item of Array.isArray(value) ? value : [value]) {
    const qualified = qualifiedName(item, naming);
    if (!qualified) {
      markUnknown(facts);
      continue;
    }
    facts.tables.add(qualified);
    facts.written.add(qualified);
  }
}

function checkCall(node: Node, facts: Facts): void {
  const fn = node.function;
  if (!isNode(fn) || typeof fn.name !== 'string') return markUnknown(facts);
  const schema = typeof fn.schema === 'string' ? fn.schema : undefined;
  if (isPureFunction(fn.name, schema)) return;
  facts.kinds.add('call');
  facts.opaque = true;
}

function markUnknown(facts: Facts): void {
  facts.kinds.add('unknown');
  facts.opaque = true;
}
