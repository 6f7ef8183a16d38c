/**
 * The saga and the BigQuery adapter against the strict fake (test/support/fake-bigquery): regional
 * jobs, cancellation BigQuery only confirms later, transient job failures, scripts, and dry-run
 * estimates that are only bounds. Each test passes because the gateway does what BigQuery needs,
 * not because the fake forgives it.
 */
process.env.GCE_METADATA_HOST = '127.0.0.1:1';

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crossCheckDryRun } from '../../../src/app/dry-run-check.js';
import { jobIdFor } from '../../../src/app/execution-saga.js';
import { openBigQueryWarehouse } from '../../../src/adapters/warehouse/bigquery-warehouse.js';
import { evaluatePolicy } from '../../../src/domain/policy/evaluate.js';
import type { Warehouse } from '../../../src/domain/ports.js';
import { cannedEngine } from '../../support/fake-bigquery/canned-engine.js';
import { staticTokenAuthClient } from '../../support/fake-bigquery/fake-auth.js';
import { PROJECT, standardTables } from '../../support/fake-bigquery/fixtures.js';
import { startFakeBigQuery, type FakeBigQuery, type FakeBigQueryOptions } from '../../support/fake-bigquery/server.js';
import { createDuckDbEngine } from '../../support/fake-bigquery/duckdb-engine.js';
import { EngineError, type QueryEngine } from '../../support/fake-bigquery/types.js';
import { analyse, shippedPolicy } from '../policy-corpus/decide.js';
import { createSagaWorld } from './saga-harness.js';

const ORDERS = `SELECT * FROM \`${PROJECT}.sales.orders\` LIMIT 3`;
const REGION = 'europe-west2';

const opened: { close(): Promise<void> }[] = [];
after(async () => {
  for (const item of opened.reverse()) await item.close();
});

async function setUp(
  fakeOptions: Partial<Omit<FakeBigQueryOptions, 'projectId' | 'engine'>> = {},
  engine: QueryEngine = cannedEngine(standardTables(), { projectId: PROJECT }),
): Promise<{ fake: FakeBigQuery; warehouse: Warehouse }> {
  const fake = await startFakeBigQuery({ projectId: PROJECT, engine, ...fakeOptions });
  // No location configured: the gateway must learn it, as with LEDGERGATE_BIGQUERY_LOCATION unset.
  const warehouse = await openBigQueryWarehouse({
    projectId: PROJECT,
    apiEndpoint: fake.url,
    authClient: staticTokenAuthClient(),
    retry: { maxRetries: 0 },
    requestTimeoutMs: 5_000,
  });
  opened.push(fake, warehouse);
  return { fake, warehouse };
}

/** Every request the fake received about one job (by path or by the job id in the insert body). */
const callsFor = (fake: FakeBigQuery, jobId: string) =>
  fake.requests.filter(
    (r) => r.path.includes(`/${jobId}`) || (r.body as { jobReference?: { jobId?: string } } | undefined)?.jobReference?.jobId === jobId,
  );

const locationOf = (r: FakeBigQuery['requests'][number]): string | undefined =>
  r.query.location ?? (r.body as { jobReference?: { location?: string } } | undefined)?.jobReference?.location;

