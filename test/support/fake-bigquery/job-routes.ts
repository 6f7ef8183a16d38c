/** jobs.insert, jobs.get, jobs.list, jobs.getQueryResults, jobs.query and jobs.cancel for the fake. */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { createJob, dataLocationOf, dryRunOutcome, isFailure, locationFailure, settle, type CreateContext } from './job-create.js';
import { httpStatusForReason } from './envelope.js';
import { reply, replyError, type Sleeper } from './http-kit.js';
import { isDone, isMultiRegion, jobResource, listEntry, sameLocation, scheduleStop, type FakeJob } from './jobs.js';
import type { EngineResult } from './types.js';
import { jobIdProblem, labelsProblem, legacySqlProblem } from './validation.js';
import { encodeRows, type TimestampOutput } from './wire-format.js';

export interface JobContext extends CreateContext {
  readonly sleeper: Sleeper;
  readonly pageSize: number;
  /** jobs.query requestIds seen, and the job each one created (idempotent for 15 minutes [D jobs/query]). */
  readonly requestIds: Map<string, { jobId: string; at: number }>;
}

type Query = Readonly<Record<string, string>>;
type Body = Record<string, unknown> | undefined;

const DEFAULT_WAIT_MS = 10_000;
const REQUEST_ID_TTL_MS = 15 * 60_000;

/**
 * Finds a job the way BigQuery does: with a location, only a job in that location; without one,
 * only a job in the US or EU multi-region. A regional job asked for without its location is not found.
 */
const lookup = (ctx: JobContext, res: ServerResponse, project: string, jobId: string, query: Query): FakeJob | undefined => {
  const job = ctx.jobs.get(jobId);
  const asked = query.location;
  const visible = job && job.projectId === project && (asked ? sameLocation(asked, job.location) : isMultiRegion(job.location));
  if (!visible) {
    replyError(res, 404, `Not found: Job ${project}:${asked ?? 'US'}.${jobId}`, 'notFound');
    return undefined;
  }
  return job;
};

/** What BigQuery refuses before creating a job: a 400 `invalid` answer, no job. */
const refusal = (jobId: unknown, configuration: Record<string, unknown>): string | undefined =>
  jobIdProblem(jobId) ?? labelsProblem(configuration.labels);

export const insertJob = async (ctx: JobContext, res: ServerResponse, project: string, body: Body): Promise<void> => {
  const reference = (body?.jobReference ?? {}) as Record<string, unknown>;
  const configuration = (body?.configuration ?? {}) as Record<string, unknown>;
  const queryConfig = configuration.query as Record<string, unknown> | undefined;
  if (typeof queryConfig?.query !== 'string' || queryConfig.query.length === 0) {
    replyError(res, 400, 'Required parameter is missing: query', 'required');
    return;
  }
  const location = typeof reference.location === 'string' ? reference.location : undefined;
  if (configuration.dryRun === true) {
    const problem = labelsProblem(configuration.labels);
    if (problem) return replyError(res, 400, problem, 'invalid');
    return dryRun(ctx, res, project, location, configuration, queryConfig);
  }
  const jobId = reference.jobId === undefined ? randomUUID() : reference.jobId;
  const problem = refusal(jobId, configuration);
  if (problem) return replyError(res, 400, problem, 'invalid');
  const existing = ctx.jobs.get(jobId as string);
  if (existing) {
    existing.insertAttempts += 1;
    replyError(res, 409, `Already Exists: Job ${project}:${existing.location}.${String(jobId)}`, 'duplicate');
    return;
  }
  const job = await createJob(ctx, project, jobId as string, location, configuration);
  reply(res, 200, jobResource(job, ctx.now()));
};

/** A dry run validates and estimates without storing a job; a failure is a plain request error. */
const dryRun = async (
  ctx: JobContext,
  res: ServerResponse,
  project: string,
  requestedLocation: string | undefined,
  configuration: Record<string, unknown>,
  queryConfig: Record<string, unknown>,
): Promise<void> => {
  const sql = String(queryConfig.query);
  const legacy = legacySqlProblem(queryConfig);
  if (legacy) return replyError(res, 400, legacy, 'invalidQuery', 'query');
  const outcome = await dryRunOutcome(ctx, sql);
  if (isFailure(outcome)) return replyError(res, httpStatusForReason(outcome.reason), outcome.message, outcome.reason, outcome.location);
  const misplaced = requestedLocation ? locationFailure(ctx, outcome, requestedLocation) : undefined;
  if (misplaced) return replyError(res, 404, misplaced.message, 'notFound');
  reply(res, 200, dryRunJob(ctx, project, requestedLocation ?? dataLocationOf(ctx, outcome) ?? ctx.location, configuration, outcome));
};

