/**
 * The saga against BigQuery's REST API (the local fake with real SQL behind it): the agent sees
 * `running` for a slow job and long-polls to the result, an approved INSERT runs once, the requester
 * can cancel a running job (which stops it on the warehouse), others cannot.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jobIdFor } from '../../src/app/execution-saga.js';
import { startSharedFakeBigQuery, type SharedFakeBigQuery } from '../support/fake-bigquery/standalone.js';
import { call, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';

const SLOW = /'slow-(\d+)'/;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('execution saga on BigQuery (local fake)', () => {
  let shared: SharedFakeBigQuery;
  let gateway: GatewayProcess;
  let agent: string;
  let otherAgent: string;
  let owner: string;
  let auditor: string;

  before(async () => {
    shared = await startSharedFakeBigQuery({ jobDurationMs: (sql) => Number(SLOW.exec(sql)?.[1] ?? 0) });
    gateway = await startGatewayProcess({ env: { ...shared.gatewayEnv }, timeoutMs: 120_000 });
    agent = await gateway.token({ sub: 'agent-1', groups: ['ai-agents'] });
    otherAgent = await gateway.token({ sub: 'agent-2', groups: ['ai-agents'] });
    owner = await gateway.token({ sub: 'olga', groups: ['data-owners'] });
    auditor = await gateway.token({ sub: 'audrey', groups: ['auditors'] });
  });
  after(async () => {
    await gateway?.stop();
    gateway?.cleanup();
    await shared?.close();
  });

  it('runs real SQL on the shared warehouse with no credentials sent (LEDGERGATE_BIGQUERY_AUTH=none)', async () => {
    const answer = await call(`${gateway.url}/v1/queries`, {
      token: agent,
      body: { sql: 'SELECT status, count(*) AS n FROM `demo-project.sales.orders` GROUP BY status ORDER BY status' },
    });
    assert.equal(answer.status, 200, answer.text);
    const body = answer.body as { id: string; rows: { status: string; n: number }[]; bytesProcessed: number };
    assert.equal(body.rows.reduce((sum, row) => sum + Number(row.n), 0), 1000);
    assert.ok(body.bytesProcessed > 0, 'the fake reports bytes processed');
    assert.equal(shared.fake.jobs.get(jobIdFor(body.id))?.insertAttempts, 1);
    assert.ok(shared.fake.requests.length > 0);
    assert.ok(shared.fake.requests.every((r) => r.authorization === undefined), 'no Authorization header reaches the fake');
  });

  it('answers 202 running while the job runs, and GET ?wait long-polls to the result', async () => {
    const posted = await call(`${gateway.url}/v1/queries`, {
      token: agent,
      body: { sql: "SELECT 'slow-2500' AS tag, count(*) AS n FROM sales.orders", wait: 1 },
    });
    assert.equal(posted.status, 202, posted.text);
    const { id, status } = posted.body as { id: string; status: string };
    assert.equal(status, 'running');
    const polled = await call(`${gateway.url}/v1/queries/${id}?wait=20`, { token: agent });
    assert.equal(polled.status, 200, polled.text);
    const done = polled.body as { status: string; rows: { tag: string; n: number }[] };
    assert.equal(done.status, 'succeeded');
    assert.deepEqual(done.rows, [{ tag: 'slow-2500', n: 1000 }]);
  });

  it('runs an approved INSERT exactly once', async () => {
    const before = await shared.engine.countRows('sales', 'orders');
    const posted = await call(`${gateway.url}/v1/queries`, {
      token: agent,
      body: { sql: "INSERT INTO sales.orders (order_id, customer_id, amount, currency, status, ordered_at) VALUES (9001, 1, 12.50, 'EUR', 'paid', TIMESTAMP '2024-06-01 10:00:00')" },
    });
    assert.equal(posted.status, 202, posted.text);
    const { id } = posted.body as { id: string };
    const approved = await call(`${gateway.url}/v1/queries/${id}/decisions`, { token: owner, body: { decision: 'approve' } });
    assert.equal(approved.status, 200, approved.text);
    const polled = await call(`${gateway.url}/v1/queries/${id}?wait=20`, { token: agent });
    assert.equal((polled.body as { status: string }).status, 'succeeded', polled.text);
    assert.equal(await shared.engine.countRows('sales', 'orders'), before + 1);
    const job = shared.fake.jobs.get(jobIdFor(id));
    assert.equal(job?.insertAttempts, 1);
    assert.equal(job?.result?.numDmlAffectedRows, 1);
  });

  it('lets the requester cancel a running job: the job is stopped on the warehouse and the cancellation recorded', async () => {
    const posted = await call(`${gateway.url}/v1/queries`, {
      token: agent,
      headers: { 'X-Session-Id': 'cancel-session' },
      body: { sql: "SELECT 'slow-20000' AS tag, count(*) AS n FROM sales.customers", wait: 0 },
    });
    assert.equal(posted.status, 202, posted.text);
    const { id } = posted.body as { id: string };
    const job = await until('the job to reach the warehouse', () => shared.fake.jobs.get(jobIdFor(id)));

    const stranger = await call(`${gateway.url}/v1/queries/${id}`, { token: otherAgent, method: 'DELETE' });
    assert.equal(stranger.status, 404, 'another agent cannot see, let alone cancel, the request');
    const approver = await call(`${gateway.url}/v1/queries/${id}`, { token: owner, method: 'DELETE' });
    assert.equal(approver.status, 403, 'an approver sees the request but may not cancel it');
    assert.equal(job.failure, undefined, 'nothing was cancelled yet');

    const cancelled = await call(`${gateway.url}/v1/queries/${id}`, { token: agent, method: 'DELETE' });
    assert.equal(cancelled.status, 200, cancelled.text);
    const view = cancelled.body as { status: string; error: { code: string } };
    assert.equal(view.status, 'failed');
    assert.equal(view.error.code, 'cancelled');
    assert.equal(shared.fake.jobs.get(jobIdFor(id))?.failure?.reason, 'stopped', 'the fake BigQuery recorded the cancellation');
    assert.ok(shared.fake.requests.some((r) => r.method === 'POST' && r.path.endsWith(`/jobs/${jobIdFor(id)}/cancel`)));

    // The saga's late failure must not overwrite the cancellation.
    await sleep(500);
    const again = await call(`${gateway.url}/v1/queries/${id}`, { token: agent });
    assert.equal((again.body as { error: { code: string } }).error.code, 'cancelled');
    const session = await call(`${gateway.url}/v1/sessions/cancel-session`, { token: auditor });
    const types = (session.body as { events: { type: string }[] }).events.map((e) => e.type);
    assert.equal(types.filter((t) => t === 'ExecutionCancelled').length, 1);
    assert.equal(types.at(-1), 'ExecutionCancelled');
    assert.ok(!types.includes('ExecutionSucceeded') && !types.includes('ExecutionFailed'));
  });
});
