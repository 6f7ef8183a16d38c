/** jobs.insert, jobs.get, jobs.getQueryResults, jobs.query and jobs.cancel for the fake. */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { httpStatusForReason } from './envelope.js';
import { reply, replyError, type Sleeper } from './http-kit.js';
import { bytesBilledFor, isDone, jobResource, type FakeJob, type JobFailure } from './jobs.js';
import { EngineError, type EngineResult, type QueryEngine } from './types.js';
import { encodeRows, type TimestampOutput } from './wire-format.js';

export interface JobContext {
  readonly projectId: string;
  readonly location: string;
  readonly engine: QueryEngine;
  readonly jobs: Map<string, FakeJob>;
  readonly sleeper: Sleeper;
  readonly pageSize: number;
  jobDurationMs: (sql: string) => number;
  readonly now: () => number;
}

type Query = Readonly<Record<string, string>>;
type Body = Record<string, unknown> | undefined;

const DEFAULT_WAIT_MS = 10_000;

const failureOf = (error: unknown): JobFailure =>
  error instanceof EngineError
    ? { reason: error.reason, message: error.message, location: error.location }
    : { reason: 'invalidQuery', message: error instanceof Error ? error.message : String(error), location: 'query' };

const runEngine = async (ctx: JobContext, sql: string, dryRun: boolean): Promise<EngineResult | JobFailure> => {
  try {
    return await ctx.engine.run(sql, { dryRun });
  } catch (error) {
    return failureOf(error);
  }
};

const isFailure = (value: EngineResult | JobFailure): value is JobFailure => 'reason' in value;

const bytesLimitFailure = (result: EngineResult, limit: unknown): JobFailure | undefined => {
  if (limit === undefined || limit === null) return undefined;
  const billed = bytesBilledFor(result.totalBytesProcessed);
  if (Number(limit) >= billed) return undefined;
  return {
    reason: 'bytesBilledLimitExceeded',
    message: `Query exceeded limit for bytes billed: ${String(limit)}. ${billed} or higher required.`,
  };
};

/** Finds a job the way BigQuery does: a missing location means US. */
const lookup = (ctx: JobContext, res: ServerResponse, project: string, jobId: string, query: Query): FakeJob | undefined => {
  const job = ctx.jobs.get(jobId);
  const location = query.location ?? 'US';
  if (!job || job.projectId !== project || job.location !== location) {
    replyError(res, 404, `Not found: Job ${project}:${location}.${jobId}`, 'notFound');
    return undefined;
  }
  return job;
};

const createJob = async (
  ctx: JobContext,
  project: string,
  jobId: string,
  location: string,
  configuration: Record<string, unknown>,
): Promise<FakeJob> => {
  const queryConfig = (configuration.query ?? {}) as Record<string, unknown>;
  const sql = String(queryConfig.query ?? '');
  const outcome = await runEngine(ctx, sql, false);
  const result = isFailure(outcome) ? undefined : outcome;
  const failure = isFailure(outcome) ? outcome : bytesLimitFailure(outcome, queryConfig.maximumBytesBilled);
  const createdAt = ctx.now();
  // A query that fails at validation time (bad SQL, bytes limit) is DONE at once.
  const doneAt = failure ? createdAt : createdAt + ctx.jobDurationMs(sql);
  const job: FakeJob = { projectId: project, jobId, location, query: sql, configuration, createdAt, doneAt, result, failure, insertAttempts: 1 };
  ctx.jobs.set(jobId, job);
  return job;
};

