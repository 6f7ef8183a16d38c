/**
 * A local HTTP server that answers BigQuery's REST API v2 (the subset the Node client uses) with
 * realistic payloads, errors and timing. Serves both /bigquery/v2/projects/… (apiEndpoint) and
 * /projects/… (BIGQUERY_EMULATOR_HOST). Listens on 127.0.0.1 only.
 *
 * It is at least as strict as BigQuery wherever the gateway's correctness depends on it. The real
 * behaviour it models, and where each fact comes from ([D] = docs.cloud.google.com/bigquery/docs,
 * [DD] = the v2 discovery document, [N] = nodejs-bigquery source; details in /work/shared/BIGQUERY-REST.md):
 * - Job ids are `[A-Za-z0-9_-]`, at most 1,024 characters; anything else is a 400 `invalid` and no
 *   job [D reference/rest/v2/JobReference].
 * - Labels: at most 64; keys and values at most 63 characters of lower-case letters, digits, `_`
 *   and `-` (international letters allowed), keys start with a letter; otherwise 400 [D labels-intro].
 * - A query without `useLegacySql: false` is legacy SQL [D JobConfigurationQuery.useLegacySql
 *   "default true"]; this fake models GoogleSQL only, so it fails such a query (invalidQuery).
 * - Location: a job runs where its datasets live (`datasetLocations`, default `location`), or
 *   where the request says; a request naming another location than its data fails notFound "Dataset
 *   … was not found in location …". jobs.get / getQueryResults / cancel find a job only with its
 *   location; without one only US and EU multi-region jobs are found [D reference/rest/v2/jobs/get
 *   "location … required except for US and EU"; BIGQUERY-REST.md §3].
 * - jobs.cancel "returns immediately"; the job may still finish and be billed; poll jobs.get
 *   [D reference/rest/v2/jobs/cancel]. Modelled by `cancel`: immediate, after a delay (a job that
 *   ends first succeeds), or ignored. `jobTimeoutMs`: "BigQuery might attempt to stop the job" —
 *   modelled as a cancel at the limit (reason `stopped`) under the same behaviour.
 * - Dry runs report `totalBytesProcessedAccuracy` (UNKNOWN | PRECISE | LOWER_BOUND | UPPER_BOUND);
 *   external and federated tables may report a LOWER_BOUND of 0 [D JobStatistics2]. An engine result
 *   sets it; the default is PRECISE.
 * - Several statements run as a script: a parent job with statementType SCRIPT and
 *   statistics.numChildJobs, one child job per statement that ran (parentJobId set), listed by
 *   jobs.list?parentJobId=; the first failing statement fails the script and ends it
 *   [D reference/standard-sql/scripting#scripting_job; reference/rest/v2/jobs/list].
 * - statementType is the one BigQuery documents for the statement's kind (CREATE VIEW →
 *   CREATE_VIEW, DROP SCHEMA → DROP_SCHEMA, …); a value outside the documented list is never sent.
 * - `status.errors` without `status.errorResult` are warnings; only errorResult fails a job
 *   [D reference/rest/v2/Job#JobStatus]. The Node client rejects createQueryJob on any status.errors [N createJob].
 * - jobs.query honours `dryRun` (estimate, no job) and `requestId` (a repeat within 15 minutes gets
 *   the same job, never a second run) [D reference/rest/v2/jobs/query#QueryRequest].
 * - Errors travel in Google's envelope; a job's failure is a 200 DONE job with errorResult on
 *   jobs.insert / jobs.get and an HTTP 4xx on getQueryResults [BIGQUERY-REST.md §2].
 * - DML is atomic: a slow job's statement is validated at insert and runs when the job finishes;
 *   a job stopped first (cancel, jobTimeoutMs) changed nothing. A job that outruns its cancel commits.
 * Known leniency: a script's statements all run at insert (its child jobs are done at once).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getDataset, getTable, listDatasets, listTables } from './catalog-routes.js';
import { FaultList, readJson, reply, replyError, Sleeper, type Fault, type LoggedRequest } from './http-kit.js';
import { cancelJob, getJob, getQueryResults, insertJob, listJobs, runQuery, type JobContext } from './job-routes.js';
import type { CancelBehaviour, FakeJob } from './jobs.js';
import type { QueryEngine } from './types.js';

export type { Fault, LoggedRequest } from './http-kit.js';
export type { CancelBehaviour, FakeJob } from './jobs.js';

export interface FakeBigQueryOptions {
  readonly projectId: string;
  readonly engine: QueryEngine;
  /** Where jobs run when the client names no location (default US). */
  readonly location?: string;
  /** How long a job stays RUNNING (default 0: done at once). */
  readonly jobDurationMs?: number | ((sql: string) => number);
  /** Rows per getQueryResults page when the client sends no maxResults (default 10 000). */
  readonly pageSize?: number;
  /** Where each dataset's data lives (default: `location` for every dataset); jobs reading it run there. */
  readonly datasetLocations?: Readonly<Record<string, string>>;
  /** What jobs.cancel (and jobTimeoutMs) does to a running job (default: stops it 50 ms later). */
  readonly cancel?: CancelBehaviour;
}

