/**
 * A local HTTP server that answers BigQuery's REST API v2 (the subset the Node client uses) with
 * realistic payloads, errors and timing. Serves both /bigquery/v2/projects/… (apiEndpoint) and
 * /projects/… (BIGQUERY_EMULATOR_HOST). Listens on 127.0.0.1 only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getDataset, getTable, listDatasets, listTables } from './catalog-routes.js';
import { FaultList, readJson, reply, replyError, Sleeper, type Fault, type LoggedRequest } from './http-kit.js';
import { cancelJob, getJob, getQueryResults, insertJob, runQuery, type JobContext } from './job-routes.js';
import type { FakeJob } from './jobs.js';
import type { QueryEngine } from './types.js';

export type { Fault, LoggedRequest } from './http-kit.js';
export type { FakeJob } from './jobs.js';

export interface FakeBigQueryOptions {
  readonly projectId: string;
  readonly engine: QueryEngine;
  /** Where jobs run when the client names no location (default US). */
  readonly location?: string;
  /** How long a job stays RUNNING (default 0: done at once). */
  readonly jobDurationMs?: number | ((sql: string) => number);
  /** Rows per getQueryResults page when the client sends no maxResults (default 10 000). */
  readonly pageSize?: number;
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
      case 'GET jobs/:id':
        return getJob(ctx, res, project, id, query);
      case 'POST jobs/:id/cancel':
        return cancelJob(ctx, res, project, id, query);
      case 'GET queries/:id':
        return getQueryResults(ctx, res, project, id, query);
      case 'POST queries':
        return runQuery(ctx, res, project, body);
      case 'GET datasets':
        return listDatasets(options.engine, location, res, project, query);
      case 'GET datasets/:id':
        return getDataset(options.engine, location, res, project, id);
      case 'GET datasets/:id/tables':
        return listTables(options.engine, res, project, id, query);
      case 'GET datasets/:id/tables/:sub':
        return getTable(options.engine, location, res, project, id, subId);
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
    close: async () => {
      sleeper.wakeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
