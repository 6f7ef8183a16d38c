/**
 * The BigQuery warehouse adapter, driven through the real @google-cloud/bigquery client against a
 * local server that speaks BigQuery's REST API.
 */
process.env.GCE_METADATA_HOST = '127.0.0.1:1'; // a metadata probe would fail loudly, never leave the machine

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { estimateCostUsd } from '../../src/adapters/warehouse/bigquery-warehouse.js';
import { LedgergateError } from '../../src/domain/errors.js';
import type { ExecuteRequest } from '../../src/domain/ports.js';
import { recordsOf } from '../support/result-records.js';
import { allTypesExpected, PROJECT } from '../support/fake-bigquery/fixtures.js';
import { startHarness, type Harness } from '../support/fake-bigquery/harness.js';

const request = (overrides: Partial<ExecuteRequest> = {}): ExecuteRequest => ({
  jobId: 'lg_req_1',
  sql: 'SELECT * FROM `lg-test-project.sales.orders`',
  maxRows: 1000,
  maxResultBytes: 10 * 1024 * 1024,
  timeoutMs: 5_000,
  ...overrides,
});

const rejectsWith = async (work: Promise<unknown>, code: string): Promise<LedgergateError> => {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof LedgergateError, `expected a LedgergateError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected a ${code} failure`);
};

describe('BigQuery adapter: dry run and cost', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('reports statement type, referenced tables, bytes and schema without storing a job', async () => {
    const result = await h.warehouse.dryRun!('SELECT * FROM sales.customers');
    assert.equal(result.statementType, 'SELECT');
    assert.deepEqual(result.referencedTables, [{ project: PROJECT, dataset: 'sales', table: 'customers' }]);
    assert.ok(result.totalBytesProcessed > 0);
    assert.deepEqual(result.schema?.map((c) => [c.name, c.type, c.mode]), [
      ['id', 'INT64', 'REQUIRED'],
      ['email', 'STRING', 'NULLABLE'],
      ['address', 'STRUCT<city STRING, zip STRING>', 'NULLABLE'],
    ]);
    assert.equal(h.fake.jobs.size, 0);
    const sent = h.fake.requests.at(-1)!;
    assert.equal(sent.method, 'POST');
    assert.equal(sent.path, `/projects/${PROJECT}/jobs`);
    assert.equal((sent.body as { configuration: { dryRun: boolean } }).configuration.dryRun, true);
  });

  it('estimates the on-demand cost of the scanned bytes', async () => {
    const result = (await h.warehouse.dryRun!('SELECT * FROM sales.orders')) as unknown as { totalBytesProcessed: number; estimatedCostUsd: number };
    assert.equal(result.totalBytesProcessed, 5 * 1024 ** 3);
    assert.equal(result.estimatedCostUsd, (5 / 1024) * 6.25);
    assert.equal(estimateCostUsd(1024 ** 4), 6.25);
    assert.equal(estimateCostUsd(1024 ** 4, 5), 5);
    assert.equal(estimateCostUsd(1, 6.25), (10 * 1024 ** 2 / 1024 ** 4) * 6.25, 'BigQuery bills at least 10 MiB');
    assert.equal(estimateCostUsd(0), 0);
  });

  it('maps a dry run of bad SQL to query_invalid without echoing it', async () => {
    const error = await rejectsWith(h.warehouse.dryRun!('SELEC nonsense'), 'query_invalid');
    assert.doesNotMatch(error.message, /nonsense/);
  });
});

