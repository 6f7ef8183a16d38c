/** The fake's wire format, checked over raw HTTP against BIGQUERY-REST.md. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cannedEngine } from '../../support/fake-bigquery/canned-engine.js';
import { startFakeBigQuery, type FakeBigQuery } from '../../support/fake-bigquery/server.js';

const P = 'wire-project';
const engine = cannedEngine(
  [
    {
      datasetId: 'd',
      tableId: 't',
      schema: [
        { name: 'id', type: 'INTEGER', mode: 'REQUIRED' },
        { name: 'at', type: 'TIMESTAMP' },
        { name: 'r', type: 'RECORD', fields: [{ name: 'xs', type: 'INTEGER', mode: 'REPEATED' }] },
      ],
      rows: [
        [1, 1672574400123456n, { xs: [1, 2] }],
        [2, null, null],
        [3, 0n, { xs: [] }],
      ],
      numBytes: 20 * 1024 * 1024,
    },
  ],
  { projectId: P },
);

describe('fake BigQuery wire format', () => {
  let fake: FakeBigQuery;
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => {
    const res = await fetch(`${fake.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  };
  const insert = (jobId: string, query: string, extra: Record<string, unknown> = {}, location?: string) =>
    call('POST', `/bigquery/v2/projects/${P}/jobs`, {
      jobReference: { projectId: P, jobId, ...(location ? { location } : {}) },
      configuration: { query: { query, useLegacySql: false, ...extra } },
    });

  before(async () => {
    fake = await startFakeBigQuery({ projectId: P, engine });
  });
  after(() => fake.close());

  it('answers jobs.insert with a Job resource, int64 statistics as strings, on both path prefixes', async () => {
    const { status, json } = await insert('w1', 'SELECT * FROM d.t');
    assert.equal(status, 200);
    assert.equal(json.kind, 'bigquery#job');
    assert.equal(json.id, `${P}:US.w1`);
    assert.deepEqual(json.jobReference, { projectId: P, jobId: 'w1', location: 'US' });
    assert.equal(json.status.state, 'DONE');
    assert.equal(json.statistics.query.totalBytesProcessed, String(20 * 1024 * 1024));
    assert.equal(typeof json.statistics.creationTime, 'string');
    assert.deepEqual(json.statistics.query.referencedTables, [{ projectId: P, datasetId: 'd', tableId: 't' }]);
    const direct = await call('GET', `/projects/${P}/jobs/w1`);
    assert.equal(direct.status, 200);
    assert.equal(direct.json.jobReference.jobId, 'w1');
  });

  it('answers a duplicate job id with 409 Already Exists in Google’s envelope', async () => {
    await insert('w_dup', 'SELECT * FROM d.t');
    const { status, json } = await insert('w_dup', 'SELECT * FROM d.t');
    assert.equal(status, 409);
    assert.deepEqual(json.error.errors, [{ message: `Already Exists: Job ${P}:US.w_dup`, domain: 'global', reason: 'duplicate' }]);
    assert.equal(json.error.code, 409);
    assert.equal(fake.jobs.get('w_dup')?.insertAttempts, 2);
  });

  it('finds a regional job only with its location; a multi-region (US, EU) job also without', async () => {
    const placed = await insert('w_regional', 'SELECT * FROM d.t', {}, 'europe-west2');
    assert.equal(placed.json.status.errorResult.reason, 'notFound', 'the data lives in US, so a job sent to europe-west2 cannot read it');
    assert.match(placed.json.status.errorResult.message, /not found in location europe-west2/);
    assert.equal((await call('GET', `/bigquery/v2/projects/${P}/jobs/w_regional`)).status, 404);
    assert.equal((await call('GET', `/bigquery/v2/projects/${P}/jobs/w_regional?location=US`)).status, 404);
    assert.equal((await call('GET', `/bigquery/v2/projects/${P}/jobs/w_regional?location=europe-west2`)).status, 200);
    const missing = await call('GET', `/bigquery/v2/projects/${P}/queries/w_regional`);
    assert.equal(missing.json.error.errors[0].reason, 'notFound');
    await insert('w_eu', 'SELECT * FROM d.t', {}, 'EU');
    assert.equal((await call('GET', `/bigquery/v2/projects/${P}/jobs/w_eu`)).status, 200, 'EU is a multi-region');
  });

  it('pages rows as f/v cells with timestamps in the requested format', async () => {
    await insert('w_rows', 'SELECT * FROM d.t');
    const first = await call('GET', `/bigquery/v2/projects/${P}/queries/w_rows?maxResults=2&formatOptions.useInt64Timestamp=true`);
    assert.equal(first.json.kind, 'bigquery#getQueryResultsResponse');
    assert.equal(first.json.totalRows, '3');
    assert.equal(first.json.schema.fields[2].type, 'RECORD');
    assert.deepEqual(first.json.rows, [
      { f: [{ v: '1' }, { v: '1672574400123456' }, { v: { f: [{ v: [{ v: '1' }, { v: '2' }] }] } }] },
      { f: [{ v: '2' }, { v: null }, { v: null }] },
    ]);
    const second = await call('GET', `/bigquery/v2/projects/${P}/queries/w_rows?maxResults=2&pageToken=${first.json.pageToken}`);
    assert.equal(second.json.pageToken, undefined);
    assert.deepEqual(second.json.rows[0].f[1], { v: '0E0' });
    const iso = await call('GET', `/bigquery/v2/projects/${P}/queries/w_rows?maxResults=1&formatOptions.timestampOutputFormat=ISO8601_STRING`);
    assert.equal(iso.json.rows[0].f[1].v, '2023-01-01T12:00:00.123456Z');
    const float = await call('GET', `/bigquery/v2/projects/${P}/queries/w_rows?maxResults=1`);
    assert.equal(float.json.rows[0].f[1].v, '1.672574400123456E9');
    const skip = await call('GET', `/bigquery/v2/projects/${P}/queries/w_rows?startIndex=2`);
    assert.equal(skip.json.rows[0].f[0].v, '3');
  });

  it('reports a running job as jobComplete:false after holding the request for timeoutMs', async () => {
    fake.setJobDuration(5_000);
    try {
      await insert('w_slow', 'SELECT * FROM d.t');
      const started = Date.now();
      const { json } = await call('GET', `/bigquery/v2/projects/${P}/queries/w_slow?timeoutMs=100`);
      assert.ok(Date.now() - started >= 90);
      assert.deepEqual(json, { kind: 'bigquery#getQueryResultsResponse', jobReference: { projectId: P, jobId: 'w_slow', location: 'US' }, jobComplete: false });
      assert.equal((await call('GET', `/bigquery/v2/projects/${P}/jobs/w_slow`)).json.status.state, 'RUNNING');
      const cancelled = await call('POST', `/bigquery/v2/projects/${P}/jobs/w_slow/cancel`);
      assert.equal(cancelled.json.kind, 'bigquery#jobCancelResponse');
      assert.equal(cancelled.json.job.status.state, 'RUNNING', 'jobs.cancel returns at once; the job has not stopped yet');
      let job = cancelled.json.job;
      for (let i = 0; i < 100 && job.status.state !== 'DONE'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        job = (await call('GET', `/bigquery/v2/projects/${P}/jobs/w_slow`)).json;
      }
      assert.equal(job.status.errorResult.reason, 'stopped');
    } finally {
      fake.setJobDuration(0);
    }
  });

  it('fails bad SQL at insert with 200 DONE + errorResult, and 400 on getQueryResults', async () => {
    const { status, json } = await insert('w_bad', 'SELEC 1');
    assert.equal(status, 200);
    assert.equal(json.status.state, 'DONE');
    assert.equal(json.status.errorResult.reason, 'invalidQuery');
    const results = await call('GET', `/bigquery/v2/projects/${P}/queries/w_bad`);
    assert.equal(results.status, 400);
    assert.equal(results.json.error.errors[0].reason, 'invalidQuery');
  });

  it('fails a job over maximumBytesBilled with the documented message', async () => {
    const { json } = await insert('w_billed', 'SELECT * FROM d.t', { maximumBytesBilled: '1000000' });
    assert.deepEqual(json.status.errorResult, {
      reason: 'bytesBilledLimitExceeded',
      message: `Query exceeded limit for bytes billed: 1000000. ${20 * 1024 * 1024} or higher required.`,
    });
    assert.equal((await call('GET', `/bigquery/v2/projects/${P}/queries/w_billed`)).status, 400);
  });

  it('describes tables and lists datasets and tables with paging', async () => {
    const table = await call('GET', `/bigquery/v2/projects/${P}/datasets/d/tables/t`);
    assert.equal(table.json.kind, 'bigquery#table');
    assert.equal(table.json.schema.fields[2].fields[0].mode, 'REPEATED');
    assert.equal((await call('GET', `/bigquery/v2/projects/${P}/datasets/d/tables/zz`)).status, 404);
    const datasets = await call('GET', `/bigquery/v2/projects/${P}/datasets`);
    assert.deepEqual(datasets.json.datasets.map((d: any) => d.datasetReference.datasetId), ['d']);
    const tables = await call('GET', `/bigquery/v2/projects/${P}/datasets/d/tables?maxResults=1`);
    assert.equal(tables.json.totalItems, 1);
    assert.equal(tables.json.nextPageToken, undefined);
  });

  it('injects a fault for a set number of matching requests', async () => {
    fake.inject({ path: /\/datasets$/, method: 'GET', status: 503, times: 2 });
    assert.equal((await call('GET', `/bigquery/v2/projects/${P}/datasets`)).status, 503);
    const second = await call('GET', `/bigquery/v2/projects/${P}/datasets`);
    assert.equal(second.json.error.errors[0].reason, 'backendError');
    assert.equal((await call('GET', `/bigquery/v2/projects/${P}/datasets`)).status, 200);
  });

  it('runs jobs.query with a queryId and an immediate 400 for bad SQL', async () => {
    const ok = await call('POST', `/bigquery/v2/projects/${P}/queries`, { query: 'SELECT * FROM d.t', useLegacySql: false, formatOptions: { useInt64Timestamp: true } });
    assert.equal(ok.json.kind, 'bigquery#queryResponse');
    assert.equal(ok.json.jobComplete, true);
    assert.equal(ok.json.rows.length, 3);
    assert.equal(ok.json.queryId, ok.json.jobReference.jobId);
    const bad = await call('POST', `/bigquery/v2/projects/${P}/queries`, { query: 'SELEC 1' });
    assert.equal(bad.status, 400);
  });
});
