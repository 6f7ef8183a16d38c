/**
 * The fake refuses what BigQuery refuses (checked over raw HTTP), and the adapter passes each
 * strictness because it sends what BigQuery needs. Facts and sources: test/support/fake-bigquery/server.ts.
 */
process.env.GCE_METADATA_HOST = '127.0.0.1:1';

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { statementTypeKinds } from '../../../src/app/dry-run-check.js';
import { jobIdFor } from '../../../src/app/execution-saga.js';
import { boundedEstimate } from '../../../src/adapters/warehouse/bigquery-warehouse.js';
import { sanitiseLabels } from '../../../src/adapters/warehouse/bigquery-labels.js';
import { LedgergateError } from '../../../src/domain/errors.js';
import type { ExecuteRequest } from '../../../src/domain/ports.js';
import { PROJECT } from '../../support/fake-bigquery/fixtures.js';
import { startHarness, type Harness } from '../../support/fake-bigquery/harness.js';
import { documentedStatementTypes, statementTypeOf } from '../../support/fake-bigquery/statement-types.js';
import { JOB_ID, labelsProblem } from '../../support/fake-bigquery/validation.js';

const ORDERS = `SELECT * FROM \`${PROJECT}.sales.orders\` LIMIT 2`;

const request = (overrides: Partial<ExecuteRequest> = {}): ExecuteRequest => ({
  jobId: 'strict_1',
  sql: ORDERS,
  maxRows: 10,
  maxResultBytes: 1_000_000,
  timeoutMs: 5_000,
  ...overrides,
});

