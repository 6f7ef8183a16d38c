/**
 * A replica killed while others run (issue 14): two gateway processes share one EventStoreDB (the
 * wire-level peer) and one BigQuery (the shared fake, so jobs are counted in one place). An approved
 * INSERT is caught mid-execution — its ExecutionStarted is in the log and its warehouse job is still
 * running (the fake holds INSERT jobs for a few seconds) — and the replica that started it is killed
 * with SIGKILL. The survivor's lease sweep (src/app/replica-takeover.ts) must resume it once the lease
 * (query timeout + grace) has run out: the agent's long-poll through the survivor answers `succeeded`,
 * the log holds exactly one original claim, one resumed claim by the survivor and one outcome, and
 * the warehouse ran one job under the id derived from the request, which wrote its row exactly once.
 *
 * Which replica claims the approved request is decided by the log, not by the test (the approving
 * replica usually does; the other one picks it up from the live feed if the first is slow), so the
 * victim is whichever process wrote ExecutionStarted, told apart by the pid inside its gatewayId.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { jobIdFor } from '../../src/app/execution-saga.js';
import { requestStreamName } from '../../src/domain/request/request-stream.js';
import { call, freshDataDir, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { startEsdbPeer, type EsdbPeer } from '../support/esdb-peer.js';
import { jobCounts, startSharedFakeBigQuery, type SharedFakeBigQuery } from '../support/fake-bigquery/standalone.js';
import type { PeerRecord } from '../support/esdb-peer-messages.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Short enough that the lease (timeout + grace) runs out within the test, longer than the INSERT job.
const QUERY_TIMEOUT_S = 5;
const INSERT_JOB_MS = 4_000;
// The survivor takes over at most one sweep interval after the lease ran out (gateway.ts).
const LEASE_GRACE_MS = 30_000;
const SWEEP_INTERVAL_MS = 15_000;
const ORDER_ID = 990_001;

interface LoggedEvent {
  readonly type: string;
  readonly gatewayId: string | undefined;
  readonly data: Record<string, unknown>;
}

const eventsOf = (peer: EsdbPeer, requestId: string): LoggedEvent[] =>
  peer
    .records()
    .filter((record: PeerRecord) => record.streamName === requestStreamName(requestId))
    .map((record) => ({
      type: record.type,
      gatewayId: (JSON.parse(record.metadata.toString()) as { gatewayId?: string }).gatewayId,
      data: JSON.parse(record.data.toString()) as Record<string, unknown>,
    }));

describe('a replica killed while others run (EventStoreDB peer, shared BigQuery)', () => {
  let peer: EsdbPeer;
  let warehouse: SharedFakeBigQuery;
  const dataDir = freshDataDir('ledgergate-takeover-');
  let a: GatewayProcess;
  let b: GatewayProcess;

  before(async () => {
    peer = await startEsdbPeer({ systemProjections: true });
    warehouse = await startSharedFakeBigQuery({ jobDurationMs: (sql) => (/^\s*INSERT\b/i.test(sql) ? INSERT_JOB_MS : 0) });
    const env = {
      ...warehouse.gatewayEnv,
      LEDGERGATE_EVENT_STORE: peer.connectionString,
      LEDGERGATE_SEAL_INTERVAL: '3600s',
      LEDGERGATE_QUERY_TIMEOUT: `${QUERY_TIMEOUT_S}s`,
    };
    // One after the other: the first creates the shared keys in the data directory.
    a = await startGatewayProcess({ env, dataDir, timeoutMs: 120_000 });
    b = await startGatewayProcess({ env, dataDir, timeoutMs: 120_000 });
  });
  after(async () => {
    await a?.stop('SIGKILL');
    await b?.stop('SIGKILL');
    await peer?.close();
    await warehouse?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the survivor resumes the dead replica\'s running write after the lease, and it runs exactly once', { timeout: 180_000 }, async (t) => {
    const agent = await a.token({ sub: 'agent-1', groups: ['ai-agents'] });
    const owner = await a.token({ sub: 'olivia', groups: ['data-owners'] });
    const sql = `INSERT INTO sales.orders (order_id, customer_id, amount, currency, status, ordered_at) VALUES (${ORDER_ID}, 7, 12.50, 'EUR', 'paid', TIMESTAMP '2024-07-01 00:00:00')`;
    const submitted = await call(`${a.url}/v1/queries`, { token: agent, body: { sql, wait: 0 }, headers: { 'X-Session-Id': 'takeover-session' } });
    assert.equal(submitted.status, 202, submitted.text);
    const id = (submitted.body as { id: string; status: string }).id;
    assert.equal((submitted.body as { status: string }).status, 'pending_approval');

    const approved = await call(`${a.url}/v1/queries/${id}/decisions`, { token: owner, body: { decision: 'approve' } });
    assert.ok(approved.status < 300, approved.text);

    // Catch the request mid-execution: claimed in the log, its job still running on the warehouse.
    let claim: LoggedEvent | undefined;
    for (const deadline = Date.now() + 20_000; !(claim && warehouse.fake.jobs.has(jobIdFor(id))) && Date.now() < deadline; await sleep(20)) {
      claim = eventsOf(peer, id).find((e) => e.type === 'ExecutionStarted');
    }
    assert.ok(claim?.gatewayId, 'a replica claimed the approved request');
    assert.ok(warehouse.fake.jobs.has(jobIdFor(id)), 'its job was created on the warehouse');
    const [victim, survivor] = claim.gatewayId.includes(`-${a.child.pid}-`) ? [a, b] : [b, a];
    assert.ok(claim.gatewayId.includes(`-${victim.child.pid}-`), `claim ${claim.gatewayId} is from one of the two replicas`);
    await victim.stop('SIGKILL');
    const killedAt = Date.now();
    const atKill = eventsOf(peer, id).map((e) => e.type);
    assert.ok(!atKill.includes('ExecutionSucceeded') && !atKill.includes('ExecutionFailed'), `killed before an outcome: ${atKill.join(', ')}`);
    assert.equal(jobCounts(warehouse.fake.jobs).find((job) => job.jobId === jobIdFor(id))?.state, 'running', 'the job was still running when its replica died');

    // The agent long-polls the survivor, which answers once it has taken over and finished the request.
    const survivorAgent = await survivor.token({ sub: 'agent-1', groups: ['ai-agents'] });
    const bound = QUERY_TIMEOUT_S * 1000 + LEASE_GRACE_MS + SWEEP_INTERVAL_MS + 20_000;
    let view: { status: string; affectedRows?: number } = { status: 'running' };
    while (view.status === 'running' && Date.now() - killedAt < bound) {
      const answer = await call(`${survivor.url}/v1/queries/${id}?wait=30`, { token: survivorAgent });
      assert.ok(answer.status === 200 || answer.status === 202, answer.text);
      view = answer.body as typeof view;
    }
    const tookMs = Date.now() - killedAt;
    assert.equal(view.status, 'succeeded', `finished through the survivor within ${bound} ms (after ${tookMs} ms): ${JSON.stringify(view)}\n${survivor.output().slice(-3000)}`);
    t.diagnostic(`taken over and answered ${tookMs} ms after the kill`);
    assert.equal(view.affectedRows, 1);
    // Not before the lease ran out (a live replica's request is never taken from it). The lease counts from
    // the claim, which preceded the kill by less than the INSERT job's duration (the job was still running).
    assert.ok(tookMs >= QUERY_TIMEOUT_S * 1000 + LEASE_GRACE_MS - INSERT_JOB_MS, `taken over after ${tookMs} ms, before the lease ran out`);

    // The log: one claim by the victim, one resumed claim by the survivor, one outcome written by it.
    const events = eventsOf(peer, id);
    const starts = events.filter((e) => e.type === 'ExecutionStarted');
    assert.equal(starts.length, 2, events.map((e) => e.type).join(', '));
    assert.equal(starts[0]?.gatewayId, claim.gatewayId);
    assert.notEqual(starts[1]?.gatewayId, claim.gatewayId);
    assert.equal(starts[1]?.data.resumed, true);
    assert.deepEqual(starts.map((e) => e.data.jobId), [jobIdFor(id), jobIdFor(id)], 'the resume kept the job id derived from the request');
    for (const type of ['ExecutionSucceeded', 'ResultDelivered']) {
      const outcomes = events.filter((e) => e.type === type);
      assert.equal(outcomes.length, 1, `${type} once: ${events.map((e) => e.type).join(', ')}`);
      assert.equal(outcomes[0]?.gatewayId, starts[1]?.gatewayId, `${type} written by the survivor`);
    }
    assert.ok(!events.some((e) => e.type === 'ExecutionFailed' || e.type === 'ExecutionCancelled'));

    // The warehouse: one INSERT job, under the derived id, submitted once; the row exists once.
    const inserts = [...warehouse.fake.jobs.values()].filter((job) => job.result?.statementType === 'INSERT');
    assert.deepEqual(inserts.map((job) => [job.jobId, job.insertAttempts]), [[jobIdFor(id), 1]]);
    const rows = await warehouse.engine.run(`SELECT count(*) AS n FROM sales.orders WHERE order_id = ${ORDER_ID}`, { dryRun: false });
    assert.equal(Number(rows.rows[0]?.[0]), 1, 'the INSERT ran exactly once');
  });
});
