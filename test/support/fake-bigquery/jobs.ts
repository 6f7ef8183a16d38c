/** The fake's job records and how they render as BigQuery Job resources. */
import type { EngineResult } from './types.js';

export interface JobFailure {
  readonly reason: string;
  readonly message: string;
  readonly location?: string;
}

export interface FakeJob {
  readonly projectId: string;
  readonly jobId: string;
  readonly location: string;
  readonly query: string;
  /** The `configuration` object exactly as the client sent it. */
  readonly configuration: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
  /** When the job counts as finished (ms epoch); later than createdAt for slow jobs. */
  doneAt: number;
  result?: EngineResult;
  failure?: JobFailure;
  /** Every jobs.insert that named this job id, including the duplicates answered with 409. */
  insertAttempts: number;
  /** Set on a script's child jobs: the script's job id. */
  readonly parentJobId?: string;
  /** Set on a script's job: its statements' jobs, in the order they ran. */
  readonly childJobIds?: readonly string[];
  /** jobs.cancel calls received for this job. */
  cancelRequests?: number;
  /**
   * Set while a slow job's statement has not run: it runs when the job reaches doneAt, and not at
   * all if the job was stopped first — so a stopped DML changes nothing, like BigQuery's atomic DML.
   */
  pending?: Promise<void>;
}

/** Done at doneAt; a slow job's statement must also have run — unless the job was stopped (then nothing runs). */
export const isDone = (job: FakeJob, now: number): boolean => now >= job.doneAt && (job.pending === undefined || job.failure !== undefined);

/** BigQuery bills at least 10 MiB per query and rounds up to whole MiB. */
export const bytesBilledFor = (bytesProcessed: number): number =>
  bytesProcessed <= 0 ? 0 : Math.max(10 * 1024 * 1024, Math.ceil(bytesProcessed / (1024 * 1024)) * 1024 * 1024);

export const jobResource = (job: FakeJob, now: number): Record<string, unknown> => {
  const done = isDone(job, now);
  const failure = done ? job.failure : undefined;
  const result = job.result;
  const bytes = String(result?.totalBytesProcessed ?? 0);
  const queryStats =
    result && done
      ? {
          totalBytesProcessed: bytes,
          totalBytesBilled: failure ? '0' : String(bytesBilledFor(result.totalBytesProcessed)),
          cacheHit: false,
          statementType: result.statementType,
          referencedTables: result.referencedTables,
          billingTier: 1,
          ...(result.numDmlAffectedRows !== undefined
            ? { numDmlAffectedRows: String(result.numDmlAffectedRows) }
            : {}),
        }
      : undefined;
  return {
    kind: 'bigquery#job',
    etag: `"${job.jobId}"`,
    id: `${job.projectId}:${job.location}.${job.jobId}`,
    selfLink: `https://bigquery.googleapis.com/bigquery/v2/projects/${job.projectId}/jobs/${job.jobId}?location=${job.location}`,
    user_email: 'fake@example.iam.gserviceaccount.com',
    jobReference: { projectId: job.projectId, jobId: job.jobId, location: job.location },
    configuration: {
      ...job.configuration,
      jobType: 'QUERY',
      query: { priority: 'INTERACTIVE', ...(job.configuration.query as object | undefined) },
    },
    status: failure
      ? { state: 'DONE', errorResult: failure, errors: [failure] }
      : done && result?.warnings && result.warnings.length > 0
        ? { state: 'DONE', errors: result.warnings.map((w) => ({ ...w, location: 'query' })) }
        : { state: done ? 'DONE' : 'RUNNING' },
    statistics: {
      creationTime: String(job.createdAt),
      startTime: String(job.createdAt),
      ...(done ? { endTime: String(job.doneAt) } : {}),
      ...(queryStats ? { totalBytesProcessed: bytes, query: queryStats } : {}),
      ...(job.parentJobId ? { parentJobId: job.parentJobId, scriptStatistics: { evaluationKind: 'STATEMENT' } } : {}),
      ...(job.childJobIds ? { numChildJobs: String(job.childJobIds.length) } : {}),
    },
  };
};

/** A jobs.list entry [D reference/rest/v2/jobs/list]: the Job plus top-level state and errorResult. */
export const listEntry = (job: FakeJob, now: number): Record<string, unknown> => {
  const resource = jobResource(job, now);
  const status = resource.status as { state: string; errorResult?: unknown };
  return { ...resource, state: status.state, ...(status.errorResult ? { errorResult: status.errorResult } : {}) };
};

/** BigQuery's multi-regions: their jobs are found without a location; every other job is not [D reference/rest/v2/jobs/get]. */
export const isMultiRegion = (location: string): boolean => ['US', 'EU'].includes(location.toUpperCase());

export const sameLocation = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * What jobs.cancel does [D reference/rest/v2/jobs/cancel: "returns immediately … the job may still
 * complete"]: `immediate` stops a running job at once, `{ afterMs }` stops it that much later (a job
 * that finishes first has outrun the cancel and succeeds), `ignored` never stops it. jobTimeoutMs is
 * "best effort" too and follows the same behaviour.
 */
export type CancelBehaviour = 'immediate' | 'ignored' | { readonly afterMs: number };

/** Schedules a stop under the cancel behaviour; a job that is done (or will be first) is left as it is. */
export const scheduleStop = (job: FakeJob, behaviour: CancelBehaviour, now: number, message: string): void => {
  if (behaviour === 'ignored' || now >= job.doneAt) return;
  const stopAt = behaviour === 'immediate' ? now : now + behaviour.afterMs;
  if (stopAt >= job.doneAt) return; // the job outruns the cancel
  job.doneAt = stopAt;
  job.failure = { reason: 'stopped', message };
};