const call = async (h: Harness, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => {
  const res = await fetch(`${h.fake.url}/bigquery/v2/projects/${PROJECT}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
};

const insert = (h: Harness, jobId: string, query: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  call(h, 'POST', '/jobs', { jobReference: { projectId: PROJECT, jobId }, configuration: { query: { query: ORDERS, useLegacySql: false, ...query }, ...extra } });

describe('the strict fake BigQuery and an adapter that satisfies it', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      queries: {
        'SELECT 1 AS warned': {
          schema: [{ name: 'warned', type: 'INTEGER' }],
          rows: [[1]],
          totalBytesProcessed: 0,
          statementType: 'SELECT',
          referencedTables: [],
          warnings: [{ reason: 'invalidQuery', message: 'Some values could not be read' }],
        },
        'SELECT * FROM ext.logs': {
          schema: [{ name: 'line', type: 'STRING' }],
          rows: [],
          totalBytesProcessed: 0,
          totalBytesProcessedAccuracy: 'LOWER_BOUND',
          statementType: 'SELECT',
          referencedTables: [{ projectId: PROJECT, datasetId: 'sales', tableId: 'orders' }],
        },
        'SELECT * FROM capped.t': {
          schema: [{ name: 'x', type: 'STRING' }],
          rows: [],
          totalBytesProcessed: 4096,
          totalBytesProcessedAccuracy: 'UPPER_BOUND',
          statementType: 'SELECT',
          referencedTables: [{ projectId: PROJECT, datasetId: 'sales', tableId: 'orders' }],
        },
      },
    });
  });
  after(() => h.close());

  it('refuses job ids outside [A-Za-z0-9_-] or over 1,024 characters; the gateway derives only valid ones', async () => {
    assert.equal((await insert(h, 'bad id!', {})).status, 400);
    assert.equal((await insert(h, 'x'.repeat(1025), {})).status, 400);
    assert.equal(h.fake.jobs.size, 0);
    fc.assert(
      fc.property(fc.string({ maxLength: 3000 }), fc.integer({ min: 1, max: 99 }), (requestId, attempt) => {
        const id = jobIdFor(requestId, attempt);
        return JOB_ID.test(id) && id.length <= 1024;
      }),
    );
    const result = await h.warehouse.execute(request({ jobId: jobIdFor('req/with: odd chars ü') }));
    assert.equal(result.rows.length, 2);
  });

  it('refuses bad labels (too many, too long, upper case); the gateway sends only valid ones', async () => {
    assert.equal((await insert(h, 'lab1', {}, { labels: { Upper: 'x' } })).status, 400);
    assert.equal((await insert(h, 'lab2', {}, { labels: { k: 'v'.repeat(64) } })).status, 400);
    assert.equal((await insert(h, 'lab3', {}, { labels: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) })).status, 400);
    assert.equal((await insert(h, 'lab4', {}, { labels: { '1starts_with_digit': 'v' } })).status, 400);
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 80 }), fc.string({ maxLength: 80 }), { maxKeys: 100 }), (labels) => {
        return labelsProblem(sanitiseLabels(labels)) === undefined;
      }),
    );
    const labels = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`Key With Spaces ${i} ${'x'.repeat(70)}`, `VALUE/${i}@example.com`]));
    const result = await h.warehouse.execute(request({ jobId: 'strict_labels', labels }));
    assert.equal(result.rows.length, 2);
  });

  it('reads a request without useLegacySql:false as legacy SQL (which the fake refuses); the gateway always sends false', async () => {
    const legacy = await call(h, 'POST', '/jobs', { jobReference: { projectId: PROJECT, jobId: 'legacy1' }, configuration: { query: { query: ORDERS } } });
    assert.equal(legacy.json.status.errorResult.reason, 'invalidQuery');
    assert.match(legacy.json.status.errorResult.message, /legacy SQL/);
    await h.warehouse.execute(request({ jobId: 'strict_dialect' }));
    await h.warehouse.dryRun!(ORDERS);
    const sent = h.fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/jobs')).slice(-2);
    assert.deepEqual(sent.map((r) => (r.body as { configuration: { query: { useLegacySql: unknown } } }).configuration.query.useLegacySql), [false, false]);
  });

  it('treats errors[] without errorResult as warnings: the job succeeded (the Node client would have rejected it)', async () => {
    const result = await h.warehouse.execute(request({ jobId: 'strict_warned', sql: 'SELECT 1 AS warned' }));
    assert.deepEqual(result.rows, [[1]]); // positional: cell 0 is the column warned
    assert.deepEqual(result.warnings, ['invalidQuery']);
    assert.deepEqual(await h.warehouse.getJob('strict_warned'), { state: 'done' });
  });

  it('reports dry-run accuracy; only PRECISE and UPPER_BOUND make an estimate', async () => {
    assert.ok(Number.isNaN((await h.warehouse.dryRun!('SELECT * FROM ext.logs')).totalBytesProcessed), 'a LOWER_BOUND of 0 is no estimate');
    assert.equal((await h.warehouse.dryRun!('SELECT * FROM capped.t')).totalBytesProcessed, 4096);
    assert.ok((await h.warehouse.dryRun!(ORDERS)).totalBytesProcessed > 0);
    for (const accuracy of ['UNKNOWN', 'LOWER_BOUND', undefined, 'SOMETHING_NEW']) {
      assert.ok(Number.isNaN(boundedEstimate({ totalBytesProcessed: '10', totalBytesProcessedAccuracy: accuracy }, '10')), String(accuracy));
    }
  });

  it('honours jobTimeoutMs (best effort): the adapter sends the deadline with the job, so BigQuery stops it too', async () => {
    h.fake.setJobDuration(20_000);
    h.fake.setCancelBehaviour('immediate');
    try {
      await assert.rejects(h.warehouse.execute(request({ jobId: 'strict_timeout', timeoutMs: 300 })), (error: unknown) => error instanceof LedgergateError);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const job = h.fake.jobs.get('strict_timeout');
      assert.equal(job?.cancelRequests, undefined, 'no jobs.cancel was sent');
      assert.equal(job?.failure?.reason, 'stopped');
      assert.match(job?.failure?.message ?? '', /timed out/);
    } finally {
      h.fake.setJobDuration(0);
      h.fake.setCancelBehaviour({ afterMs: 50 });
    }
  });

  it('answers jobs.cancel at once while the job runs on; the adapter learns the end from jobs.get', async () => {
    h.fake.setJobDuration(20_000);
    h.fake.setCancelBehaviour({ afterMs: 200 });
    try {
      const running = h.warehouse.execute(request({ jobId: 'strict_cancel', timeoutMs: 5_000 })).catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await h.warehouse.cancel('strict_cancel');
      assert.deepEqual(await h.warehouse.getJob('strict_cancel'), { state: 'running' }, 'a cancel is a request, not a fact');
      const error = await running;
      assert.ok(error instanceof LedgergateError && error.details.reason === 'stopped');
      const state = await h.warehouse.getJob('strict_cancel');
      assert.equal(state.state === 'failed' && state.reason, 'stopped');
    } finally {
      h.fake.setJobDuration(0);
      h.fake.setCancelBehaviour({ afterMs: 50 });
    }
  });

  it('honours dryRun and requestId on jobs.query', async () => {
    const before = h.fake.jobs.size;
    const dry = await call(h, 'POST', '/queries', { query: ORDERS, useLegacySql: false, dryRun: true });
    assert.equal(dry.status, 200);
    assert.equal(typeof dry.json.totalBytesProcessed, 'string');
    assert.equal(h.fake.jobs.size, before, 'a dry run stores no job');
    const first = await call(h, 'POST', '/queries', { query: ORDERS, useLegacySql: false, requestId: 'rq-1' });
    const again = await call(h, 'POST', '/queries', { query: ORDERS, useLegacySql: false, requestId: 'rq-1' });
    assert.equal(first.json.queryId, again.json.queryId, 'the same requestId answers with the same job');
    assert.equal(h.fake.jobs.size, before + 1);
  });

  it('gives each statement kind its documented statementType, and the gateway maps every documented one', () => {
    const cases: [string, string][] = [
      ['CREATE VIEW d.v AS SELECT 1', 'CREATE_VIEW'],
      ['CREATE OR REPLACE TABLE d.t AS SELECT 1 AS x', 'CREATE_TABLE_AS_SELECT'],
      ['CREATE TABLE d.t (x INT64)', 'CREATE_TABLE'],
      ['CREATE MATERIALIZED VIEW d.mv AS SELECT 1', 'CREATE_MATERIALIZED_VIEW'],
      ['CREATE TEMP FUNCTION f() AS (1)', 'CREATE_FUNCTION'],
      ['CREATE ROW ACCESS POLICY p ON d.t GRANT TO ("user:a@b.c") FILTER USING (TRUE)', 'CREATE_ROW_ACCESS_POLICY'],
      ['DROP ALL ROW ACCESS POLICIES ON d.t', 'DROP_ALL_ROW_ACCESS_POLICIES'],
      ['DROP SEARCH INDEX i ON d.t', 'DROP_SEARCH_INDEX'],
      ['DROP SCHEMA d', 'DROP_SCHEMA'],
      ['ALTER MATERIALIZED VIEW d.mv SET OPTIONS (enable_refresh = false)', 'ALTER_MATERIALIZED_VIEW'],
      ['ASSERT (SELECT 1) = 1', 'ASSERT'],
      ['EXPORT MODEL d.m OPTIONS (uri = "gs://b/m")', 'EXPORT_MODEL'],
      ['TRUNCATE TABLE d.t', 'TRUNCATE_TABLE'],
      ['WITH a AS (SELECT 1) SELECT * FROM a', 'SELECT'],
    ];
    for (const [sql, type] of cases) assert.equal(statementTypeOf(sql), type, sql);
    const unmapped = [...documentedStatementTypes].filter((type) => !(type in statementTypeKinds));
    assert.deepEqual(unmapped, [], 'every documented statementType has a statement kind');
    assert.ok(!Object.values(statementTypeKinds).includes('unknown'));
  });
});
