/**
 * Two gateway processes on one SQLite store and one BigQuery, both following the log. Approvals are
 * written by a third writer, so both replicas see the same requests become ready at the same moment
 * and both try to claim them: each request runs once, with one ExecutionStarted; the loser's append
 * meets a revision conflict and it backs off.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { jobIdFor } from '../../src/app/execution-saga.js';
import { createRequestNotifier } from '../../src/app/request-notifier.js';
import { createRequestRepository } from '../../src/app/request-repository.js';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/adapters/eventstore/sqlite-event-store.js';
import { createEventRegistry } from '../../src/domain/events/registry.js';
import { requestStreamName } from '../../src/domain/request/request-stream.js';
import { startSharedFakeBigQuery, type SharedFakeBigQuery } from '../support/fake-bigquery/standalone.js';
import { call, freshDataDir, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';

const RACES = 6;

describe('two gateways racing for the same approved requests', () => {
  const dataDir = freshDataDir('ledgergate-race-');
  let shared: SharedFakeBigQuery;
  let a: GatewayProcess;
  let b: GatewayProcess;
  let store: SqliteEventStore;

  before(async () => {
    shared = await startSharedFakeBigQuery();
    const env = { ...shared.gatewayEnv, LEDGERGATE_LOG_LEVEL: 'info' };
    // One after the other: the second finds the data directory's keys the first created.
    a = await startGatewayProcess({ env, dataDir, timeoutMs: 120_000 });
    b = await startGatewayProcess({ env, dataDir, timeoutMs: 120_000 });
    store = openSqliteEventStore({ file: join(dataDir, 'events.sqlite'), registry: createEventRegistry(), busyTimeoutMs: 10_000 });
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await store?.close();
    a?.cleanup();
    await shared?.close();
  });

  it('runs each request once: one ExecutionStarted wins, the other replica backs off', { timeout: 180_000 }, async () => {
    const agent = await a.token({ sub: 'agent-1', groups: ['ai-agents'] });
    const ids: string[] = [];
    for (let i = 0; i < RACES; i++) {
      const posted = await call(`${a.url}/v1/queries`, {
        token: agent,
        body: { sql: `INSERT INTO sales.orders (order_id, customer_id, amount, currency, status, ordered_at) VALUES (${800_000 + i}, 1, 1.00, 'USD', 'paid', TIMESTAMP '2024-08-01 00:00:00')` },
      });
      assert.equal(posted.status, 202, posted.text);
      ids.push((posted.body as { id: string }).id);
    }

    // The approver's writes come from a third process, so A and B both learn of them from the log.
    const repository = createRequestRepository({ store, registry: createEventRegistry(), clock: { now: () => new Date() }, notifier: createRequestNotifier(), gatewayId: 'approver-console' });
    const approver = { subject: 'olga', issuer: 'https://approver.test', groups: ['data-owners'] };
    for (const id of ids) {
      const { state } = await repository.handle(id, { type: 'DecideApproval', approver, decision: 'approve', now: new Date() }, { principal: { subject: 'olga' } });
      assert.equal(state.status, 'ready');
    }

    for (const id of ids) {
      const done = await call(`${b.url}/v1/queries/${id}?wait=60`, { token: agent });
      assert.equal((done.body as { status: string }).status, 'succeeded', done.text);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // let a late loser finish backing off

    for (const id of ids) {
      const events = await store.readStream(requestStreamName(id));
      const starts = events.filter((e) => e.type === 'ExecutionStarted');
      assert.equal(starts.length, 1, `request ${id} was claimed ${starts.length} times`);
      assert.equal(events.filter((e) => e.type === 'ExecutionSucceeded').length, 1);
      const job = shared.fake.jobs.get(jobIdFor(id));
      assert.equal(job?.insertAttempts, 1, 'the losing replica never reached the warehouse');
      assert.equal(job?.result?.numDmlAffectedRows, 1);
    }
    const rows = await shared.engine.run('SELECT count(*) FROM sales.orders WHERE order_id >= 800000', { dryRun: false });
    assert.equal(Number(rows.rows[0][0]), RACES);

    // Both replicas took part: each claim is by A or B, and every loss was a logged back-off.
    const winners = await Promise.all(ids.map(async (id) => (await store.readStream(requestStreamName(id))).find((e) => e.type === 'ExecutionStarted')?.metadata.gatewayId));
    const backOffs = (a.output().match(/execution claimed elsewhere/g) ?? []).length + (b.output().match(/execution claimed elsewhere/g) ?? []).length;
    assert.ok(winners.every((w) => typeof w === 'string' && w !== 'approver-console'));
    process.stdout.write(`# race: ${new Set(winners).size} distinct winners, ${backOffs} back-offs after a revision conflict\n`);
  });
});