describe('a regional job (europe-west2) with no location configured', () => {
  it('is looked up with its learnt location, recorded with ExecutionStarted, and resumed after a crash', async () => {
    const { fake, warehouse } = await setUp({ location: REGION });
    const world = createSagaWorld({ warehouse });
    await world.submit('reg-resume', ORDERS);
    // The gateway died after its job ran: the claim and the job exist, the outcome does not.
    const location = await warehouse.jobLocation!(ORDERS);
    assert.equal(location, REGION, 'learnt from the datasets the query reads (the dry run names it)');
    await world.repository.handle('reg-resume', { type: 'StartExecution', jobId: jobIdFor('reg-resume'), warehouse: 'bigquery', resumed: false, location }, {});
    await warehouse.execute({ jobId: jobIdFor('reg-resume'), sql: ORDERS, maxRows: 10, maxResultBytes: 1e6, timeoutMs: 5_000, location });
    assert.deepEqual(await warehouse.getJob(jobIdFor('reg-resume')), { state: 'unknown' }, 'without its location the job is invisible');
    const resumeStart = fake.requests.length;

    await world.saga().execute('reg-resume', { resume: true });
    const events = await world.events('reg-resume');
    const starts = events.filter((e) => e.type === 'ExecutionStarted');
    assert.deepEqual(starts.map((e) => e.data.location), [REGION, REGION]);
    const succeeded = events.find((e) => e.type === 'ExecutionSucceeded');
    assert.equal(succeeded?.data.rowCount, 3, 'the job that ran is recorded as succeeded, not failed as not found');
    assert.equal(fake.jobs.get(jobIdFor('reg-resume'))?.insertAttempts, 1, 'never run twice');
    const byGateway = [callsFor(fake, jobIdFor('reg-resume'))[0], ...callsFor({ ...fake, requests: fake.requests.slice(resumeStart) } as FakeBigQuery, jobIdFor('reg-resume'))];
    assert.ok(byGateway.length >= 3, 'the insert, then the resume looked the job up and read its results');
    assert.deepEqual([...new Set(byGateway.map(locationOf))], [REGION], 'every call for the job names its location');
  });

  it('resumes a start from an older log that recorded no location: the location is learnt, the job found, not failed', async () => {
    const { fake, warehouse } = await setUp({ location: REGION });
    const world = createSagaWorld({ warehouse });
    await world.submit('reg-old-log', ORDERS);
    await world.repository.handle('reg-old-log', { type: 'StartExecution', jobId: jobIdFor('reg-old-log'), warehouse: 'bigquery', resumed: false }, {});
    await warehouse.execute({ jobId: jobIdFor('reg-old-log'), sql: ORDERS, maxRows: 10, maxResultBytes: 1e6, timeoutMs: 5_000, location: REGION });
    await world.saga().execute('reg-old-log', { resume: true });
    const events = await world.events('reg-old-log');
    assert.deepEqual(events.filter((e) => e.type === 'ExecutionStarted').map((e) => e.data.location), [undefined, REGION]);
    assert.ok(events.some((e) => e.type === 'ExecutionSucceeded'));
    assert.equal(fake.jobs.get(jobIdFor('reg-old-log'))?.insertAttempts, 1);
  });

  it('fails a new request whose location cannot be learnt, before any job exists', async () => {
    const { fake, warehouse } = await setUp({ location: REGION });
    const world = createSagaWorld({ warehouse });
    await world.submit('reg-unreachable', ORDERS);
    fake.inject({ path: /\/jobs$/, method: 'POST', status: 503 });
    await world.saga().execute('reg-unreachable');
    const events = await world.events('reg-unreachable');
    assert.ok(!events.some((e) => e.type === 'ExecutionStarted'));
    assert.equal(events.find((e) => e.type === 'ExecutionFailed')?.data.code, 'warehouse_unavailable');
    assert.equal(fake.jobs.size, 0);
  });

  it('finds the regional job when the insert answer is lost, whether the retry answers 409 or none is made', async () => {
    const { fake, warehouse } = await setUp({ location: REGION });
    const retrying = await openBigQueryWarehouse({
      projectId: PROJECT,
      apiEndpoint: fake.url,
      authClient: staticTokenAuthClient(),
      retry: { maxRetries: 2, maxDelayMs: 20 },
    });
    opened.push(retrying);
    for (const [jobId, client, inserts] of [['lost_no_retry', warehouse, 1], ['lost_then_409', retrying, 2]] as const) {
      fake.inject({ path: /\/jobs$/, method: 'POST', dropAnswer: true });
      const result = await client.execute({ jobId, sql: ORDERS, maxRows: 10, maxResultBytes: 1e6, timeoutMs: 5_000, location: REGION });
      assert.equal(result.rows.length, 3, jobId);
      assert.equal(fake.jobs.get(jobId)?.insertAttempts, inserts, `${jobId}: the query ran once`);
      assert.deepEqual([...new Set(callsFor(fake, jobId).map(locationOf))], [REGION], `${jobId}: every call names the location`);
    }
  });

  it('is cancelled at the deadline and recorded as stopped only once BigQuery confirms it', async () => {
    const { fake, warehouse } = await setUp({ location: REGION, jobDurationMs: 20_000, cancel: { afterMs: 300 } });
    const world = createSagaWorld({ warehouse });
    await world.submit('reg-cancel', ORDERS);
    await world.saga({ timeoutMs: 300, settings: { cancelPollMs: 50, cancelConfirmMs: 5_000 } }).execute('reg-cancel');
    const jobId = jobIdFor('reg-cancel');
    const cancels = fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/jobs/${jobId}/cancel`));
    assert.equal(cancels.length, 1);
    assert.equal(cancels[0].query.location, REGION);
    const polls = fake.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/jobs/${jobId}`));
    assert.ok(polls.length >= 2, 'jobs.get was polled until the job was DONE');
    assert.equal(fake.jobs.get(jobId)?.failure?.reason, 'stopped');
    const failed = (await world.events('reg-cancel')).find((e) => e.type === 'ExecutionFailed');
    assert.equal(failed?.data.code, 'warehouse_timeout');
    assert.match(String(failed?.data.message), /confirmed it stopped/);
  });
});