export const insertJob = async (ctx: JobContext, res: ServerResponse, project: string, body: Body): Promise<void> => {
  const reference = (body?.jobReference ?? {}) as Record<string, unknown>;
  const configuration = (body?.configuration ?? {}) as Record<string, unknown>;
  const queryConfig = configuration.query as Record<string, unknown> | undefined;
  if (typeof queryConfig?.query !== 'string' || queryConfig.query.length === 0) {
    replyError(res, 400, 'Required parameter is missing: query', 'required');
    return;
  }
  const location = typeof reference.location === 'string' ? reference.location : ctx.location;
  if (configuration.dryRun === true) return dryRun(ctx, res, project, location, configuration, queryConfig.query);
  const jobId = typeof reference.jobId === 'string' ? reference.jobId : randomUUID();
  const existing = ctx.jobs.get(jobId);
  if (existing) {
    existing.insertAttempts += 1;
    replyError(res, 409, `Already Exists: Job ${project}:${existing.location}.${jobId}`, 'duplicate');
    return;
  }
  const job = await createJob(ctx, project, jobId, location, configuration);
  reply(res, 200, jobResource(job, ctx.now()));
};

const dryRun = async (
  ctx: JobContext,
  res: ServerResponse,
  project: string,
  location: string,
  configuration: Record<string, unknown>,
  sql: string,
): Promise<void> => {
  const outcome = await runEngine(ctx, sql, true);
  if (isFailure(outcome)) {
    // Unlike real jobs, a failed dry run is a plain request error.
    replyError(res, httpStatusForReason(outcome.reason), outcome.message, outcome.reason, outcome.location);
    return;
  }
  const bytes = String(outcome.totalBytesProcessed);
  reply(res, 200, {
    kind: 'bigquery#job',
    jobReference: { projectId: project, location },
    configuration: { ...configuration, jobType: 'QUERY', dryRun: true },
    status: { state: 'DONE' },
    statistics: {
      creationTime: String(ctx.now()),
      totalBytesProcessed: bytes,
      query: {
        totalBytesProcessed: bytes,
        totalBytesBilled: '0',
        cacheHit: false,
        statementType: outcome.statementType,
        referencedTables: outcome.referencedTables,
        schema: { fields: outcome.schema },
      },
    },
  });
};

export const getJob = (ctx: JobContext, res: ServerResponse, project: string, jobId: string, query: Query): void => {
  const job = lookup(ctx, res, project, jobId, query);
  if (job) reply(res, 200, jobResource(job, ctx.now()));
};

export const cancelJob = (ctx: JobContext, res: ServerResponse, project: string, jobId: string, query: Query): void => {
  const job = lookup(ctx, res, project, jobId, query);
  if (!job) return;
  const now = ctx.now();
  if (!isDone(job, now)) {
    job.failure = { reason: 'stopped', message: 'Job execution was cancelled: User requested cancellation' };
    job.doneAt = now;
  }
  reply(res, 200, { kind: 'bigquery#jobCancelResponse', job: jobResource(job, now) });
};

/** Holds the request like BigQuery does, re-checking often so a cancellation ends the wait. */
const waitForJob = async (ctx: JobContext, job: FakeJob, timeoutMs: number): Promise<boolean> => {
  const until = ctx.now() + timeoutMs;
  while (!isDone(job, ctx.now()) && ctx.now() < until) {
    await ctx.sleeper.sleep(Math.min(25, job.doneAt - ctx.now(), until - ctx.now()));
    if (ctx.sleeper.closed) break;
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

/** jobs.query: the short path bigquery.query() takes; a bad query is an immediate HTTP error. */
export const runQuery = async (ctx: JobContext, res: ServerResponse, project: string, body: Body): Promise<void> => {
  const sql = body?.query;
  if (typeof sql !== 'string' || sql.length === 0) {
    replyError(res, 400, 'Required parameter is missing: query', 'required');
    return;
  }
  const { query: _sql, requestId: _requestId, formatOptions, timeoutMs, maxResults, location, labels, ...queryRest } = body ?? {};
  const configuration = { query: { query: sql, ...queryRest }, ...(labels ? { labels } : {}) };
  const job = await createJob(ctx, project, `job_${randomUUID().replaceAll('-', '')}`, typeof location === 'string' ? location : ctx.location, configuration);
  if (job.failure) {
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
