/**
 * jobs.insert, jobs.get, jobs.getQueryResults, jobs.query, jobs.cancel and jobs.list. Every query goes
 * through the same QueryService as POST /v1/queries (channel `bigquery-api`, the client's User-Agent
 * and labels recorded): same analysis, policy, approvals, masking and audit. A job is the caller's
 * request under a job id namespaced per principal (job-ids.ts).
 */
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { CallerContext, QueryService } from '../../../app/query-service.js';
import { isLedgergateError, RevisionConflictError } from '../../../domain/errors.js';
import type { RequestState } from '../../../domain/request/request-state.js';
import type { BigQueryJobIndex } from '../../../projections/bigquery-jobs.js';
import { callerOf } from '../caller.js';
import { dryRunJob } from './dry-run.js';
import { BigQueryApiError } from './errors.js';
import { checkJobId, checkLabels, jobIdForQueryRequest, requestIdForJob } from './job-ids.js';
import { jobResourceOf, jobStateOf, type JobContext } from './job-resource.js';
import { nonNegativeInteger } from './paging.js';
import { insertSpecOf, querySpecOf, type QueryJobSpec } from './query-config.js';
import { resultOptionsOf, resultsBody, timestampFormatOf } from './query-results.js';

/** BigQuery's own default for jobs.query and getQueryResults is 10 s; the gateway never holds a call longer. */
const maxHoldMs = 10_000;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function jobsRoutes(deps: { queries: QueryService; jobs: BigQueryJobIndex; projectId: string }): Router {
  const { queries, jobs, projectId } = deps;
  const router = Router({ mergeParams: true });

  const contextOf = (req: Request, jobId: string, requestId: string): JobContext => ({
    projectId,
    jobId,
    approvalUrl: `${req.protocol}://${req.get('host') ?? 'localhost'}/v1/queries/${encodeURIComponent(requestId)}`,
  });

  /** The caller's job, or BigQuery's 404 (another principal's job id finds nothing). */
  async function loadJob(caller: CallerContext, jobId: string, waitSeconds = 0, signal?: AbortSignal): Promise<RequestState> {
    const requestId = requestIdForJob(caller.principal, checkJobId(jobId));
    try {
      if (waitSeconds > 0) await queries.get(caller, requestId, waitSeconds, signal);
      return await queries.load(caller, requestId);
    } catch (error) {
      if (isLedgergateError(error) && error.code === 'not_found') throw new BigQueryApiError(404, 'notFound', `Not found: Job ${projectId}:US.${jobId}`);
      throw error;
    }
  }

  const existing = async (caller: CallerContext, jobId: string): Promise<RequestState | undefined> =>
    loadJob(caller, jobId).catch((error: unknown) => {
      if (error instanceof BigQueryApiError && error.status === 404) return undefined;
      throw error;
    });

  /** Records and starts the request; a job id already taken (even by a concurrent call) is `duplicate`. */
  async function submitJob(req: Request, res: Response, jobId: string, sql: string, labels: Record<string, string> | undefined): Promise<RequestState> {
    const caller = callerOf(req, res);
    const duplicate = () => new BigQueryApiError(409, 'duplicate', `Already Exists: Job ${projectId}:US.${jobId}`);
    if (await existing(caller, jobId)) throw duplicate();
    const requestId = requestIdForJob(caller.principal, jobId);
    try {
      // BigQuery clients expect a query's whole result, so they get as many rows as the gateway ever serves
      // (LEDGERGATE_MAX_ROWS_CAP); the service bounds the number.
      await queries.submit(caller, { sql, channel: 'bigquery-api', requestId, clientJobId: jobId, waitSeconds: 0, maxRows: Number.MAX_SAFE_INTEGER, ...(labels ? { labels } : {}) });
    } catch (error) {
      if (error instanceof RevisionConflictError || (isLedgergateError(error) && error.code === 'invalid_transition')) throw duplicate();
      throw error;
    }
    return loadJob(caller, jobId);
  }

  const sendJob = (req: Request, res: Response, state: RequestState, jobId: string) => {
    const context = contextOf(req, jobId, state.request.requestId);
    if (jobStateOf(state) === 'PENDING') res.setHeader('X-Ledgergate-Approval', context.approvalUrl);
    res.json(jobResourceOf(state, context));
  };

  /**
   * A client's maximumBytesBilled holds before anything is recorded or run: the gateway's estimate must
   * be known and within it, or the job is refused as BigQuery refuses it (never a silent pass).
   */
  async function checkBytesLimit(caller: CallerContext, spec: QueryJobSpec): Promise<void> {
    if (spec.maximumBytesBilled === undefined) return;
    const assessment = await queries.assess(caller, spec.sql);
    const estimate = assessment.analysis.bytesEstimate;
    const refusal =
      estimate === undefined
        ? `Query exceeded limit for bytes billed: ${spec.maximumBytesBilled}. ledgergate cannot bound what this query scans, so it does not run under a bytes limit`
        : estimate > spec.maximumBytesBilled
          ? `Query exceeded limit for bytes billed: ${spec.maximumBytesBilled}. ${Math.ceil(estimate)} or higher required.`
          : undefined;
    if (refusal === undefined) return;
    // Refused before a request exists, so the refusal is recorded as an assessment.
    await queries.recordAssessment(caller, spec.sql, assessment, { purpose: 'bytes_limit_check', channel: 'bigquery-api', refusal: 'bytesBilledLimitExceeded' });
    throw new BigQueryApiError(400, 'bytesBilledLimitExceeded', refusal);
  }

  const holdSecondsOf = (timeoutMs: unknown): number => Math.min(nonNegativeInteger(timeoutMs, 'timeoutMs') ?? maxHoldMs, maxHoldMs) / 1000;

  router.post('/jobs', async (req, res) => {
    const insert = insertSpecOf(req.body);
    const labels = checkLabels(insert.labels);
    if (insert.dryRun) {
      res.json(await dryRunJob(queries, callerOf(req, res), insert.spec.sql, projectId));
      return;
    }
    const jobId = insert.jobId !== undefined ? checkJobId(insert.jobId) : randomUUID();
    await checkBytesLimit(callerOf(req, res), insert.spec);
    const state = await submitJob(req, res, jobId, insert.spec.sql, labels);
    sendJob(req, res, state, jobId);
  });

  router.get('/jobs/:jobId', async (req, res) => {
    const jobId = String(req.params.jobId);
    sendJob(req, res, await loadJob(callerOf(req, res), jobId), jobId);
  });

  router.post('/jobs/:jobId/cancel', async (req, res) => {
    const caller = callerOf(req, res);
    const jobId = String(req.params.jobId);
    const state = await loadJob(caller, jobId);
    // Cancelling a finished job changes nothing, as in BigQuery: the answer is the job as it ended.
    if (jobStateOf(state) !== 'DONE') await queries.cancel(caller, state.request.requestId).catch((error: unknown) => {
      if (!(isLedgergateError(error) && error.code === 'already_decided')) throw error;
    });
    const after = await loadJob(caller, jobId);
    res.json({ kind: 'bigquery#jobCancelResponse', job: jobResourceOf(after, contextOf(req, jobId, after.request.requestId)) });
  });

  router.get('/queries/:jobId', async (req, res) => {
    const caller = callerOf(req, res);
    const jobId = String(req.params.jobId);
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const query = req.query as Record<string, unknown>;
    const timestamps = timestampFormatOf({ useInt64Timestamp: query['formatOptions.useInt64Timestamp'], timestampOutputFormat: query['formatOptions.timestampOutputFormat'] });
    const options = resultOptionsOf(query, timestamps);
    const state = await loadJob(caller, jobId, holdSecondsOf(query.timeoutMs), abort.signal);
    const context = contextOf(req, jobId, state.request.requestId);
    if (jobStateOf(state) === 'PENDING') res.setHeader('X-Ledgergate-Approval', context.approvalUrl);
    res.json({ kind: 'bigquery#getQueryResultsResponse', ...resultsBody(state, context, options) });
  });

  router.post('/queries', async (req, res) => {
    const body: Record<string, unknown> = isObject(req.body) ? req.body : {};
    if (body.dryRun === true) {
      // jobs.query's dry run is a QueryResponse (REST reference): the estimate, and no job.
      const job = await dryRunJob(queries, callerOf(req, res), querySpecOf(body).sql, projectId);
      const statistics = job.statistics as { totalBytesProcessed: string };
      res.json({ kind: 'bigquery#queryResponse', jobReference: job.jobReference, jobComplete: false, totalBytesProcessed: statistics.totalBytesProcessed, cacheHit: false, ledgergate: job.ledgergate });
      return;
    }
    const spec = querySpecOf(body);
    const labels = checkLabels(body.labels);
    const formatOptions = isObject(body.formatOptions) ? body.formatOptions : {};
    const options = resultOptionsOf({ maxResults: body.maxResults }, timestampFormatOf(formatOptions));
    const caller = callerOf(req, res);
    // requestId makes a retried call find its first job instead of running the query again.
    const jobId = typeof body.requestId === 'string' && body.requestId ? jobIdForQueryRequest(body.requestId) : randomUUID();
    const before = typeof body.requestId === 'string' ? await existing(caller, jobId) : undefined;
    if (!before) await checkBytesLimit(caller, spec);
    if (!before) await submitJob(req, res, jobId, spec.sql, labels);
    const state = await loadJob(caller, jobId, holdSecondsOf(body.timeoutMs));
    const context = contextOf(req, jobId, state.request.requestId);
    if (jobStateOf(state) === 'PENDING') res.setHeader('X-Ledgergate-Approval', context.approvalUrl);
    res.json({ kind: 'bigquery#queryResponse', queryId: jobId, ...resultsBody(state, context, options) });
  });

  router.get('/jobs', async (req, res) => {
    const caller = callerOf(req, res);
    const query = req.query as Record<string, unknown>;
    // The gateway runs every job as one job: no job has children.
    if (typeof query.parentJobId === 'string' && query.parentJobId) {
      res.json({ kind: 'bigquery#jobList', jobs: [] });
      return;
    }
    const wanted = ([] as unknown[]).concat(query.stateFilter ?? []).map((s) => String(s).toUpperCase());
    const minCreation = nonNegativeInteger(query.minCreationTime, 'minCreationTime');
    const maxCreation = nonNegativeInteger(query.maxCreationTime, 'maxCreationTime');
    // The page token is an offset into the caller's jobs, newest first (paging.ts); one SQL page each.
    const size = Math.max(1, nonNegativeInteger(query.maxResults, 'maxResults') ?? 50);
    const offset = nonNegativeInteger(query.pageToken, 'pageToken') ?? 0;
    const found = jobs.jobsOf(caller.principal, {
      ...(minCreation !== undefined ? { minCreationMs: minCreation } : {}),
      ...(maxCreation !== undefined ? { maxCreationMs: maxCreation } : {}),
      offset,
      limit: size,
    });
    const page = { items: found.entries, ...(found.more ? { nextPageToken: String(offset + size) } : {}) };
    const listed: Record<string, unknown>[] = [];
    for (const entry of page.items) {
      const state = await loadJob(caller, entry.jobId).catch(() => undefined);
      if (!state || (wanted.length > 0 && !wanted.includes(jobStateOf(state)))) continue;
      const job = jobResourceOf(state, contextOf(req, entry.jobId, state.request.requestId));
      listed.push({ ...job, state: jobStateOf(state), ...(query.projection === 'full' ? {} : { configuration: { jobType: 'QUERY' } }) });
    }
    res.json({ kind: 'bigquery#jobList', jobs: listed, ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) });
  });

  return router;
}