describe('a cancel the job outruns', () => {
  it('is recorded as succeeded with the result, the cancel noted', async () => {
    // BigQuery ignores the cancel (it may: "the job may still complete"); the job ends 700 ms in.
    const { fake, warehouse } = await setUp({ jobDurationMs: 700, cancel: 'ignored' });
    const world = createSagaWorld({ warehouse });
    await world.submit('outrun', ORDERS);
    await world.saga({ timeoutMs: 250, settings: { cancelPollMs: 50, cancelConfirmMs: 5_000 } }).execute('outrun');
    assert.equal(fake.jobs.get(jobIdFor('outrun'))?.cancelRequests, 1);
    const events = await world.events('outrun');
    assert.ok(!events.some((e) => e.type === 'ExecutionFailed'), 'not recorded as timed out: the job ran to the end');
    const succeeded = events.find((e) => e.type === 'ExecutionSucceeded');
    assert.equal(succeeded?.data.cancelRequested, true);
    assert.equal(succeeded?.data.rowCount, 3);
  });
});

describe('a write past its deadline, on data that really changes', () => {
  it('commits when it outruns the cancel and is recorded as succeeded; changes nothing when stopped and is recorded as such', async () => {
    const engine = await createDuckDbEngine({ projectId: 'demo-project' });
    opened.push(engine);
    const fake = await startFakeBigQuery({ projectId: 'demo-project', engine, jobDurationMs: 600 });
    const warehouse = await openBigQueryWarehouse({ projectId: 'demo-project', apiEndpoint: fake.url, authClient: staticTokenAuthClient(), retry: { maxRetries: 0 } });
    opened.push(fake, warehouse);
    const world = createSagaWorld({ warehouse });
    const insert = (key: number) =>
      `INSERT INTO sales.orders (order_id, customer_id, amount, currency, status, ordered_at) VALUES (${key}, 1, 1.25, 'EUR', 'paid', TIMESTAMP '2024-07-01 00:00:00')`;
    const orderCount = () => engine.countRows('sales', 'orders');
    const before = await orderCount();
    const saga = world.saga({ timeoutMs: 200, settings: { cancelPollMs: 50, cancelConfirmMs: 5_000 } });

    fake.setCancelBehaviour({ afterMs: 2_000 }); // the job ends 600 ms in, long before the cancel bites
    await world.submit('write-outrun', insert(900001));
    await saga.execute('write-outrun');
    const outrun = await world.events('write-outrun');
    assert.equal(outrun.find((e) => e.type === 'ExecutionSucceeded')?.data.cancelRequested, true);
    assert.equal(outrun.find((e) => e.type === 'ExecutionSucceeded')?.data.affectedRows, 1);
    assert.equal(await orderCount(), before + 1, 'the row is there, and the log says so');

    fake.setCancelBehaviour('immediate');
    await world.submit('write-stopped', insert(900002));
    await saga.execute('write-stopped');
    const stopped = await world.events('write-stopped');
    assert.equal(stopped.find((e) => e.type === 'ExecutionFailed')?.data.code, 'warehouse_timeout');
    await new Promise((resolve) => setTimeout(resolve, 700)); // past the job's natural end
    assert.equal(await orderCount(), before + 1, 'the stopped INSERT changed nothing');
  });
});

