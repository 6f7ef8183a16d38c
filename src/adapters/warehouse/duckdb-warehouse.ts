/**
 * The embedded warehouse: a DuckDB file read as BigQuery data (schemas are datasets). Agents' GoogleSQL
 * is transpiled; each job id runs at most once, even across crashes, because the job ledger lives in
 * the same file and a write commits in one transaction with its ledger row.
 */
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { DuckDBInstance, StatementType, type DuckDBConnection } from '@duckdb/node-api';
import { LedgergateError } from '../../domain/errors.js';
import type { ExecuteRequest, JobState, QueryResult, TableRef, TableSchema, Warehouse } from '../../domain/ports.js';
import { isInterrupt, scrubDuckDbMessage, toLedgergateError } from './duckdb-errors.js';
import {
  ensureLedger,
  failOrphanedJobs,
  findJob,
  finishJob,
  insertJob,
  jobStateOf,
  type JobRecord,
  type StatementKind,
} from './duckdb-job-ledger.js';
import { createDuckDbConnectionPool } from './duckdb-connection-pool.js';
import { readLimited } from './duckdb-result-reader.js';
import { columnSchema } from './duckdb-values.js';
import type { TranspiledSql } from './googlesql-to-duckdb.js';
import { hiddenSchemas, qualifiedRef, quoteIdentifier } from './table-names.js';

export interface DuckDbWarehouseOptions {
  readonly file: string;
  readonly projectId: string;
  /** Opens the file shared and read-only; jobs are then remembered in memory only, and writes fail. */
  readonly readOnly?: boolean;
  /** Injected for tests; defaults to the system clock. */
  readonly now?: () => Date;
  /**
   * GoogleSQL → DuckDB (`googleSqlToDuckDb`'s contract). The gateway passes its analysis workers', so
   * the parser is not loaded on the event loop; by default it is loaded here, in process.
   */
  readonly transpiler?: (sql: string, projectId: string) => Promise<TranspiledSql>;
}

/** The parser in this thread, loaded only when no transpiler is given. */
async function inProcessTranspiler(): Promise<(sql: string, projectId: string) => Promise<TranspiledSql>> {
  const { ensureTranspilerReady, googleSqlToDuckDb } = await import('./googlesql-to-duckdb.js');
  await ensureTranspilerReady();
  return async (sql, projectId) => googleSqlToDuckDb(sql, projectId);
}

const kinds: Partial<Record<StatementType, StatementKind>> = {
  [StatementType.SELECT]: 'select',
  [StatementType.INSERT]: 'insert',
  [StatementType.UPDATE]: 'update',
  [StatementType.DELETE]: 'delete',
  [StatementType.MERGE_INTO]: 'merge',
  [StatementType.CREATE]: 'create',
  [StatementType.ALTER]: 'alter',
  [StatementType.DROP]: 'drop',
};
const ddlKinds: ReadonlySet<StatementKind> = new Set(['create', 'alter', 'drop']);
const keptResults = 32;

