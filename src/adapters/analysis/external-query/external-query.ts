/**
 * BigQuery's EXTERNAL_QUERY('project.region.connection', '<SQL>') runs its second argument in Cloud
 * SQL. When that argument is a literal and the connection is known to be PostgreSQL, the SQL is read
 * with the PostgreSQL reader and joins the outer statement: its kinds, its tables (named
 * `<project>.<region>.<connection>.<schema>.<table>`, an unqualified table in `public`) and its
 * predicate columns. The gateway cannot ask BigQuery which engine a connection uses, so connections
 * are PostgreSQL only when configured so (LEDGERGATE_EXTERNAL_QUERY_POSTGRES); any other connection
 * — MySQL, or not listed — is `unknown`, as is a non-literal argument.
 */
import { coarseStatement, riskiestKind, statementKinds, type AnalysedStatement, type OutputColumn } from '../../../domain/analysis/types.js';
import type { AstNode } from '../polyglot-sdk.js';
import { hasPredicates, plainColumns, type PlainColumn } from './outer-projection.js';
import { readPostgres } from '../postgres/read-postgres.js';
import { postgresDefaultSchema } from '../postgres/postgres-analyser.js';

export interface ExternalQueryCall {
  readonly connection: string;
  readonly sql: string;
}

export interface ExternalQueryOptions {
  /** Connection ids (`project.region.connection`, case-insensitive) whose engine is PostgreSQL. */
  readonly postgresConnections: readonly string[];
}

const connectionId = /^[a-z0-9:_-]+\.[a-z0-9_-]+\.[a-z0-9_-]+$/i;

/** The connection and SQL when both arguments are string literals (the only form the gateway reads). */
export function externalQueryCall(args: readonly { readonly literal?: string }[]): ExternalQueryCall | undefined {
  if (args.length !== 2) return undefined;
  const [connection, sql] = args.map((arg) => arg.literal);
  if (connection === undefined || sql === undefined) return undefined;
  return { connection, sql };
}

/** The statements the external SQL stands for. */
export function readExternalQuery(call: ExternalQueryCall, options: ExternalQueryOptions): AnalysedStatement[] {
  const connection = call.connection.toLowerCase();
  const postgres = connectionId.test(connection) && options.postgresConnections.some((known) => known.toLowerCase() === connection);
  // SQL in a language the gateway does not read: as opaque as dynamic SQL.
  if (!postgres) return [coarseStatement('unknown', [], { unparsed: true, dynamicSql: true, lineageIncomplete: true })];
  return readPostgres(call.sql, {
    qualify: (schema, table) => `${connection}.${schema ?? postgresDefaultSchema}.${table}`,
    // The Cloud SQL catalog is not known to the gateway: `*` over it leaves lineage incomplete.
    columnsOf: () => undefined,
  });
}

/**
 * The outer statement with its external queries (one list of statements per call) joined in: their
 * kinds, tables and predicate columns. The outer columns come out of a string polyglot cannot follow:
 * - for a plain projection of one external query whose own lineage is complete (`SELECT a, b AS c, *
 *   FROM EXTERNAL_QUERY(…)`), each output takes the lineage of the external column it is;
 * - otherwise lineage is incomplete, so each result column gets the strictest rule of every table read.
 * When the outer statement filters, joins, groups, orders or windows, it may do so on any external
 * column: all of them count as predicate columns, and when they are not known the request is unknown.
 */
export function joinExternalQueries(outer: AnalysedStatement, calls: readonly (readonly AnalysedStatement[])[], outerNode?: AstNode): AnalysedStatement {
  if (calls.length === 0) return outer;
  const inner = calls.flat();
  const innerComplete = inner.every((statement) => !statement.flags.lineageIncomplete && !statement.flags.unparsed);
  const innerOutputs = inner.flatMap((statement) => statement.outputColumns);
  const predicates = outerNode === undefined || hasPredicates(outerNode);
  const kindSet = new Set([...outer.kinds, ...inner.flatMap((statement) => statement.kinds)]);
  if (predicates && !innerComplete) kindSet.add('unknown');
  const kinds = statementKinds.filter((kind) => kindSet.has(kind));
  const union = (pick: (statement: AnalysedStatement) => readonly string[]): string[] =>
    [...new Set([...pick(outer), ...inner.flatMap(pick)])].sort();
  const probed = predicates ? innerOutputs.flatMap((output) => output.lineage) : [];
  const traced = calls.length === 1 && inner.length === 1 && innerComplete ? traceOutputs(plainColumns(outerNode), innerOutputs) : undefined;
  return {
    ...outer,
    kind: riskiestKind(kinds),
    kinds,
    tables: union((statement) => statement.tables),
    writtenTables: union((statement) => statement.writtenTables),
    outputColumns: traced ?? outer.outputColumns,
    filterColumns: [...outer.filterColumns, ...inner.flatMap((statement) => statement.filterColumns), ...probed],
    joinColumns: [...outer.joinColumns, ...inner.flatMap((statement) => statement.joinColumns)],
    groupColumns: [...outer.groupColumns, ...inner.flatMap((statement) => statement.groupColumns)],
    orderColumns: [...outer.orderColumns, ...inner.flatMap((statement) => statement.orderColumns)],
    flags: {
      scripting: outer.flags.scripting || inner.some((statement) => statement.flags.scripting),
      dynamicSql: outer.flags.dynamicSql || inner.some((statement) => statement.flags.dynamicSql),
      unparsed: outer.flags.unparsed || inner.some((statement) => statement.flags.unparsed),
      lineageIncomplete: traced === undefined,
    },
  };
}

/** Each outer column as the external column it names; undefined when one cannot be told for sure. */
function traceOutputs(columns: readonly PlainColumn[] | undefined, inner: readonly OutputColumn[]): OutputColumn[] | undefined {
  if (!columns) return undefined;
  const traced: OutputColumn[] = [];
  for (const column of columns) {
    if (column.source === '*') {
      traced.push(...inner);
      continue;
    }
    const named = inner.filter((output) => output.name.toLowerCase() === column.source.toLowerCase());
    if (named.length !== 1) return undefined;
    traced.push({ ...(named[0] as OutputColumn), name: column.name });
  }
  return traced;
}
