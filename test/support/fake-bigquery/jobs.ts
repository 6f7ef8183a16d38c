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
  readonly result?: EngineResult;
  failure?: JobFailure;
  /** Every jobs.insert that named this job id, including the duplicates answered with 409. */
  insertAttempts: number;
}

export const isDone = (job: FakeJob, now: number): boolean => now >= job.doneAt;

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
      : { state: done ? 'DONE' : 'RUNNING' },
    statistics: {
      creationTime: String(job.createdAt),
      startTime: String(job.createdAt),
      ...(done ? { endTime: String(job.doneAt) } : {}),
      ...(queryStats ? { totalBytesProcessed: bytes, query: queryStats } : {}),
    },
  };
};
