/**
 * BigQuery's EXTERNAL_QUERY('project.region.connection', '<SQL>') runs its second argument in Cloud
 * SQL. When that argument is a literal and the connection is known to be PostgreSQL, the SQL is read
 * with the PostgreSQL reader and joins the outer statement: its kinds, its tables (named
 * `<project>.<region>.<connection>.<schema>.<table>`, an unqualified table in `public`) and its
 * predicate columns. The gateway cannot ask BigQuery which engine a connection uses, so connections
 * are PostgreSQL only when configured so (LEDGERGATE_EXTERNAL_QUERY_POSTGRES); any other connection
 * — MySQL, or not listed — is `unknown`, as is a non-literal argument.
 */
import { coarseStatement, riskiestKind, statementKinds, type AnalysedStatement } from '../../../domain/analysis/types.js';
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
  if (!postgres) return [coarseStatement('unknown', [], { unparsed: true, lineageIncomplete: true })];
  return readPostgres(call.sql, {
    qualify: (schema, table) => `${connection}.${schema ?? postgresDefaultSchema}.${table}`,
    // The Cloud SQL catalog is not known to the gateway: `*` over it leaves lineage incomplete.
    columnsOf: () => undefined,
  });
}

/**
 * The outer statement with its external queries joined in. The outer query's columns come out of a
 * string the BigQuery analyser cannot follow, so its lineage is incomplete: each result column gets
 * the strictest rule of every table read (inside and outside the external query).
 */
export function joinExternalQueries(outer: AnalysedStatement, inner: readonly AnalysedStatement[]): AnalysedStatement {
  if (inner.length === 0) return outer;
  const kindSet = new Set([...outer.kinds, ...inner.flatMap((statement) => statement.kinds)]);
  const kinds = statementKinds.filter((kind) => kindSet.has(kind));
  const union = (pick: (statement: AnalysedStatement) => readonly string[]): string[] =>
    [...new Set([...pick(outer), ...inner.flatMap(pick)])].sort();
  return {
    ...outer,
    kind: riskiestKind(kinds),
    kinds,
    tables: union((statement) => statement.tables),
    writtenTables: union((statement) => statement.writtenTables),
    filterColumns: [...outer.filterColumns, ...inner.flatMap((statement) => statement.filterColumns)],
    joinColumns: [...outer.joinColumns, ...inner.flatMap((statement) => statement.joinColumns)],
    groupColumns: [...outer.groupColumns, ...inner.flatMap((statement) => statement.groupColumns)],
    orderColumns: [...outer.orderColumns, ...inner.flatMap((statement) => statement.orderColumns)],
    flags: {
      scripting: outer.flags.scripting || inner.some((statement) => statement.flags.scripting),
      dynamicSql: outer.flags.dynamicSql || inner.some((statement) => statement.flags.dynamicSql),
      unparsed: outer.flags.unparsed || inner.some((statement) => statement.flags.unparsed),
      lineageIncomplete: true,
    },
  };
}