describe('BigQuery adapter: execution', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ warehouse: { pageSize: 40, maximumBytesBilled: 100 * 1024 ** 3 } });
  });
  after(() => h.close());

  it('creates the job with our job id, GoogleSQL, bytes cap, sanitised labels and job timeout', async () => {
    await h.warehouse.execute(request({ jobId: 'lg_labels', labels: { 'Request-ID': 'Req.42/ABC', principal: 'Alice@Example.com' } }));
    const insert = h.fake.requests.find((r) => r.method === 'POST' && r.path.endsWith('/jobs'))!;
    const body = insert.body as { jobReference: { jobId: string }; configuration: Record<string, any> };
    assert.equal(body.jobReference.jobId, 'lg_labels');
    assert.equal(body.configuration.query.useLegacySql, false);
    assert.equal(body.configuration.query.maximumBytesBilled, String(100 * 1024 ** 3));
    assert.equal(body.configuration.jobTimeoutMs, '5000');
    assert.deepEqual(body.configuration.labels, { 'request-id': 'req_42_abc', principal: 'alice_example_com' });
    assert.equal(insert.authorization, 'Bearer fake-token');
  });

  it('pages with maxResults and page tokens and stops at maxRows', async () => {
    const before = h.fake.requests.length;
    const result = await h.warehouse.execute(request({ jobId: 'lg_paging', maxRows: 100 }));
    assert.equal(result.rows.length, 100);
    assert.equal(result.totalRows, 250);
    assert.equal(result.truncated, true);
    assert.deepEqual(recordsOf(result)[0], { id: 1, name: 'name-1' });
    assert.deepEqual(recordsOf(result)[99], { id: 100, name: 'name-100' });
    const pages = h.fake.requests.slice(before).filter((r) => r.path.includes('/queries/'));
    assert.deepEqual(pages.map((r) => r.query.maxResults), ['40', '40', '20']);
    assert.equal(pages[0].query.pageToken, undefined);
    assert.ok(pages[1].query.pageToken && pages[2].query.pageToken);
    assert.ok(pages.every((r) => r.query['formatOptions.useInt64Timestamp'] === 'true'));
  });

  it('reads every page when the rows fit', async () => {
    const result = await h.warehouse.execute(request({ jobId: 'lg_all_pages', maxRows: 1000 }));
    assert.equal(result.rows.length, 250);
    assert.equal(result.truncated, false);
    assert.equal(result.bytesProcessed, 5 * 1024 ** 3);
    assert.deepEqual(result.columns, [
      { name: 'id', type: 'INT64', mode: 'REQUIRED' },
      { name: 'name', type: 'STRING', mode: 'NULLABLE' },
    ]);
  });

  it('stops storing rows at maxResultBytes', async () => {
    const rowBytes = Buffer.byteLength(JSON.stringify([1, 'name-1'])); // rows are positional cells
    const result = await h.warehouse.execute(request({ jobId: 'lg_bytes', maxResultBytes: rowBytes * 5 }));
    assert.equal(result.rows.length, 5);
    assert.equal(result.truncated, true);
    assert.equal(result.totalRows, 250);
  });

  it('maps every BigQuery type faithfully', async () => {
    const result = await h.warehouse.execute(request({ jobId: 'lg_types', sql: 'SELECT * FROM types.all_types' }));
    assert.deepEqual(recordsOf(result), [allTypesExpected]);
    const types = Object.fromEntries(result.columns.map((c) => [c.name, c.type]));
    assert.equal(types.big_int, 'INT64');
    assert.equal(types.f_nan, 'FLOAT64');
    assert.equal(types.flag, 'BOOL');
    assert.equal(types.rec, 'STRUCT<a INT64, tags ARRAY<STRING>, inner STRUCT<x FLOAT64>>');
    assert.equal(types.ints, 'ARRAY<INT64>');
    assert.equal(types.recs, 'ARRAY<STRUCT<k STRING>>');
    assert.equal(types.bignum, 'BIGNUMERIC');
  });

  it('fetches the existing job on a duplicate job id instead of running the query again', async () => {
    const first = await h.warehouse.execute(request({ jobId: 'lg_retry', maxRows: 10 }));
    const requestsBefore = h.fake.requests.length;
    const second = await h.warehouse.execute(request({ jobId: 'lg_retry', maxRows: 10 }));
    assert.deepEqual(second.rows, first.rows);
    assert.equal(second.jobId, 'lg_retry');
    assert.equal(h.fake.jobs.get('lg_retry')!.insertAttempts, 2, 'the second insert was answered 409');
    assert.equal([...h.fake.jobs.keys()].filter((id) => id === 'lg_retry').length, 1);
    const after = h.fake.requests.slice(requestsBefore).map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(after.slice(0, 3), [
      `POST /projects/${PROJECT}/jobs`,
      `GET /projects/${PROJECT}/jobs/lg_retry`,
      `GET /projects/${PROJECT}/queries/lg_retry`,
    ]);
  });

  it('reports a duplicate whose earlier job failed as that failure', async () => {
    await rejectsWith(h.warehouse.execute(request({ jobId: 'lg_dup_bad', sql: 'SELEC 1' })), 'query_invalid');
    await rejectsWith(h.warehouse.execute(request({ jobId: 'lg_dup_bad', sql: 'SELEC 1' })), 'query_invalid');
    assert.equal(h.fake.jobs.get('lg_dup_bad')!.insertAttempts, 2);
  });

  it('fails with bytes_billed_exceeded when the job would bill more than allowed', async () => {
    const error = await rejectsWith(
      h.warehouse.execute(request({ jobId: 'lg_billed', maximumBytesBilled: 1_000_000 })),
      'bytes_billed_exceeded',
    );
    assert.equal(error.details.maximumBytesBilled, 1_000_000);
    assert.equal(error.details.requiredBytesBilled, 5 * 1024 ** 3);
    const state = await h.warehouse.getJob('lg_billed');
    assert.equal(state.state, 'failed');
    assert.equal(state.state === 'failed' && state.code, 'bytes_billed_exceeded');
    await rejectsWith(h.warehouse.getResults('lg_billed', 10, 10_000), 'bytes_billed_exceeded');
  });

  it('reads results of a finished job again, and not_found for an unknown one', async () => {
    await h.warehouse.execute(request({ jobId: 'lg_again', maxRows: 3 }));
    const again = await h.warehouse.getResults('lg_again', 5, 1_000_000);
    assert.deepEqual(recordsOf(again).map((r) => r.id), [1, 2, 3, 4, 5]);
    assert.equal(again.truncated, true);
    assert.deepEqual(await h.warehouse.getJob('lg_again'), { state: 'done' });
    assert.deepEqual(await h.warehouse.getJob('never_ran'), { state: 'unknown' });
    await rejectsWith(h.warehouse.getResults('never_ran', 5, 1000), 'not_found');
  });
});

