/**
 * A PostgreSQL target (Cloud SQL, AlloyDB, any PostgreSQL) behind the Warehouse port. Schemas are
 * datasets, the gateway's project id names the database. Agent SQL is PostgreSQL and always runs as
 * exactly one statement (the extended protocol refuses more). Reads run in a READ ONLY transaction
 * through a cursor, so only the rows kept are fetched and the rest are only counted. A write commits
 * together with its row in `_ledgergate.jobs`, so a job id writes at most once, across crashes too.
 */
import pg from 'pg';
import type { PoolClient, QueryConfig } from 'pg';
import { LedgergateError } from '../../domain/errors.js';
import type { CellValue, ColumnSchema, DryRunResult, ExecuteRequest, JobState, QueryResult, TableRef, TableSchema, Warehouse } from '../../domain/ports.js';
import { riskiestKind, type StatementKind } from '../../domain/analysis/types.js';
import { readPostgres } from '../analysis/postgres/read-postgres.js';
import { toLedgergateError } from './postgres-errors.js';
import { ensureLedger, findJob, insertJob, jobStateOf, ledgerSchema, recordFailedJob, setAffectedRows, type PostgresJobRecord } from './postgres-job-ledger.js';
import { cellOf, columnOfDataType, columnOfUdt } from './postgres-values.js';
import { explainEstimate } from './postgres-explain.js';
import { interruptUntilEnded, throwIfStopped, type RunningJob } from './postgres-cancel.js';

export interface PostgresWarehouseOptions {
  /** postgres://user:password@host:port/database; anything missing comes from the PG* environment. */
  readonly connectionString: string;
  readonly projectId: string;
  /** Connections kept open. PGlite serves one session, so its tests use 1. */
  readonly poolSize?: number;
  readonly now?: () => Date;
}

const hiddenSchemas = new Set(['information_schema', 'pg_catalog', 'pg_toast', ledgerSchema]);
const keptResults = 32;
// Every value is read as PostgreSQL's text and converted by its column's type (postgres-values.ts).
const textOnly = { getTypeParser: () => (value: string) => value } as unknown as QueryConfig['types'];