async function openInstance(options: DuckDbWarehouseOptions): Promise<DuckDBInstance> {
  if (!existsSync(options.file)) {
    throw new LedgergateError('invalid_config', `Warehouse file ${options.file} does not exist`);
  }
  try {
    return await DuckDBInstance.create(options.file, {
      access_mode: options.readOnly ? 'READ_ONLY' : 'READ_WRITE',
      // Agent SQL must reach nothing but the file's tables: no files, URLs, extensions or attachments.
      enable_external_access: 'false',
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const reason = /lock/i.test(message) ? 'it is open read-write in another process' : scrubDuckDbMessage(message);
    throw new LedgergateError('invalid_config', `Cannot open warehouse file ${options.file}: ${reason}`);
  }
}

async function catalogFingerprint(connection: DuckDBConnection): Promise<string> {
  const reader = await connection.runAndReadAll(
    `SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns
      ORDER BY ALL`,
  );
  return createHash('sha256').update(JSON.stringify(reader.getRowsJson())).digest('hex').slice(0, 16);
}

export async function openDuckDbWarehouse(options: DuckDbWarehouseOptions): Promise<Warehouse> {
  const transpiler = options.transpiler ?? (await inProcessTranspiler());
  const now = options.now ?? (() => new Date());
  const instance = await openInstance(options);
  const main = await instance.connect();
  await main.run("SET TimeZone = 'UTC'");
  const memoryLedger = new Map<string, JobRecord>();
  if (!options.readOnly) {
    await ensureLedger(main);
    await failOrphanedJobs(main, now());
  }
  const fingerprint = await catalogFingerprint(main);
  let ddlCount = 0;
  let closed = false;
  const connections = createDuckDbConnectionPool(instance);
  const running = new Map<string, { connection: DuckDBConnection; cancelled: boolean; timedOut: boolean }>();
  const inFlight = new Map<string, Promise<QueryResult>>();
  const results = new Map<string, QueryResult>();

  // One statement at a time on the shared connection (catalog queries, ledger reads and failures).
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  // Reads are kept in memory only: re-running a read after a crash changes nothing, and a durable row
  // per read would cost two disk syncs on every query. Writes keep their durable ledger row.
  const inMemory = (kind: StatementKind | null): boolean => options.readOnly === true || kind === 'select' || kind === null;
  const keepInMemory = (record: JobRecord): void => {
    memoryLedger.delete(record.jobId);
    memoryLedger.set(record.jobId, record);
    if (memoryLedger.size > 10_000) memoryLedger.delete(memoryLedger.keys().next().value as string);
  };
  const ledger = {
    find: async (jobId: string): Promise<JobRecord | undefined> =>
      memoryLedger.get(jobId) ?? (options.readOnly ? undefined : await serial(() => findJob(main, jobId))),
    insert: async (connection: DuckDBConnection, record: JobRecord) => {
      if (inMemory(record.statementKind)) keepInMemory(record);
      else await insertJob(connection, record, now());
    },
    finish: async (connection: DuckDBConnection, record: JobRecord) => {
      if (inMemory(record.statementKind)) keepInMemory(record);
      else await finishJob(connection, record.jobId, record, now());
    },
    /** Failures are recorded after any rollback, so they never depend on the failed transaction. */
    recordFailure: async (jobId: string, kind: StatementKind | null, error: LedgergateError) => {
      const record: JobRecord = { jobId, state: 'failed', statementKind: kind, affectedRows: null, errorCode: error.code, errorMessage: error.message };
      if (inMemory(kind)) return void keepInMemory(record);
      await serial(async () => {
        const existing = await findJob(main, jobId);
        if (existing) await finishJob(main, jobId, record, now());
        else await insertJob(main, record, now());
      }).catch(() => undefined); // the original error matters more than a failed bookkeeping write
    },
  };

  const assertOpen = (): void => {
    if (closed) throw new LedgergateError('warehouse_unavailable', 'The DuckDB warehouse is closed');
  };

  const remember = (result: QueryResult): void => {
    results.delete(result.jobId);
    results.set(result.jobId, result);
    if (results.size > keptResults) results.delete(results.keys().next().value as string);
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

  /** A job id that already ran answers with what it did, never by running again. */
  const outcomeOf = (record: JobRecord, request: Pick<ExecuteRequest, 'maxRows' | 'maxResultBytes'>): QueryResult => {
    if (record.state === 'failed') {
      throw new LedgergateError('query_failed', `Job ${record.jobId} already ran and failed: ${record.errorMessage ?? ''}`, {
        jobId: record.jobId,
        originalCode: record.errorCode,
      });
    }
    if (record.state === 'running') {
      throw new LedgergateError('revision_conflict', `Job ${record.jobId} is still running`, { jobId: record.jobId });
    }
    if (record.statementKind !== 'select') {
      const affectedRows = record.affectedRows ?? 0;
      return { jobId: record.jobId, columns: [], rows: [], totalRows: 0, truncated: false, bytesProcessed: 0, affectedRows };
    }
    const kept = results.get(record.jobId);
    if (kept) return limitResult(kept, request.maxRows, request.maxResultBytes);
    throw new LedgergateError('not_found', `Results of job ${record.jobId} are no longer available`, { jobId: record.jobId });
  };

  async function run(request: ExecuteRequest): Promise<QueryResult> {
    // The durable ledger holds writes only, and asking it is a DuckDB query serialised on the shared
    // connection (~4 ms of every query, and a queue under load): it is asked once the statement is
    // known to be a write, or when the statement cannot be prepared (it may have run before it could not).
    const remembered = memoryLedger.get(request.jobId);
    if (remembered) return outcomeOf(remembered, request);
    let kind: StatementKind | null = null;
    const connection = await connections.acquire();
    const job = { connection, cancelled: false, timedOut: false };
    running.set(request.jobId, job);
    const deadline = Date.now() + request.timeoutMs;
    // An interrupt that lands between statements is lost, so it repeats until the job ends.
    let repeat: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      job.timedOut = true;
      connection.interrupt();
      repeat = setInterval(() => connection.interrupt(), 50);
    }, request.timeoutMs);
    const checkDeadline = (): void => {
      if (job.timedOut || job.cancelled) throw new Error('INTERRUPT Error: stopped before the next step');
    };
    let inTransaction = false;
    let failed = false;
    try {
      const { statements } = await transpile(request.sql);
      if (statements.length !== 1) {
        throw new LedgergateError('query_invalid', 'The embedded warehouse runs one statement per job');
      }
      const prepared = await connection.prepare(statements[0]);
      checkDeadline();
      kind = kinds[prepared.statementType] ?? null;
      if (kind === null) throw new LedgergateError('query_invalid', 'This kind of statement is not supported by the embedded warehouse');
      if (!inMemory(kind)) {
        const prior = await ledger.find(request.jobId);
        if (prior) return outcomeOf(prior, request);
      }
      const base: JobRecord = { jobId: request.jobId, state: 'running', statementKind: kind, affectedRows: null, errorCode: null, errorMessage: null };
      if (kind === 'select') {
        await ledger.insert(connection, base);
        checkDeadline();
        const read = await readLimited(await prepared.stream(), {
          maxRows: request.maxRows,
          maxResultBytes: request.maxResultBytes,
          stopCounting: () => job.timedOut || Date.now() >= deadline,
        });
        const result: QueryResult = {
          jobId: request.jobId,
          columns: read.columns,
          rows: read.rows,
          totalRows: read.totalRows,
          truncated: read.truncated,
          bytesProcessed: 0,
          executed: { dialect: 'duckdb', sql: statements[0] as string },
        };
        await ledger.finish(connection, { ...base, state: 'done' });
        remember(result);
        return result;
      }
      if (options.readOnly) throw new LedgergateError('query_invalid', 'The warehouse is open read-only');
      await connection.run('BEGIN TRANSACTION');
      inTransaction = true;
      await ledger.insert(connection, { ...base, state: 'done' });
      checkDeadline();
      const affectedRows = (await prepared.run()).rowsChanged;
      await ledger.finish(connection, { ...base, state: 'done', affectedRows });
      await connection.run('COMMIT');
      inTransaction = false;
      if (ddlKinds.has(kind)) ddlCount += 1;
      return { jobId: request.jobId, columns: [], rows: [], totalRows: 0, truncated: false, bytesProcessed: 0, affectedRows };
    } catch (error) {
      failed = true;
      if (inTransaction) await connection.run('ROLLBACK').catch(() => undefined);
      const message = error instanceof Error ? error.message : '';
      const failure =
        job.timedOut && (isInterrupt(message) || Date.now() >= deadline)
          ? new LedgergateError('warehouse_timeout', `Job ${request.jobId} exceeded ${request.timeoutMs} ms and was interrupted`)
          : job.cancelled
            ? new LedgergateError('query_failed', `Job ${request.jobId} was cancelled`)
            : toLedgergateError(error);
      if (kind === null) {
        const prior = await ledger.find(request.jobId).catch(() => undefined);
        if (prior) return outcomeOf(prior, request);
      }
      await ledger.recordFailure(request.jobId, kind, failure);
      throw failure;
    } finally {
      clearTimeout(timer);
      clearInterval(repeat);
      running.delete(request.jobId);
      connections.release(connection, !failed && !job.timedOut && !job.cancelled);
    }
  }

  // Transpiling through polyglot costs milliseconds; agents repeat queries, so results are kept per SQL text.
  const transpiled = new Map<string, TranspiledSql>();
  const transpile = async (sql: string): Promise<TranspiledSql> => {
    const cached = transpiled.get(sql);
    if (cached) return cached;
    const result = await transpiler(sql, options.projectId);
    if (transpiled.size >= 500) transpiled.delete(transpiled.keys().next().value as string);
    transpiled.set(sql, result);
    return result;
  };

  const catalogVersion = (): string => `duckdb:${fingerprint}:${ddlCount}`;
  const tableCache = new Map<string, Promise<TableSchema | undefined>>();

  return {
    kind: 'duckdb',
    projectId: options.projectId,

    execute(request) {
      assertOpen();
      // The same job id twice at once in this process: both callers share the one run.
      const existing = inFlight.get(request.jobId);
      if (existing) return existing.then((result) => limitResult(result, request.maxRows, request.maxResultBytes));
      const promise = run(request).finally(() => inFlight.delete(request.jobId));
      inFlight.set(request.jobId, promise);
      return promise;
    },

    async getJob(jobId): Promise<JobState> {
      assertOpen();
      if (running.has(jobId)) return { state: 'running' };
      return jobStateOf(await ledger.find(jobId));
    },

    async getResults(jobId, maxRows, maxResultBytes) {
      assertOpen();
      const record = await ledger.find(jobId);
      if (!record) throw new LedgergateError('not_found', `Job ${jobId} is unknown`, { jobId });
      return outcomeOf(record, { maxRows, maxResultBytes });
    },

    async cancel(jobId) {
      const job = running.get(jobId);
      if (!job) return;
      job.cancelled = true;
      job.connection.interrupt();
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const job of running.values()) job.connection.interrupt();
      await Promise.allSettled([...inFlight.values()]);
      await queue;
      connections.closeAll();
      main.closeSync();
      instance.closeSync();
    },

    // ------------------------------------------------------------ catalog

    version: catalogVersion,

    listDatasets: () =>
      serial(async () => {
        assertOpen();
        const reader = await main.runAndReadAll(
          `SELECT s.schema_name, count(t.table_name) AS tables FROM information_schema.schemata s
            LEFT JOIN information_schema.tables t ON t.table_schema = s.schema_name AND t.table_catalog = s.catalog_name
            WHERE s.catalog_name = current_database() GROUP BY s.schema_name ORDER BY s.schema_name`,
        );
        return reader
          .getRowsJS()
          .filter(([name, count]) => !hiddenSchemas.has(String(name).toLowerCase()) && !(name === 'main' && Number(count) === 0))
          .map(([name]) => String(name));
      }),

    listTables: (dataset) =>
      serial(async () => {
        assertOpen();
        if (hiddenSchemas.has(dataset.toLowerCase())) return [];
        const reader = await main.runAndReadAll(
          `SELECT table_schema, table_name FROM information_schema.tables
            WHERE table_catalog = current_database() AND lower(table_schema) = lower($1) ORDER BY table_name`,
          [dataset],
        );
        return reader.getRowsJS().map(([schema, name]) => qualifiedRef(options.projectId, String(schema), String(name)));
      }),

    getTable: (table: TableRef): Promise<TableSchema | undefined> => {
      // Schemas change only through DDL run here (which bumps the version), so lookups are cached per version.
      const key = `${catalogVersion()}|${table.project}.${table.dataset}.${table.table}`.toLowerCase();
      const cached = tableCache.get(key);
      if (cached) return cached;
      const lookup = serial(async () => {
        assertOpen();
        if (table.project.toLowerCase() !== options.projectId.toLowerCase()) return undefined;
        if (hiddenSchemas.has(table.dataset.toLowerCase())) return undefined;
        const found = await main.runAndReadAll(
          `SELECT t.table_schema, t.table_name, d.estimated_size, d.column_count FROM information_schema.tables t
            LEFT JOIN duckdb_tables() d ON d.schema_name = t.table_schema AND d.table_name = t.table_name AND d.database_name = t.table_catalog
            WHERE t.table_catalog = current_database() AND lower(t.table_schema) = lower($1) AND lower(t.table_name) = lower($2)`,
          [table.dataset, table.table],
        );
        const row = found.getRowsJS()[0];
        if (!row) return undefined;
        const [schema, name] = [String(row[0]), String(row[1])];
        const prepared = await main.prepare(`SELECT * FROM ${quoteIdentifier(schema)}.${quoteIdentifier(name)} LIMIT 0`);
        const columns = Array.from({ length: prepared.columnCount }, (_, i) =>
          columnSchema(prepared.columnName(i), prepared.columnType(i)),
        );
        // DuckDB keeps no byte counts; rows × columns × a generous 32 bytes bounds what a full scan reads.
        const estimatedRows = row[2] === null || row[2] === undefined ? undefined : Number(row[2]);
        return {
          table: qualifiedRef(options.projectId, schema, name),
          columns,
          ...(estimatedRows !== undefined ? { numBytes: estimatedRows * Math.max(columns.length, 1) * 32 } : {}),
        };
      });
      if (tableCache.size > 1000) tableCache.clear();
      tableCache.set(key, lookup);
      lookup.catch(() => tableCache.delete(key));
      return lookup;
    },
  };
}