describe('a dry run whose estimate is a lower bound of 0', () => {
  it('leaves the estimate unknown, so the bytesOver rule holds the query for approval', async () => {
    const sql = 'SELECT order_id FROM `demo-project.sales.orders`';
    const dryRunOf = (accuracy: 'LOWER_BOUND' | 'PRECISE') =>
      cannedEngine([], {
        projectId: 'demo-project',
        queries: {
          [sql]: {
            schema: [{ name: 'order_id', type: 'INTEGER' }],
            rows: [],
            totalBytesProcessed: 0,
            totalBytesProcessedAccuracy: accuracy,
            statementType: 'SELECT',
            referencedTables: [{ projectId: 'demo-project', datasetId: 'sales', tableId: 'orders' }],
          },
        },
      });
    const analysis = await analyse(sql);
    const judge = async (accuracy: 'LOWER_BOUND' | 'PRECISE') => {
      const fake = await startFakeBigQuery({ projectId: 'demo-project', engine: dryRunOf(accuracy) });
      const warehouse = await openBigQueryWarehouse({ projectId: 'demo-project', apiEndpoint: fake.url, authClient: staticTokenAuthClient(), retry: { maxRetries: 0 } });
      opened.push(fake, warehouse);
      const dry = await warehouse.dryRun!(sql);
      const sent = fake.requests.at(-1)?.body as { configuration: { query: Record<string, unknown> } };
      assert.equal(sent.configuration.query.useQueryCache, false, 'a cached answer would say 0 bytes');
      assert.equal(sent.configuration.query.useLegacySql, false);
      return { dry, decision: evaluatePolicy(shippedPolicy, { groups: ['ai-agents'], analysis: crossCheckDryRun(analysis, dry) }) };
    };
    const lower = await judge('LOWER_BOUND');
    assert.ok(Number.isNaN(lower.dry.totalBytesProcessed));
    assert.deepEqual([lower.decision.effect, lower.decision.rule], ['approve', 'costly-scans']);
    const precise = await judge('PRECISE');
    assert.equal(precise.dry.totalBytesProcessed, 0);
    assert.equal(precise.decision.effect, 'allow', 'the same 0 bytes, stated as exact, is a real estimate');
  });
});

