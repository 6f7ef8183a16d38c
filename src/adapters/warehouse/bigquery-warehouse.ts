/**
 * The BigQuery warehouse: runs each request as a query job whose id is derived from the request id,
 * so a retry after a crash finds the job it already started (409 duplicate) instead of running the
 * query twice; sends the job's location on every call (a regional job is invisible without it);
 * reads results page by page within row and byte budgets; tells a failed job (errorResult) from a
 * failed request and from warnings (errors[] alone); maps every failure to a LedgergateError.
 */
import { BigQuery, type BigQueryOptions, type Job } from '@google-cloud/bigquery';
import { isLedgergateError, type LedgergateError } from '../../domain/errors.js';
import type { ChildJob, Clock, DryRunResult, ExecuteRequest, JobState, QueryResult, TableRef, TableSchema, Warehouse } from '../../domain/ports.js';
import { CachedCatalog } from './bigquery-catalog.js';
import { fromJobError, isAlreadyExists, isNotFound, toLedgergateError } from './bigquery-errors.js';
import { childJobsOf, errorResultOf, isDone, isScript, isTransientJobReason, jobFailed, warningsOf, type JobResource } from './bigquery-job-outcome.js';
import { sanitiseLabels } from './bigquery-labels.js';
import { readResults } from './bigquery-results.js';
import { boundedEstimate, estimateCostUsd, type DryRunResponse } from './bigquery-dry-run.js';
import { columnsOf, type BigQueryFieldSchema } from './bigquery-types.js';

export { boundedEstimate, estimateCostUsd } from './bigquery-dry-run.js';

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

/** The Job resource in a 200 answer the client turned into an error (status.errors present). */
const jobInAnswer = (error: unknown): JobResource | undefined => {
  const response = (error as { response?: JobResource & { kind?: unknown } } | undefined)?.response;
  return response && response.kind === 'bigquery#job' && response.status?.state ? response : undefined;
};

