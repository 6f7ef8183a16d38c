/**
 * The BigQuery warehouse: runs each request as a query job whose id is derived from the request id,
 * so a retry after a crash finds the job it already started (409 duplicate) instead of running the
 * query twice; reads results page by page within row and byte budgets; maps every failure to a
 * LedgergateError.
 */
import { BigQuery, type BigQueryOptions, type Job, type JobMetadata } from '@google-cloud/bigquery';
import type { Clock, DryRunResult, ExecuteRequest, JobState, QueryResult, TableRef, TableSchema, Warehouse } from '../../domain/ports.js';
import { CachedCatalog } from './bigquery-catalog.js';
import { fromJobError, isAlreadyExists, isNotFound, toLedgergateError, type BigQueryErrorProto } from './bigquery-errors.js';
import { sanitiseLabels } from './bigquery-labels.js';
import { readResults, withDeadline } from './bigquery-results.js';
import { columnsOf, type BigQueryFieldSchema } from './bigquery-types.js';

/** Anything that can authorise a request: a google-auth-library AuthClient or GoogleAuth, or a stub with getRequestHeaders. */
export interface RequestAuthoriser {
  getRequestHeaders(url?: string | URL): Promise<Headers | Record<string, string>>;
}

export interface BigQueryWarehouseOptions {
  readonly projectId: string;
  /** Where jobs run (US when absent). */
  readonly location?: string;
  /** Service-account key file; without it and without authClient, Application Default Credentials. */
  readonly keyFilename?: string;
  /** e.g. http://127.0.0.1:PORT for a local fake; the client appends /bigquery/v2. */
  readonly apiEndpoint?: string;
  /** Explicit credentials (tests always pass one, so nothing probes the metadata server). */
  readonly authClient?: RequestAuthoriser | NonNullable<BigQueryOptions['authClient']>;
  /** Default cap on bytes billed per job; ExecuteRequest.maximumBytesBilled overrides it. */
  readonly maximumBytesBilled?: number;
  readonly pricePerTiBUsd?: number;
  /** The client's own retries of 408/429/5xx and rate limits (default 3; 0 turns them off). */
  readonly retry?: { readonly maxRetries: number; readonly maxDelayMs?: number };
  /** Per HTTP request (default 60 s). */
  readonly requestTimeoutMs?: number;
  /** Rows per results page (default 1000). */
  readonly pageSize?: number;
  /** How long getResults waits for a job to finish (default 30 s). */
  readonly resultsTimeoutMs?: number;
  /** How long catalog answers are reused (default 5 min). */
  readonly catalogTtlMs?: number;
  readonly clock?: Clock;
}

export interface BigQueryDryRunResult extends DryRunResult {
  readonly estimatedCostUsd: number;
}

const MiB = 1024 * 1024;
const TiB = 1024 ** 4;

/** On-demand price of scanning `bytes`: BigQuery bills whole MiB, at least 10 MiB per query. */
export const estimateCostUsd = (bytes: number, pricePerTiBUsd = 6.25): number => {
  if (bytes <= 0) return 0;
  const billed = Math.max(10 * MiB, Math.ceil(bytes / MiB) * MiB);
  return (billed / TiB) * pricePerTiBUsd;
};

const retryOptionsOf = (retry: BigQueryWarehouseOptions['retry']): NonNullable<BigQueryOptions['retryOptions']> => {
  const maxRetries = retry?.maxRetries ?? 3;
  // The client reads maxRetries: 0 as "use the default of 3", so zero must switch retries off instead.
  if (maxRetries <= 0) return { autoRetry: false };
  return {
    autoRetry: true,
    maxRetries,
    retryDelayMultiplier: 2,
    maxRetryDelay: (retry?.maxDelayMs ?? 32_000) / 1000,
  };
};

const tableRefOf = (reference: { projectId?: string | null; datasetId?: string | null; tableId?: string | null }): TableRef => ({
  project: reference.projectId ?? '',
  dataset: reference.datasetId ?? '',
  table: reference.tableId ?? '',
});

export const openBigQueryWarehouse = async (options: BigQueryWarehouseOptions): Promise<Warehouse> => {
  const clientOptions: BigQueryOptions & { timeout?: number } = {
    projectId: options.projectId,
    ...(options.location ? { location: options.location } : {}),
    ...(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {}),
    ...(options.keyFilename ? { keyFilename: options.keyFilename } : {}),
    ...(options.authClient ? { authClient: options.authClient as NonNullable<BigQueryOptions['authClient']> } : {}),
    retryOptions: retryOptionsOf(options.retry),
    timeout: options.requestTimeoutMs ?? 60_000,
    userAgent: 'ledgergate',
  };
  return new BigQueryWarehouse(new BigQuery(clientOptions), options);
};

class BigQueryWarehouse implements Warehouse {
  readonly kind = 'bigquery' as const;
  readonly projectId: string;
  private readonly catalog: CachedCatalog;
  private readonly now: () => number;

  constructor(
    private readonly client: BigQuery,
    private readonly options: BigQueryWarehouseOptions,
  ) {
    this.projectId = options.projectId;
    this.now = options.clock ? () => options.clock!.now().getTime() : () => Date.now();
    this.catalog = new CachedCatalog(
      {
        fetchTable: (table) => this.fetchTable(table),
        fetchDatasets: () => this.fetchDatasets(),
        fetchTables: (dataset) => this.fetchTables(dataset),
      },
      options.catalogTtlMs ?? 5 * 60_000,
      this.now,
      `bigquery:${options.projectId}`,
    );
  }

  getTable(table: TableRef): Promise<TableSchema | undefined> {
    return this.catalog.getTable(table);
  }