export interface FakeBigQuery {
  /** e.g. http://127.0.0.1:43121 — pass as the client's apiEndpoint. */
  readonly url: string;
  readonly port: number;
  /** Stored (non-dry-run) jobs by job id. */
  readonly jobs: ReadonlyMap<string, FakeJob>;
  /** Every request received, in order. */
  readonly requests: readonly LoggedRequest[];
  inject(fault: Fault): void;
  clearFaults(): void;
  setJobDuration(duration: number | ((sql: string) => number)): void;
  setCancelBehaviour(behaviour: CancelBehaviour): void;
  close(): Promise<void>;
}

const PREFIX = '/bigquery/v2';

const asDuration = (duration: number | ((sql: string) => number) | undefined): ((sql: string) => number) =>
  typeof duration === 'function' ? duration : () => duration ?? 0;

export const startFakeBigQuery = async (options: FakeBigQueryOptions): Promise<FakeBigQuery> => {
  const jobs = new Map<string, FakeJob>();
  const requests: LoggedRequest[] = [];
  const faults = new FaultList();
  const sleeper = new Sleeper();
  const location = options.location ?? 'US';
  const ctx: JobContext = {
    projectId: options.projectId,
    location,
    engine: options.engine,
    jobs,
    sleeper,
    pageSize: options.pageSize ?? 10_000,
    jobDurationMs: asDuration(options.jobDurationMs),
    now: () => Date.now(),
    datasetLocation: (datasetId) => options.datasetLocations?.[datasetId] ?? location,
    cancelBehaviour: options.cancel ?? { afterMs: 50 },
    requestIds: new Map(),
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.startsWith(`${PREFIX}/`) ? url.pathname.slice(PREFIX.length) : url.pathname;
    const method = req.method ?? 'GET';
    const query = Object.fromEntries(url.searchParams);
    let body: unknown;
    try {
      body = await readJson(req);
    } catch {
      requests.push({ method, url: req.url ?? '', path, query, body: undefined, authorization: req.headers.authorization });
      replyError(res, 400, 'Invalid JSON payload received.', 'parseError');
      return;
    }
    requests.push({ method, url: req.url ?? '', path, query, body, authorization: req.headers.authorization });

    const fault = faults.take(method, path);
    if (fault?.delayMs) await sleeper.sleep(fault.delayMs);
    if (fault?.status !== undefined) {
      if (fault.body !== undefined) reply(res, fault.status, fault.body);
      else replyError(res, fault.status, fault.message ?? `Injected failure ${fault.status}`, fault.reason);
      return;
    }
    if (fault?.dropAnswer) {
      // Handled in full, but the answer never reaches the client: a front end gives up with 503 after
      // the backend did the work, so the client cannot tell whether anything happened.
      await dispatch(method, path, query, body as Record<string, unknown> | undefined, { destroyed: true } as unknown as ServerResponse);
      replyError(res, 503, 'The service is currently unavailable.', 'backendError');
      return;
    }
    await dispatch(method, path, query, body as Record<string, unknown> | undefined, res);
  };

  const dispatch = async (
    method: string,
    path: string,
    query: Record<string, string>,
    body: Record<string, unknown> | undefined,
    res: ServerResponse,
  ): Promise<void> => {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== 'projects' || parts.length < 3) return replyError(res, 404, `Not found: URL ${path}`, 'notFound');
    const project = parts[1];
    if (project !== options.projectId) return replyError(res, 404, `Not found: Project ${project}`, 'notFound');
    const [, , collection, id, sub, subId, leaf] = parts;
    const key = `${method} ${collection}${id === undefined ? '' : '/:id'}${sub === undefined ? '' : `/${sub}`}${subId === undefined ? '' : '/:sub'}${leaf === undefined ? '' : '/?'}`;
    switch (key) {
      case 'POST jobs':
        return insertJob(ctx, res, project, body);
      case 'GET jobs':
        return listJobs(ctx, res, project, query);
      case 'GET jobs/:id':
        return getJob(ctx, res, project, id, query);
      case 'POST jobs/:id/cancel':
        return cancelJob(ctx, res, project, id, query);
      case 'GET queries/:id':
        return getQueryResults(ctx, res, project, id, query);
      case 'POST queries':
        return runQuery(ctx, res, project, body);
      case 'GET datasets':
        return listDatasets(options.engine, ctx.datasetLocation, res, project, query);
      case 'GET datasets/:id':
        return getDataset(options.engine, ctx.datasetLocation(id), res, project, id);
      case 'GET datasets/:id/tables':
        return listTables(options.engine, res, project, id, query);
      case 'GET datasets/:id/tables/:sub':
        return getTable(options.engine, ctx.datasetLocation(id), res, project, id, subId);
      default:
        return replyError(res, 404, `Not found: ${method} ${path}`, 'notFound');
    }
  };

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      replyError(res, 500, `Fake BigQuery failed: ${error instanceof Error ? error.message : String(error)}`, 'internalError');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    jobs,
    requests,
    inject: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    setJobDuration: (duration) => {
      ctx.jobDurationMs = asDuration(duration);
    },
    setCancelBehaviour: (behaviour) => {
      ctx.cancelBehaviour = behaviour;
    },
    close: async () => {
      sleeper.wakeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