describe('BigQuery adapter: slow jobs, cancellation, timeouts', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ warehouse: { pageSize: 100 } });
  });
  after(() => h.close());

  it('waits for a running job and reports it as running meanwhile', async () => {
    h.fake.setJobDuration(600);
    try {
      const running = h.warehouse.execute(request({ jobId: 'lg_slow_ok', maxRows: 5 }));
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.deepEqual(await h.warehouse.getJob('lg_slow_ok'), { state: 'running' });
      const result = await running;
      assert.equal(result.rows.length, 5);
    } finally {
      h.fake.setJobDuration(0);
    }
  });

  it('gives up with warehouse_timeout within the request timeout when the job runs on', async () => {
    h.fake.setJobDuration(20_000);
    try {
      const started = Date.now();
      await rejectsWith(h.warehouse.execute(request({ jobId: 'lg_slow', timeoutMs: 400 })), 'warehouse_timeout');
      assert.ok(Date.now() - started < 1_500, `took ${Date.now() - started} ms`);
    } finally {
      h.fake.setJobDuration(0);
    }
  });

  it('never abandons an in-flight jobs.insert: the deadline applies to the job, so the job it created is the one that times out', async () => {
    h.fake.setJobDuration(20_000);
    h.fake.inject({ path: /\/jobs$/, method: 'POST', delayMs: 700 });
    try {
      const started = Date.now();
      await rejectsWith(h.warehouse.execute(request({ jobId: 'lg_slow_api', timeoutMs: 300 })), 'warehouse_timeout');
      assert.ok(Date.now() - started >= 650, 'the insert was awaited past the deadline');
      assert.equal(h.fake.jobs.get('lg_slow_api')?.insertAttempts, 1, 'the job exists, created once, so a cancel can reach it');
    } finally {
      h.fake.setJobDuration(0);
    }
  });

  it('cancels a running job; its execution then fails as stopped', async () => {
    h.fake.setJobDuration(20_000);
    try {
      const running = h.warehouse.execute(request({ jobId: 'lg_cancel', timeoutMs: 5_000 }));
      await new Promise((resolve) => setTimeout(resolve, 150));
      await h.warehouse.cancel('lg_cancel');
      const error = await rejectsWith(running, 'query_failed');
      assert.equal(error.details.reason, 'stopped');
      const state = await h.warehouse.getJob('lg_cancel');
      assert.equal(state.state, 'failed');
    } finally {
      h.fake.setJobDuration(0);
    }
    await rejectsWith(h.warehouse.cancel('no_such_job'), 'not_found');
  });
});