export async function openPostgresWarehouse(options: PostgresWarehouseOptions): Promise<Warehouse> {
  const now = options.now ?? (() => new Date());
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? 5, types: textOnly });
  // The search path is pinned: the analyser names an unqualified table `public.<table>`.
  pool.on('connect', (client) => void client.query("SET search_path TO public; SET TimeZone TO 'UTC'").catch(() => undefined));
  pool.on('error', () => undefined); // an idle connection dropped by the server; the next checkout reconnects
  const withClient = async <T>(work: (client: PoolClient) => Promise<T>): Promise<T> => {
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw toLedgergateError(error);
    }
    try {
      return await work(client);
    } finally {
      client.release();
    }
  };
  await withClient(ensureLedger).catch(async (error: unknown) => {
    await pool.end().catch(() => undefined);
    throw new LedgergateError('invalid_config', `LEDGERGATE_WAREHOUSE: cannot prepare the PostgreSQL target: ${toLedgergateError(error).message}`, {
      setting: 'LEDGERGATE_WAREHOUSE',
    });
  });

  let ddlCount = 0;
  let closed = false;
  const running = new Map<string, RunningJob>();
  const inFlight = new Map<string, Promise<QueryResult>>();
  const results = new Map<string, QueryResult>();
  const readJobs = new Map<string, PostgresJobRecord>();

  const assertOpen = (): void => {
    if (closed) throw new LedgergateError('warehouse_unavailable', 'The PostgreSQL warehouse is closed');
  };
  const keep = <V>(map: Map<string, V>, key: string, value: V, limit: number): void => {
    map.delete(key);
    map.set(key, value);
    if (map.size > limit) map.delete(map.keys().next().value as string);
  };
  const limitResult = (result: QueryResult, maxRows: number, maxResultBytes: number): QueryResult => {
    const rows: QueryResult['rows'][number][] = [];
    let bytes = 2;
    for (const row of result.rows) {
      const size = Buffer.byteLength(JSON.stringify(row)) + 1;
      if (rows.length >= maxRows || bytes + size > maxResultBytes) break;
      rows.push(row);
      bytes += size;
    }
    return { ...result, rows, truncated: result.truncated || rows.length < result.rows.length };
  };
  const findRecord = async (jobId: string): Promise<PostgresJobRecord | undefined> =>
    readJobs.get(jobId) ?? (await withClient((client) => findJob(client, jobId)));

  const outcomeOf = (record: PostgresJobRecord, maxRows: number, maxResultBytes: number): QueryResult => {
    if (record.state === 'failed') {
      throw new LedgergateError('query_failed', `Job ${record.jobId} already ran and failed: ${record.errorMessage ?? ''}`, {
        jobId: record.jobId,
        originalCode: record.errorCode,
      });
    }
    if (record.statementKind !== 'select') {
      return { jobId: record.jobId, columns: [], rows: [], totalRows: 0, truncated: false, bytesProcessed: 0, affectedRows: record.affectedRows ?? 0 };
    }
    const kept = results.get(record.jobId);
    if (kept) return limitResult(kept, maxRows, maxResultBytes);
    throw new LedgergateError('not_found', `Results of job ${record.jobId} are no longer available`, { jobId: record.jobId });
  };

  /** Reads: one cursor in a READ ONLY transaction; rows past maxRows or maxResultBytes are counted, not fetched. */
  async function runRead(client: PoolClient, request: ExecuteRequest, job: RunningJob): Promise<QueryResult> {
    await client.query('BEGIN TRANSACTION READ ONLY');
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(request.timeoutMs))}`);
    await client.query({ text: `DECLARE ledgergate_job NO SCROLL CURSOR FOR ${request.sql}`, queryMode: 'extended' } as QueryConfig);
    throwIfStopped(job);
    const fetched = await client.query({ text: `FETCH FORWARD ${request.maxRows + 1} FROM ledgergate_job`, rowMode: 'array' });
    const columns = await describeColumns(client, fetched.fields);
    // Positional cells (cell i under columns[i]): a repeated output name cannot overwrite a value.
    const rows: CellValue[][] = [];
    let bytes = 2;
    let truncated = false;
    for (const values of fetched.rows as (string | null)[][]) {
      const row = columns.map((column, i) => cellOf(values[i] ?? null, column));
      const size = Buffer.byteLength(JSON.stringify(row)) + 1;
      if (rows.length >= request.maxRows || bytes + size > request.maxResultBytes) {
        truncated = true;
        break;
      }
      rows.push(row);
      bytes += size;
    }
    throwIfStopped(job);
    const rest = await client.query('MOVE FORWARD ALL IN ledgergate_job');
    await client.query('COMMIT');
    const totalRows = fetched.rows.length + (rest.rowCount ?? 0);
    return { jobId: request.jobId, columns, rows, totalRows, truncated: truncated || totalRows > rows.length, bytesProcessed: 0 };
  }

  /** Writes: the ledger row first, then the statement, one transaction. */
  async function runWrite(client: PoolClient, request: ExecuteRequest, kind: string, job: RunningJob): Promise<QueryResult> {
    await client.query('BEGIN');
    await insertJob(client, { jobId: request.jobId, state: 'done', statementKind: kind, affectedRows: null, errorCode: null, errorMessage: null }, now());
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(request.timeoutMs))}`);
    throwIfStopped(job);
    const result = await client.query({ text: request.sql, queryMode: 'extended' } as QueryConfig);
    const affectedRows = result.rowCount ?? 0;
    await setAffectedRows(client, request.jobId, affectedRows);
    throwIfStopped(job);
    await client.query('COMMIT');
    if (['create', 'alter', 'drop'].includes(kind)) ddlCount += 1;
    return { jobId: request.jobId, columns: [], rows: [], totalRows: 0, truncated: false, bytesProcessed: 0, affectedRows };
  }

  async function run(request: ExecuteRequest): Promise<QueryResult> {
    const prior = await findRecord(request.jobId);
    if (prior) return outcomeOf(prior, request.maxRows, request.maxResultBytes);
    const kind = writeKindOf(request.sql);
    const job: RunningJob = { cancelled: false, timedOut: false, ended: false };
    running.set(request.jobId, job);
    // statement_timeout stops the statement on the server; this timer is the backstop between steps.
    const timer = setTimeout(() => {
      job.timedOut = true;
      void interruptUntilEnded(job, options.connectionString);
    }, request.timeoutMs);
    return withClient(async (client) => {
      try {
        job.pid = Number((await client.query<{ pid: string }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid);
        throwIfStopped(job);
        if (kind === 'select') {
          const result = await runRead(client, request, job);
          keep(readJobs, request.jobId, { jobId: request.jobId, state: 'done', statementKind: 'select', affectedRows: null, errorCode: null, errorMessage: null }, 10_000);
          keep(results, request.jobId, result, keptResults);
          return result;
        }
        return await runWrite(client, request, kind, job);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        if ((error as { code?: string }).code === '23505' && kind !== 'select') {
          // Another run of this job id committed first: answer with what it did.
          const winner = await findJob(client, request.jobId);
          if (winner) return outcomeOf(winner, request.maxRows, request.maxResultBytes);
        }
        const code = (error as { code?: string }).code;
        const failure =
          code === '57014' && job.timedOut
            ? new LedgergateError('warehouse_timeout', `Job ${request.jobId} exceeded ${request.timeoutMs} ms and was cancelled`)
            : code === '57014'
              ? new LedgergateError('query_failed', `Job ${request.jobId} was cancelled`)
              : toLedgergateError(error);
        const record: PostgresJobRecord = { jobId: request.jobId, state: 'failed', statementKind: kind, affectedRows: null, errorCode: failure.code, errorMessage: failure.message };
        if (kind === 'select') keep(readJobs, request.jobId, record, 10_000);
        else await recordFailedJob(client, record, now()).catch(() => undefined);
        throw failure;
      }
    }).finally(() => {
      job.ended = true;
      clearTimeout(timer);
      running.delete(request.jobId);
    });
  }

  const catalogVersion = (): string => `postgres:${ddlCount}`;
  const tableCache = new Map<string, Promise<TableSchema | undefined>>();

  return {
    kind: 'postgres',
    projectId: options.projectId,

    execute(request) {
      assertOpen();
      const existing = inFlight.get(request.jobId);
      if (existing) return existing.then((result) => limitResult(result, request.maxRows, request.maxResultBytes));
      const promise = run(request).finally(() => inFlight.delete(request.jobId));
      inFlight.set(request.jobId, promise);
      return promise;
    },

    async getJob(jobId): Promise<JobState> {
      assertOpen();
      if (running.has(jobId)) return { state: 'running' };
      return jobStateOf(await findRecord(jobId));
    },

    async getResults(jobId, maxRows, maxResultBytes) {
      assertOpen();
      const record = await findRecord(jobId);
      if (!record) throw new LedgergateError('not_found', `Job ${jobId} is unknown`, { jobId });
      return outcomeOf(record, maxRows, maxResultBytes);
    },

    async cancel(jobId) {
      const job = running.get(jobId);
      if (!job) return;
      job.cancelled = true;
      await interruptUntilEnded(job, options.connectionString);
    },

    async dryRun(sql): Promise<DryRunResult> {
      assertOpen();
      return withClient(async (client) => {
        // EXPLAIN plans without running; READ ONLY and one statement make sure of it.
        await client.query('BEGIN TRANSACTION READ ONLY');
        try {
          const explained = await client.query({ text: `EXPLAIN (FORMAT JSON, VERBOSE) ${sql}`, queryMode: 'extended', rowMode: 'array' } as QueryConfig);
          const plan: unknown = JSON.parse(String((explained.rows[0] as unknown[])[0]));
          return explainEstimate(plan, options.projectId);
        } catch (error) {
          throw toLedgergateError(error);
        } finally {
          await client.query('ROLLBACK').catch(() => undefined);
        }
      });
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...inFlight.values()]);
      await pool.end();
    },

    // ------------------------------------------------------------ catalog

    version: catalogVersion,

    listDatasets: () =>
      withClient(async (client) => {
        assertOpen();
        const found = await client.query<{ schema_name: string; tables: string }>(
          `SELECT s.schema_name, count(t.table_name)::text AS tables FROM information_schema.schemata s
            LEFT JOIN information_schema.tables t ON t.table_schema = s.schema_name
            GROUP BY s.schema_name ORDER BY s.schema_name`,
        );
        return found.rows
          .filter((row) => !hiddenSchemas.has(row.schema_name) && !row.schema_name.startsWith('pg_') && !(row.schema_name === 'public' && row.tables === '0'))
          .map((row) => row.schema_name);
      }),

    listTables: (dataset) =>
      withClient(async (client) => {
        assertOpen();
        if (hiddenSchemas.has(dataset.toLowerCase())) return [];
        const found = await client.query<{ table_schema: string; table_name: string }>(
          'SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
          [dataset],
        );
        return found.rows.map((row): TableRef => ({ project: options.projectId, dataset: row.table_schema, table: row.table_name }));
      }),

    getTable(table: TableRef): Promise<TableSchema | undefined> {
      const key = `${catalogVersion()}|${table.project}.${table.dataset}.${table.table}`;
      const cached = tableCache.get(key);
      if (cached) return cached;
      const lookup = withClient(async (client): Promise<TableSchema | undefined> => {
        assertOpen();
        if (table.project.toLowerCase() !== options.projectId.toLowerCase() || hiddenSchemas.has(table.dataset.toLowerCase())) return undefined;
        const found = await client.query<{ column_name: string; data_type: string; udt_name: string }>(
          `SELECT column_name, data_type, udt_name FROM information_schema.columns
            WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
          [table.dataset, table.table],
        );
        if (found.rows.length === 0) return undefined;
        const size = await client.query<{ bytes: string | null }>('SELECT pg_total_relation_size(format($$%I.%I$$, $1::text, $2::text)::regclass)::text AS bytes', [
          table.dataset,
          table.table,
        ]);
        const bytes = size.rows[0]?.bytes;
        return {
          table: { project: options.projectId, dataset: table.dataset, table: table.table },
          columns: found.rows.map((row) => columnOfDataType(row.column_name, row.data_type, row.udt_name)),
          ...(bytes ? { numBytes: Number(bytes) } : {}),
        };
      });
      if (tableCache.size > 1000) tableCache.clear();
      tableCache.set(key, lookup);
      lookup.catch(() => tableCache.delete(key));
      return lookup;
    },
  };

  /** Result columns, typed by their type's name (one catalog query per distinct type oid). */
  async function describeColumns(client: PoolClient, fields: readonly { name: string; dataTypeID: number }[]): Promise<ColumnSchema[]> {
    const oids = [...new Set(fields.map((field) => field.dataTypeID))];
    const names = new Map<number, string>();
    if (oids.length > 0) {
      const found = await client.query<{ oid: string; typname: string }>('SELECT oid::text, typname FROM pg_type WHERE oid = ANY($1::oid[])', [oids]);
      for (const row of found.rows) names.set(Number(row.oid), row.typname);
    }
    return fields.map((field) => columnOfUdt(field.name, names.get(field.dataTypeID) ?? 'text'));
  }
}

/**
 * Which path a statement takes. A statement that changes data or schema is a write (its kind is kept in
 * the ledger). Everything else — reads, function calls, and what the reader could not classify — goes
 * the read path, whose READ ONLY transaction and cursor refuse anything that is not a query that
 * changes nothing; so a misreading can make a job fail, never write.
 */
function writeKindOf(sql: string): string {
  const statements = readPostgres(sql, { qualify: (schema, table) => `${schema ?? ''}.${table}`, columnsOf: () => undefined });
  const [statement] = statements;
  if (statements.length !== 1 || !statement || statement.flags.unparsed) return 'select';
  const writes = statement.kinds.filter((kind) => !readPathKinds.has(kind));
  return writes.length === 0 ? 'select' : riskiestKind(writes);
}

const readPathKinds: ReadonlySet<StatementKind> = new Set(['select', 'call', 'script', 'unknown']);
