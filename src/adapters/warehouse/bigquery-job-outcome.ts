/**
 * What a BigQuery Job resource says about how the job ended: failed (only `status.errorResult`
 * means that), finished with warnings (`status.errors` without `errorResult`), and, for a script,
 * which child jobs ran. Facts from the REST reference (Job, JobStatus, jobs.list parentJobId) and
 * /work/shared/BIGQUERY-REST.md §10.
 */
import { LedgergateError } from '../../domain/errors.js';
import type { ChildJob } from '../../domain/ports.js';
import { fromJobError, type BigQueryErrorProto } from './bigquery-errors.js';

/** The parts of a Job resource (jobs.get, jobs.insert, jobs.list entries) read here. */
export interface JobResource {
  readonly jobReference?: { readonly jobId?: string | null; readonly location?: string | null } | null;
  readonly state?: string | null;
  readonly errorResult?: BigQueryErrorProto | null;
  readonly status?: {
    readonly state?: string | null;
    readonly errorResult?: BigQueryErrorProto | null;
    readonly errors?: readonly BigQueryErrorProto[] | null;
  } | null;
  readonly statistics?: {
    readonly creationTime?: string | number | null;
    readonly numChildJobs?: string | number | null;
    readonly totalBytesProcessed?: string | number | null;
    readonly query?: {
      readonly statementType?: string | null;
      readonly totalBytesProcessed?: string | number | null;
      readonly numDmlAffectedRows?: string | number | null;
    } | null;
  } | null;
}

/**
 * Job-level failures that say nothing about the query: the same query under a new job id may well
 * succeed. The official Python client restarts a job on these; the job itself failed, so nothing
 * was committed and a new attempt cannot run the statement twice.
 */
const transientJobReasons = new Set([
  'backendError',
  'internalError',
  'rateLimitExceeded',
  'jobBackendError',
  'jobInternalError',
  'jobRateLimitExceeded',
]);

export const isTransientJobReason = (reason: string | undefined): boolean => reason !== undefined && transientJobReasons.has(reason);

/** The failure of a job BigQuery reports as DONE with errorResult; marked so a caller can tell it from a failed request. */
export const jobFailed = (proto: BigQueryErrorProto, jobId: string, childJobs?: readonly ChildJob[]): LedgergateError => {
  const failure = fromJobError(proto, jobId);
  return new LedgergateError(failure.code, failure.message, {
    ...failure.details,
    jobFailed: true,
    ...(isTransientJobReason(proto.reason) ? { transientJobFailure: true } : {}),
    ...(childJobs && childJobs.length > 0 ? { childJobs } : {}),
  });
};

export const isDone = (job: JobResource): boolean => (job.status?.state ?? job.state) === 'DONE';

export const errorResultOf = (job: JobResource): BigQueryErrorProto | undefined => job.status?.errorResult ?? job.errorResult ?? undefined;

/** errors[] entries of a job that did not fail: warnings. Only their reasons are kept (messages can echo values). */
export const warningsOf = (job: JobResource): string[] =>
  errorResultOf(job) ? [] : (job.status?.errors ?? []).map((entry) => entry.reason ?? 'unknown');

export const isScript = (job: JobResource): boolean =>
  job.statistics?.query?.statementType === 'SCRIPT' || Number(job.statistics?.numChildJobs ?? 0) > 0;

const numberOf = (value: string | number | null | undefined): number | undefined =>
  value === undefined || value === null ? undefined : Number(value);

/** A child job as the log records it, in the order the script ran them. */
export const childJobsOf = (children: readonly JobResource[]): ChildJob[] =>
  [...children]
    .sort((a, b) => Number(a.statistics?.creationTime ?? 0) - Number(b.statistics?.creationTime ?? 0))
    .map((child) => {
      const failure = errorResultOf(child);
      const bytes = numberOf(child.statistics?.query?.totalBytesProcessed ?? child.statistics?.totalBytesProcessed);
      const affected = numberOf(child.statistics?.query?.numDmlAffectedRows);
      return {
        jobId: child.jobReference?.jobId ?? '',
        statementType: child.statistics?.query?.statementType ?? 'UNKNOWN',
        state: failure ? ('failed' as const) : isDone(child) ? ('done' as const) : ('running' as const),
        ...(bytes !== undefined ? { bytesProcessed: bytes } : {}),
        ...(affected !== undefined ? { affectedRows: affected } : {}),
        ...(failure ? { code: fromJobError(failure).code } : {}),
      };
    });