describe('BigQuery adapter: retries and error mapping', () => {
  it('retries a 5xx and succeeds without creating a second job', async () => {
    const h = await startHarness({ warehouse: { retry: { maxRetries: 3, maxDelayMs: 20 } } });
    try {
      h.fake.inject({ path: /\/jobs$/, method: 'POST', status: 503, times: 1 });
      h.fake.inject({ path: /\/queries\//, method: 'GET', status: 500, times: 2 });
      const result = await h.warehouse.execute(request({ jobId: 'lg_flaky', maxRows: 2 }));
      assert.equal(result.rows.length, 2);
      assert.equal(h.fake.jobs.size, 1);
      assert.equal(h.fake.requests.filter((r) => r.method === 'POST').length, 2);
      assert.equal(h.fake.requests.filter((r) => r.path.includes('/queries/')).length, 3);
    } finally {
      await h.close();
    }
  });

  it('maps request failures by reason and status', async () => {
    const h = await startHarness();
    try {
      const cases: [number, string | undefined, string][] = [
        [500, 'backendError', 'warehouse_unavailable'],
        [503, undefined, 'warehouse_unavailable'],
        [403, 'accessDenied', 'warehouse_permission_denied'],
        [403, 'quotaExceeded', 'warehouse_quota_exceeded'],
        [403, 'rateLimitExceeded', 'warehouse_quota_exceeded'],
        [404, 'notFound', 'not_found'],
        [400, 'invalidQuery', 'query_invalid'],
        [401, undefined, 'warehouse_permission_denied'],
      ];
      for (const [i, [status, reason, code]] of cases.entries()) {
        h.fake.inject({ path: /\/jobs$/, method: 'POST', status, reason, message: `failure 'secret-${i}' 123456789` });
        const error = await rejectsWith(h.warehouse.execute(request({ jobId: `lg_err_${i}` })), code);
        assert.doesNotMatch(error.message, /secret|123456789/);
      }
    } finally {
      await h.close();
    }
  });

  it('maps a refused connection to warehouse_unavailable', async () => {
    const h = await startHarness();
    await h.close();
    await rejectsWith(h.warehouse.execute(request({ jobId: 'lg_gone' })), 'warehouse_unavailable');
  });
});

describe('BigQuery adapter: catalog', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('lists datasets and tables and describes a table with modes and nested fields', async () => {
    assert.deepEqual(await h.warehouse.listDatasets(), ['sales', 'types']);
    assert.deepEqual(await h.warehouse.listTables('sales'), [
      { project: PROJECT, dataset: 'sales', table: 'customers' },
      { project: PROJECT, dataset: 'sales', table: 'orders' },
    ]);
    const table = await h.warehouse.getTable({ project: PROJECT, dataset: 'sales', table: 'customers' });
    assert.deepEqual(table?.columns, [
      { name: 'id', type: 'INT64', mode: 'REQUIRED' },
      { name: 'email', type: 'STRING', mode: 'NULLABLE' },
      {
        name: 'address',
        type: 'STRUCT<city STRING, zip STRING>',
        mode: 'NULLABLE',
        fields: [
          { name: 'city', type: 'STRING', mode: 'NULLABLE' },
          { name: 'zip', type: 'STRING', mode: 'NULLABLE' },
        ],
      },
    ]);
    assert.equal(await h.warehouse.getTable({ project: PROJECT, dataset: 'sales', table: 'nope' }), undefined);
  });

  it('answers repeated catalog calls from its cache with a stable version', async () => {
    const version = h.warehouse.version();
    const before = h.fake.requests.length;
    await h.warehouse.listDatasets();
    await h.warehouse.getTable({ project: PROJECT, dataset: 'sales', table: 'customers' });
    assert.equal(h.fake.requests.length, before);
    assert.equal(h.warehouse.version(), version);
  });
});