  listDatasets(): Promise<string[]> {
    return this.catalog.listDatasets();
  }

  listTables(dataset: string): Promise<TableRef[]> {
    return this.catalog.listTables(dataset);
  }

  version(): string {
    return this.catalog.version();
  }

  async dryRun(sql: string): Promise<BigQueryDryRunResult> {
    try {
      const [, response] = await this.client.createQueryJob({
        query: sql,
        useLegacySql: false,
        dryRun: true,
        ...(this.options.location ? { location: this.options.location } : {}),
      });
      const stats = response?.statistics?.query;
      // A dry run that does not say how much it scans leaves the estimate unknown (NaN), never 0: bytesOver rules then fail closed.
      const reported = stats?.totalBytesProcessed ?? response?.statistics?.totalBytesProcessed;
      const bytes = reported === undefined || reported === null ? Number.NaN : Number(reported);
      return {
        statementType: stats?.statementType ?? 'UNKNOWN',
        referencedTables: (stats?.referencedTables ?? []).map(tableRefOf),
        totalBytesProcessed: bytes,
        ...(stats?.schema?.fields ? { schema: columnsOf(stats.schema.fields as BigQueryFieldSchema[]) } : {}),
        estimatedCostUsd: estimateCostUsd(bytes, this.options.pricePerTiBUsd),
      };
    } catch (error) {
      throw toLedgergateError(error);
    }
  }

  async execute(request: ExecuteRequest): Promise<QueryResult> {
    const deadline = Date.now() + request.timeoutMs;
    const job = await withDeadline(this.startOrFind(request), deadline, request.jobId);
    return readResults(job, {
      maxRows: request.maxRows,
      maxResultBytes: request.maxResultBytes,
      deadline,
      pageSize: this.options.pageSize ?? 1000,
    });
  }

  async getJob(jobId: string): Promise<JobState> {
    let metadata: JobMetadata;
    try {
      [metadata] = await this.job(jobId).getMetadata();
    } catch (error) {
      if (isNotFound(error)) return { state: 'unknown' };
      throw toLedgergateError(error, jobId);
    }
    const status = metadata.status;
    if (status?.state !== 'DONE') return { state: 'running' };
    if (status.errorResult) {
      const failure = fromJobError(status.errorResult as BigQueryErrorProto, jobId);
      return { state: 'failed', code: failure.code, message: failure.message };
    }
    return { state: 'done' };
  }

  getResults(jobId: string, maxRows: number, maxResultBytes: number): Promise<QueryResult> {
    return readResults(this.job(jobId), {
      maxRows,
      maxResultBytes,
      deadline: Date.now() + (this.options.resultsTimeoutMs ?? 30_000),
      pageSize: this.options.pageSize ?? 1000,
    });
  }

  async cancel(jobId: string): Promise<void> {
    try {
      await this.job(jobId).cancel();
    } catch (error) {
      throw toLedgergateError(error, jobId);
    }
  }

  async close(): Promise<void> {
    // The Google client holds no connection of its own worth closing; sockets idle out.
  }

  private job(jobId: string): Job {
    return this.client.job(jobId, this.options.location ? { location: this.options.location } : {});
  }

  /** Creates the job; if our job id already exists, that earlier attempt is the job. */
  private async startOrFind(request: ExecuteRequest): Promise<Job> {
    const maximumBytesBilled = request.maximumBytesBilled ?? this.options.maximumBytesBilled;
    const labels = sanitiseLabels(request.labels);
    try {
      const [job] = await this.client.createQueryJob({
        jobId: request.jobId,
        query: request.sql,
        useLegacySql: false,
        ...(maximumBytesBilled !== undefined ? { maximumBytesBilled: String(Math.floor(maximumBytesBilled)) } : {}),
        ...(labels ? { labels } : {}),
        ...(this.options.location ? { location: this.options.location } : {}),
        jobTimeoutMs: request.timeoutMs,
      });
      return job;
    } catch (error) {
      if (!isAlreadyExists(error)) throw toLedgergateError(error, request.jobId);
    }
    return this.existingJob(request.jobId);
  }

  private async existingJob(jobId: string): Promise<Job> {
    const job = this.job(jobId);
    try {
      const [metadata] = await job.getMetadata();
      if (metadata.jobReference?.location) job.location = metadata.jobReference.location;
      const failure = metadata.status?.errorResult;
      if (failure) throw fromJobError(failure as BigQueryErrorProto, jobId);
      return job;
    } catch (error) {
      throw toLedgergateError(error, jobId);
    }
  }

  private async fetchTable(table: TableRef): Promise<TableSchema | undefined> {
    try {
      const [metadata] = await this.client.dataset(table.dataset, { projectId: table.project }).table(table.table).getMetadata();
      const fields = (metadata as { schema?: { fields?: BigQueryFieldSchema[] } }).schema?.fields;
      return { table, columns: columnsOf(fields) };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw toLedgergateError(error);
    }
  }

  private async fetchDatasets(): Promise<string[]> {
    try {
      const [datasets] = await this.client.getDatasets({ autoPaginate: true });
      return datasets.map((dataset) => dataset.id ?? '').filter((id) => id.length > 0).sort();
    } catch (error) {
      throw toLedgergateError(error);
    }
  }

  private async fetchTables(dataset: string): Promise<TableRef[]> {
    try {
      const [tables] = await this.client.dataset(dataset).getTables({ autoPaginate: true });
      return tables
        .map((table) => ({ project: this.projectId, dataset, table: table.id ?? '' }))
        .filter((ref) => ref.table.length > 0)
        .sort((a, b) => a.table.localeCompare(b.table));
    } catch (error) {
      if (isNotFound(error)) return [];
      throw toLedgergateError(error);
    }
  }
}
