/**
 * One fake BigQuery (REST on 127.0.0.1, real SQL through DuckDB) that several gateway processes
 * share, so tests can prove at-most-once across processes by counting jobs in one place.
 *
 * In the test process: `startSharedFakeBigQuery()` and pass `gatewayEnv` to each gateway.
 * As its own process (manual runs): `node --import tsx test/support/fake-bigquery/standalone.ts [port]`
 * prints the settings for a gateway, and serves the job counts at `GET /_fake/jobs` on a second port
 * (the optional argument).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDuckDbEngine, type DuckDbEngine } from './duckdb-engine.js';
import { isDone } from './jobs.js';
import { startFakeBigQuery, type FakeBigQuery, type FakeJob } from './server.js';

export const SHARED_PROJECT = 'demo-project';

export interface SharedFakeBigQuery {
  readonly fake: FakeBigQuery;
  readonly engine: DuckDbEngine;
  /** The settings that point a gateway at this fake (no Google credentials, no metadata probe). */
  readonly gatewayEnv: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export interface JobCount {
  readonly jobId: string;
  readonly insertAttempts: number;
  readonly statementType?: string;
  readonly affectedRows?: number;
  readonly state: 'done' | 'running' | 'failed';
  readonly failureReason?: string;
}

export const gatewayEnvFor = (url: string, projectId = SHARED_PROJECT): Record<string, string> => ({
  LEDGERGATE_WAREHOUSE: `bigquery:${projectId}`,
  LEDGERGATE_PROJECT: projectId,
  LEDGERGATE_BIGQUERY_ENDPOINT: url,
  LEDGERGATE_BIGQUERY_AUTH: 'none',
});

export async function startSharedFakeBigQuery(options: { jobDurationMs?: number | ((sql: string) => number); port?: number } = {}): Promise<SharedFakeBigQuery> {
  const engine = await createDuckDbEngine({ projectId: SHARED_PROJECT });
  const fake = await startFakeBigQuery({
    projectId: SHARED_PROJECT,
    engine,
    ...(options.jobDurationMs !== undefined ? { jobDurationMs: options.jobDurationMs } : {}),
  });
  return {
    fake,
    engine,
    gatewayEnv: gatewayEnvFor(fake.url),
    close: async () => {
      await fake.close();
      await engine.close();
    },
  };
}

/** What each stored job did: one entry per job id (a job id runs at most once by construction of the map). */
export const jobCounts = (jobs: ReadonlyMap<string, FakeJob>, now = Date.now()): JobCount[] =>
  [...jobs.values()].map((job) => ({
    jobId: job.jobId,
    insertAttempts: job.insertAttempts,
    ...(job.result ? { statementType: job.result.statementType } : {}),
    ...(job.result?.numDmlAffectedRows !== undefined ? { affectedRows: job.result.numDmlAffectedRows } : {}),
    state: !isDone(job, now) ? 'running' : job.failure ? 'failed' : 'done',
    ...(job.failure ? { failureReason: job.failure.reason } : {}),
  }));

if (import.meta.url === `file://${process.argv[1]}`) {
  const shared = await startSharedFakeBigQuery();
  // A second port for inspection: the fake's own routes answer only BigQuery's API.
  const inspector = createServer((req, res) => {
    if (req.url !== '/_fake/jobs') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jobCounts(shared.fake.jobs)));
  });
  const port = Number(process.argv[2] ?? 0);
  await new Promise<void>((resolve) => inspector.listen(port, '127.0.0.1', resolve));
  const lines = Object.entries(shared.gatewayEnv).map(([key, value]) => `export ${key}=${value}`);
  process.stdout.write(`fake BigQuery at ${shared.fake.url}\njobs at http://127.0.0.1:${(inspector.address() as AddressInfo).port}/_fake/jobs\n${lines.join('\n')}\n`);
  const stop = () => void shared.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
