/**
 * A test double of BigQuery federation over two real engines: the embedded DuckDB demo warehouse
 * stands for BigQuery, a PostgreSQL warehouse (PGlite) for the Cloud SQL database behind a connection.
 * What it models (BigQuery docs, "Introduction to federated queries"): EXTERNAL_QUERY sends its second
 * argument, in the external database's own dialect, to the database the connection names, and returns
 * the rows as a table in GoogleSQL types. It is stricter than BigQuery: it serves only the whole
 * statement `SELECT * FROM EXTERNAL_QUERY('<connection>', '<sql>')`, and any other use of
 * EXTERNAL_QUERY, or an unknown connection, fails as query_invalid. The external SQL runs through the
 * PostgreSQL adapter, so a read there is in a READ ONLY transaction.
 */
import { LedgergateError } from '../../src/domain/errors.js';
import type { JobState, QueryResult, Warehouse } from '../../src/domain/ports.js';

const whole = /^\s*SELECT\s+\*\s+FROM\s+EXTERNAL_QUERY\s*\(\s*'([^'\\]+)'\s*,\s*'((?:[^'\\]|\\.)*)'\s*\)\s*;?\s*$/is;

export function federatingWarehouse(bigQuery: Warehouse, connections: Readonly<Record<string, Warehouse>>): Warehouse {
  const external = (sql: string): { target: Warehouse; sql: string } | undefined => {
    if (!/external_query/i.test(sql)) return undefined;
    const match = whole.exec(sql);
    const target = match ? connections[(match[1] as string).toLowerCase()] : undefined;
    if (!match || !target) throw new LedgergateError('query_invalid', 'This EXTERNAL_QUERY form or connection is not served by the federation double');
    return { target, sql: (match[2] as string).replace(/\\(.)/g, '$1') };
  };
  const owners = new Map<string, Warehouse>();
  const ownerOf = (jobId: string): Warehouse => owners.get(jobId) ?? bigQuery;
  return {
    ...bigQuery,
    kind: bigQuery.kind,
    projectId: bigQuery.projectId,
    async execute(request): Promise<QueryResult> {
      const routed = external(request.sql);
      const target = routed?.target ?? bigQuery;
      owners.set(request.jobId, target);
      return target.execute({ ...request, sql: routed?.sql ?? request.sql });
    },
    getJob: (jobId): Promise<JobState> => ownerOf(jobId).getJob(jobId),
    getResults: (jobId, maxRows, maxResultBytes) => ownerOf(jobId).getResults(jobId, maxRows, maxResultBytes),
    cancel: (jobId) => ownerOf(jobId).cancel(jobId),
    async close() {
      await bigQuery.close();
      for (const connection of Object.values(connections)) await connection.close();
    },
    getTable: (table) => bigQuery.getTable(table),
    listDatasets: () => bigQuery.listDatasets(),
    listTables: (dataset) => bigQuery.listTables(dataset),
    version: () => bigQuery.version(),
  };
}