const dryRunJob = (ctx: JobContext, project: string, location: string, configuration: Record<string, unknown>, outcome: EngineResult) => {
  const bytes = String(outcome.totalBytesProcessed);
  return {
    kind: 'bigquery#job',
    jobReference: { projectId: project, location },
    configuration: { ...configuration, jobType: 'QUERY', dryRun: true },
    status: { state: 'DONE' },
    statistics: {
      creationTime: String(ctx.now()),
      totalBytesProcessed: bytes,
      query: {
        totalBytesProcessed: bytes,
        totalBytesProcessedAccuracy: outcome.totalBytesProcessedAccuracy ?? 'PRECISE',
        totalBytesBilled: '0',
        cacheHit: false,
        statementType: outcome.statementType,
        referencedTables: outcome.referencedTables,
        schema: { fields: outcome.schema },
      },
    },
  };
};

export const getJob = async (ctx: JobContext, res: ServerResponse, project: string, jobId: string, query: Query): Promise<void> => {
  const job = lookup(ctx, res, project, jobId, query);
  if (!job) return;
  await settle(job, ctx.now());
  reply(res, 200, jobResource(job, ctx.now()));
};

/** jobs.list, newest first; `parentJobId` lists a script's child jobs [D reference/rest/v2/jobs/list]. */
export const listJobs = async (ctx: JobContext, res: ServerResponse, project: string, query: Query): Promise<void> => {
  await Promise.all([...ctx.jobs.values()].map((job) => settle(job, ctx.now())));
  const now = ctx.now();
  const all = [...ctx.jobs.values()]
    .filter((job) => job.projectId === project && (query.parentJobId ? job.parentJobId === query.parentJobId : true))
    .sort((a, b) => b.createdAt - a.createdAt);
  const start = query.pageToken ? Number(Buffer.from(query.pageToken, 'base64url').toString('utf8')) : 0;
  const count = query.maxResults !== undefined ? Number(query.maxResults) : 50;
  const next = start + count;
  reply(res, 200, {
    kind: 'bigquery#jobList',
    etag: '"jobs"',
    jobs: all.slice(start, next).map((job) => listEntry(job, now)),
    ...(next < all.length ? { nextPageToken: Buffer.from(String(next)).toString('base64url') } : {}),
  });
};

/** Answers at once with the job as it is now; the stop (if any) follows the cancel behaviour. */
export const cancelJob = async (ctx: JobContext, res: ServerResponse, project: string, jobId: string, query: Query): Promise<void> => {
  const job = lookup(ctx, res, project, jobId, query);
  if (!job) return;
  await settle(job, ctx.now());
  const now = ctx.now();
  job.cancelRequests = (job.cancelRequests ?? 0) + 1;
  scheduleStop(job, ctx.cancelBehaviour, now, 'Job execution was cancelled: User requested cancellation');
  for (const childId of job.childJobIds ?? []) {
    const child = ctx.jobs.get(childId);
    if (child) scheduleStop(child, ctx.cancelBehaviour, now, 'Job execution was cancelled: User requested cancellation');
  }
  reply(res, 200, { kind: 'bigquery#jobCancelResponse', job: jobResource(job, now) });
};

/** Holds the request like BigQuery does, re-checking often so a cancellation ends the wait. */
const waitForJob = async (ctx: JobContext, job: FakeJob, timeoutMs: number): Promise<boolean> => {
  const until = ctx.now() + timeoutMs;
  await settle(job, ctx.now());
  while (!isDone(job, ctx.now()) && ctx.now() < until) {
    await ctx.sleeper.sleep(Math.max(1, Math.min(25, job.doneAt - ctx.now(), until - ctx.now())));
    if (ctx.sleeper.closed) break;
    await settle(job, ctx.now());
  }
  return isDone(job, ctx.now());
};

const timestampOutput = (query: Query): TimestampOutput => {
  if (query['formatOptions.useInt64Timestamp'] === 'true') return 'INT64';
  const format = query['formatOptions.timestampOutputFormat'];
  return format === 'INT64' || format === 'ISO8601_STRING' ? format : 'FLOAT64';
};

const pageOf = (ctx: JobContext, job: FakeJob, result: EngineResult, query: Query): Record<string, unknown> => {
  const start = query.pageToken ? Number(Buffer.from(query.pageToken, 'base64url').toString('utf8')) : Number(query.startIndex ?? 0);
  const count = query.maxResults !== undefined ? Number(query.maxResults) : ctx.pageSize;
  const slice = result.rows.slice(start, start + count);
  const next = start + slice.length;
  return {
    jobReference: { projectId: job.projectId, jobId: job.jobId, location: job.location },
    jobComplete: true,
    schema: { fields: result.schema },
    ...(slice.length > 0 ? { rows: encodeRows(result.schema, slice, timestampOutput(query)) } : {}),
    totalRows: String(result.rows.length),
    ...(next < result.rows.length ? { pageToken: Buffer.from(String(next)).toString('base64url') } : {}),
    totalBytesProcessed: String(result.totalBytesProcessed),
    cacheHit: false,
    ...(result.numDmlAffectedRows !== undefined ? { numDmlAffectedRows: String(result.numDmlAffectedRows) } : {}),
  };
};