describe('a job that fails with backendError', () => {
  it('is retried exactly once, under a new job id recorded in the log before that job is created', async () => {
    const base = cannedEngine(standardTables(), { projectId: PROJECT });
    const world = createSagaWorld();
    let runs = 0;
    let startedBeforeRetry: unknown[] = [];
    const flaky: QueryEngine = {
      ...base,
      async run(sql, opts) {
        if (!opts.dryRun) {
          runs += 1;
          if (runs === 1) throw new EngineError('backendError', 'Backend error. Job aborted.');
          startedBeforeRetry = (await world.events('flaky')).filter((e) => e.type === 'ExecutionStarted').map((e) => e.data.jobId);
        }
        return base.run(sql, opts);
      },
    };
    const { fake, warehouse } = await setUp({}, flaky);
    world.useWarehouse(warehouse);
    await world.submit('flaky', ORDERS);
    await world.saga().execute('flaky');
    const first = jobIdFor('flaky');
    const second = jobIdFor('flaky', 2);
    assert.notEqual(first, second);
    assert.equal(fake.jobs.get(first)?.failure?.reason, 'backendError');
    assert.equal(fake.jobs.get(second)?.failure, undefined);
    assert.equal(runs, 2, 'exactly one retry');
    assert.deepEqual(startedBeforeRetry, [first, second], 'the new attempt was in the log before its job was created');
    const events = await world.events('flaky');
    const starts = events.filter((e) => e.type === 'ExecutionStarted');
    assert.deepEqual(starts.map((e) => [e.data.jobId, e.data.attempt]), [[first, undefined], [second, 2]]);
    assert.equal(events.find((e) => e.type === 'ExecutionSucceeded')?.data.jobId, second);
  });

  it('a query error is not retried: only transient job failures are', async () => {
    const { fake, warehouse } = await setUp();
    const world = createSagaWorld({ warehouse });
    await world.submit('bad', 'SELEC nonsense');
    await world.saga().execute('bad');
    assert.equal(fake.jobs.has(jobIdFor('bad', 2)), false);
    const failed = (await world.events('bad')).find((e) => e.type === 'ExecutionFailed');
    assert.equal(failed?.data.code, 'query_invalid');
  });
});

describe('a script', () => {
  it('records every statement that ran, each a child job, in the order they ran', async () => {
    const deleteSql = `DELETE FROM \`${PROJECT}.sales.orders\` WHERE id = 1`;
    const engine = cannedEngine(standardTables(), {
      projectId: PROJECT,
      queries: {
        [deleteSql]: {
          schema: [],
          rows: [],
          totalBytesProcessed: 2048,
          statementType: 'DELETE',
          numDmlAffectedRows: 1,
          referencedTables: [{ projectId: PROJECT, datasetId: 'sales', tableId: 'orders' }],
        },
      },
    });
    const { fake, warehouse } = await setUp({}, engine);
    const world = createSagaWorld({ warehouse });
    await world.submit('script', `${deleteSql};\n${ORDERS};`);
    await world.saga().execute('script');
    const succeeded = (await world.events('script')).find((e) => e.type === 'ExecutionSucceeded');
    const children = succeeded?.data.childJobs as { jobId: string; statementType: string; state: string; affectedRows?: number }[];
    assert.deepEqual(children.map((c) => [c.statementType, c.state]), [['DELETE', 'done'], ['SELECT', 'done']]);
    assert.equal(children[0].affectedRows, 1);
    assert.deepEqual(children.map((c) => fake.jobs.get(c.jobId)?.parentJobId), [jobIdFor('script'), jobIdFor('script')]);
    assert.equal(succeeded?.data.rowCount, 3, "the script's result is its last statement's");
  });

  it('records the statements that ran before one that failed at run time', async () => {
    const failing = 'SELECT ERROR("boom")';
    const engine = cannedEngine(standardTables(), {
      projectId: PROJECT,
      queries: {
        [failing]: ({ dryRun }) => {
          if (!dryRun) throw new EngineError('invalidQuery', 'boom');
          return { schema: [{ name: 'f0_', type: 'INTEGER' }], rows: [], totalBytesProcessed: 0, statementType: 'SELECT', referencedTables: [] };
        },
      },
    });
    const { warehouse } = await setUp({}, engine);
    const world = createSagaWorld({ warehouse });
    await world.submit('script-bad', `${ORDERS}; ${failing}`);
    await world.saga().execute('script-bad');
    const failed = (await world.events('script-bad')).find((e) => e.type === 'ExecutionFailed');
    assert.equal(failed?.data.code, 'query_invalid');
    const children = failed?.data.childJobs as { statementType: string; state: string }[];
    assert.deepEqual(children.map((c) => c.state), ['done', 'failed']);
  });
});