const metadataOf = async (job: Job): Promise<JobResource> => {
  const [metadata] = await job.getMetadata();
  return metadata as JobResource;
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
    const response = await this.dryRunJob(sql);
    const stats = response?.statistics?.query;
    const bytes = boundedEstimate(stats, response?.statistics?.totalBytesProcessed);
    const location = response?.jobReference?.location;
    return {
      statementType: stats?.statementType ?? 'UNKNOWN',
      referencedTables: (stats?.referencedTables ?? []).map(tableRefOf),
      totalBytesProcessed: bytes,
      ...(stats?.schema?.fields ? { schema: columnsOf(stats.schema.fields as BigQueryFieldSchema[]) } : {}),
      ...(location ? { location } : {}),
      estimatedCostUsd: estimateCostUsd(bytes, this.options.pricePerTiBUsd),
    };
  }

  /**
   * The configured location, or the one BigQuery picks for this SQL from the datasets it reads: a
   * dry run (free) names it in its jobReference. Known before the job starts, so it is recorded with
   * the start and a resume or a lost insert answer can still find a regional job.
   */
  async jobLocation(sql: string): Promise<string | undefined> {
    if (this.options.location) return this.options.location;
    const response = await this.dryRunJob(sql);
    return response?.jobReference?.location ?? undefined;
  }

  async execute(request: ExecuteRequest): Promise<QueryResult> {
    const deadline = Date.now() + request.timeoutMs;
    // The insert is awaited whatever the deadline: abandoning it would leave a job that may start
    // after the gateway has cancelled and recorded a timeout. The deadline applies to the job.
    const job = await this.startOrFind(request);
    let result: QueryResult;
    try {
      result = await readResults(job, {
        maxRows: request.maxRows,
        maxResultBytes: request.maxResultBytes,
        deadline,
        pageSize: this.options.pageSize ?? 1000,
      });
    } catch (error) {
      throw await this.explainFailure(job, error);
    }
    return this.withJobDetails(job, result);
  }

  async getJob(jobId: string, location?: string): Promise<JobState> {
    let metadata: JobResource;
    try {
      metadata = await metadataOf(this.job(jobId, location));
    } catch (error) {
      if (isNotFound(error)) return { state: 'unknown' };
      throw toLedgergateError(error, jobId);
    }
    if (!isDone(metadata)) return { state: 'running' };
    const failure = errorResultOf(metadata);
    if (failure) {
      const mapped = fromJobError(failure, jobId);
      return {
        state: 'failed',
        code: mapped.code,
        message: mapped.message,
        ...(failure.reason ? { reason: failure.reason } : {}),
        ...(isTransientJobReason(failure.reason) ? { transient: true } : {}),
      };
    }
    return { state: 'done' };
  }

  async getResults(jobId: string, maxRows: number, maxResultBytes: number, location?: string): Promise<QueryResult> {
    const job = this.job(jobId, location);
    let result: QueryResult;
    try {
      result = await readResults(job, {
        maxRows,
        maxResultBytes,
        deadline: Date.now() + (this.options.resultsTimeoutMs ?? 30_000),
        pageSize: this.options.pageSize ?? 1000,
      });
    } catch (error) {
      throw await this.explainFailure(job, error);
    }
    return this.withJobDetails(job, result);
  }

  async cancel(jobId: string, location?: string): Promise<void> {
    try {
      await this.job(jobId, location).cancel();
    } catch (error) {
      throw toLedgergateError(error, jobId);
    }
  }

  async close(): Promise<void> {
    // The Google client holds no connection of its own worth closing; sockets idle out.
  }

  private job(jobId: string, location?: string): Job {
    const where = location ?? this.options.location;
    return this.client.job(jobId, where ? { location: where } : {});
  }

  private async dryRunJob(sql: string): Promise<DryRunResponse | undefined> {
    try {
      const [, response] = await this.client.createQueryJob({
        query: sql,
        useLegacySql: false,
        dryRun: true,
        // A cached answer would report 0 bytes for a query that scans terabytes once the cache expires.
        useQueryCache: false,
        ...(this.options.location ? { location: this.options.location } : {}),
      });
      return response as DryRunResponse | undefined;
    } catch (error) {
      throw toLedgergateError(error);
    }
  }

  /** Creates the job; if our job id already exists, that earlier attempt is the job. */
  private async startOrFind(request: ExecuteRequest): Promise<Job> {
    const maximumBytesBilled = request.maximumBytesBilled ?? this.options.maximumBytesBilled;
    const labels = sanitiseLabels(request.labels);
    const location = request.location ?? this.options.location;
    try {
      const [job] = await this.client.createQueryJob({
        jobId: request.jobId,
        query: request.sql,
        useLegacySql: false,
        ...(maximumBytesBilled !== undefined ? { maximumBytesBilled: String(Math.floor(maximumBytesBilled)) } : {}),
        ...(labels ? { labels } : {}),
        ...(location ? { location } : {}),
        jobTimeoutMs: request.timeoutMs,
      });
      return job;
    } catch (error) {
      const answered = jobInAnswer(error);
      if (answered) {
        const failure = errorResultOf(answered);
        if (failure) throw jobFailed(failure, request.jobId, await this.childJobs(answered, request.jobId));
        // errors[] without errorResult: the client rejects, but BigQuery ran the job; those are warnings.
        return this.job(request.jobId, answered.jobReference?.location ?? location);
      }
      if (!isAlreadyExists(error)) {
        const mapped = toLedgergateError(error, request.jobId);
        if (mapped.code !== 'warehouse_unavailable' && mapped.code !== 'warehouse_timeout') throw mapped;
        // The answer was lost, not necessarily the insert: a job that exists under our id is our job.
        return this.existingJob(request.jobId, location).catch((lookupError: unknown) => {
          throw isLedgergateError(lookupError) && lookupError.code === 'not_found' ? mapped : lookupError;
        });
      }
    }
    return this.existingJob(request.jobId, location);
  }

  private async existingJob(jobId: string, location: string | undefined): Promise<Job> {
    const job = this.job(jobId, location);
    let metadata: JobResource;
    try {
      metadata = await metadataOf(job);
    } catch (error) {
      throw toLedgergateError(error, jobId);
    }
    if (metadata.jobReference?.location) job.location = metadata.jobReference.location;
    const failure = errorResultOf(metadata);
    if (failure) throw jobFailed(failure, jobId, await this.childJobs(metadata, jobId));
    return job;
  }

  /**
   * A results read that failed: when the job itself failed (jobs.get shows errorResult) that is the
   * failure, marked as the job's; otherwise the request's own error. A deadline is left as it is.
   */
  private async explainFailure(job: Job, error: unknown): Promise<LedgergateError> {
    const jobId = job.id ?? '';
    const mapped = toLedgergateError(error, jobId);
    if (mapped.code === 'warehouse_timeout') return mapped;
    try {
      const metadata = await metadataOf(job);
      const failure = isDone(metadata) ? errorResultOf(metadata) : undefined;
      return failure ? jobFailed(failure, jobId, await this.childJobs(metadata, jobId)) : mapped;
    } catch {
      return mapped;
    }
  }

  /** Adds what jobs.get knows once the job is done: a script's child jobs and warnings. */
  private async withJobDetails(job: Job, result: QueryResult): Promise<QueryResult> {
    let metadata: JobResource;
    try {
      metadata = await metadataOf(job);
    } catch {
      return result; // the job succeeded; failing to describe it must not turn that into a failure
    }
    const warnings = warningsOf(metadata);
    const childJobs = await this.childJobs(metadata, job.id ?? '');
    return {
      ...result,
      ...(childJobs && childJobs.length > 0 ? { childJobs } : {}),
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  }

  /** A script's statements ran as child jobs (jobs.list?parentJobId); undefined for a single statement. */
  private async childJobs(metadata: JobResource, jobId: string): Promise<ChildJob[] | undefined> {
    if (!isScript(metadata)) return undefined;
    try {
      const [children] = await this.client.getJobs({ parentJobId: jobId, allUsers: true, projection: 'full', autoPaginate: true });
      return childJobsOf(children.map((child) => child.metadata as JobResource));
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