const answerResults = async (
  ctx: JobContext,
  res: ServerResponse,
  job: FakeJob,
  query: Query,
  kind: string,
  extra: Record<string, unknown> = {},
): Promise<void> => {
  const timeoutMs = query.timeoutMs !== undefined ? Number(query.timeoutMs) : DEFAULT_WAIT_MS;
  if (!(await waitForJob(ctx, job, timeoutMs))) {
    reply(res, 200, { kind, ...extra, jobReference: { projectId: job.projectId, jobId: job.jobId, location: job.location }, jobComplete: false });
    return;
  }
  if (job.failure) {
    const status = job.failure.reason === 'stopped' || job.failure.reason === 'bytesBilledLimitExceeded' ? 400 : httpStatusForReason(job.failure.reason);
    replyError(res, status, job.failure.message, job.failure.reason, job.failure.location);
    return;
  }
  reply(res, 200, { kind, ...extra, etag: `"${job.jobId}"`, ...pageOf(ctx, job, job.result as EngineResult, query) });
};

export const getQueryResults = async (ctx: JobContext, res: ServerResponse, project: string, jobId: string, query: Query): Promise<void> => {
  const job = lookup(ctx, res, project, jobId, query);
  if (job) await answerResults(ctx, res, job, query, 'bigquery#getQueryResultsResponse');
};

/**
 * jobs.query: the short path bigquery.query() takes; a bad query is an immediate HTTP error.
 * Honours dryRun (estimate, no job) and requestId (a repeat within 15 minutes answers with the
 * job the first one created, never a second run) [D reference/rest/v2/jobs/query#QueryRequest].
 */
export const runQuery = async (ctx: JobContext, res: ServerResponse, project: string, body: Body): Promise<void> => {
  const sql = body?.query;
  if (typeof sql !== 'string' || sql.length === 0) {
    replyError(res, 400, 'Required parameter is missing: query', 'required');
    return;
  }
  const { query: _sql, requestId, formatOptions, timeoutMs, maxResults, location, labels, dryRun: isDryRun, jobCreationMode: _mode, ...queryRest } = body ?? {};
  const configuration = { query: { query: sql, ...queryRest }, ...(labels ? { labels } : {}) };
  const problem = labelsProblem(labels);
  if (problem) return replyError(res, 400, problem, 'invalid');
  const askedLocation = typeof location === 'string' ? location : undefined;
  if (isDryRun === true) return dryRunQuery(ctx, res, project, askedLocation, configuration.query);
  const now = ctx.now();
  const earlier = typeof requestId === 'string' ? ctx.requestIds.get(requestId) : undefined;
  let job = earlier && now - earlier.at < REQUEST_ID_TTL_MS ? ctx.jobs.get(earlier.jobId) : undefined;
  if (!job) {
    job = await createJob(ctx, project, `job_${randomUUID().replaceAll('-', '')}`, askedLocation, configuration);
    if (typeof requestId === 'string') ctx.requestIds.set(requestId, { jobId: job.jobId, at: now });
  }
  if (job.failure && isDone(job, ctx.now())) {
    replyError(res, httpStatusForReason(job.failure.reason), job.failure.message, job.failure.reason, job.failure.location);
    return;
  }
  const asQuery: Record<string, string> = {};
  if (timeoutMs !== undefined) asQuery.timeoutMs = String(timeoutMs);
  if (maxResults !== undefined) asQuery.maxResults = String(maxResults);
  const format = (formatOptions ?? {}) as Record<string, unknown>;
  if (format.useInt64Timestamp === true) asQuery['formatOptions.useInt64Timestamp'] = 'true';
  await answerResults(ctx, res, job, asQuery, 'bigquery#queryResponse', { queryId: job.jobId });
};

const dryRunQuery = async (ctx: JobContext, res: ServerResponse, project: string, location: string | undefined, queryConfig: Record<string, unknown>) => {
  const legacy = legacySqlProblem(queryConfig);
  if (legacy) return replyError(res, 400, legacy, 'invalidQuery', 'query');
  const outcome = await dryRunOutcome(ctx, String(queryConfig.query));
  if (isFailure(outcome)) return replyError(res, httpStatusForReason(outcome.reason), outcome.message, outcome.reason, outcome.location);
  const misplaced = location ? locationFailure(ctx, outcome, location) : undefined;
  if (misplaced) return replyError(res, 404, misplaced.message, 'notFound');
  reply(res, 200, {
    kind: 'bigquery#queryResponse',
    jobReference: { projectId: project, location: location ?? dataLocationOf(ctx, outcome) ?? ctx.location },
    jobComplete: true,
    schema: { fields: outcome.schema },
    totalBytesProcessed: String(outcome.totalBytesProcessed),
    cacheHit: false,
  });
};
