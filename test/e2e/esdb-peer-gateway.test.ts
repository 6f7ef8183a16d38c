/**
 * Whole gateways on EventStoreDB, over real gRPC against the wire-level peer (test/support/esdb-peer.ts)
 * whose log also holds system, link and another application's events: two replicas sharing it, a
 * leader-change/outage in the middle (injected UNAVAILABLE), evidence sealed, exported and verified
 * offline (and failing once the database is edited behind the gateway's back), and SIGTERM within 5 s.
 * The walkthrough and the kill test also run on the peer (walkthrough.test.ts, kill.test.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, freshDataDir, runCli, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { startEsdbPeer, type EsdbPeer } from '../support/esdb-peer.js';
import { startSharedFakeBigQuery, type SharedFakeBigQuery } from '../support/fake-bigquery/standalone.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('gateways on EventStoreDB (wire-level peer)', () => {
  let peer: EsdbPeer;
  // Replicas share one warehouse, as production replicas share one BigQuery project.
  let warehouse: SharedFakeBigQuery;
  // Replicas share the data directory's keys (the dev issuer's and the evidence signing key), as a
  // deployment shares one key volume; nothing of the log lives there.
  const dataDir = freshDataDir('ledgergate-esdb-');
  const work = mkdtempSync(join(tmpdir(), 'ledgergate-esdb-work-'));
  let a: GatewayProcess;
  let b: GatewayProcess;

  before(async () => {
    peer = await startEsdbPeer({ systemProjections: true });
    peer.appendForeign('orders-1', 'OrderPlaced', { orderId: 1 });
    peer.appendForeign('billing-1', 'InvoiceRendered', Buffer.from('%PDF-1.7'));
    warehouse = await startSharedFakeBigQuery();
    const env = { ...warehouse.gatewayEnv, LEDGERGATE_EVENT_STORE: peer.connectionString, LEDGERGATE_SEAL_INTERVAL: '3600s' };
    a = await startGatewayProcess({ env, dataDir, timeoutMs: 120_000 });
    b = await startGatewayProcess({ env, dataDir, timeoutMs: 120_000 });
  });
  after(async () => {
    await a?.stop('SIGKILL');
    await b?.stop('SIGKILL');
    await peer?.close();
    await warehouse?.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  const query = async (gateway: GatewayProcess, sql: string) => {
    const agent = await gateway.token({ sub: 'agent-1', groups: ['ai-agents'] });
    return call(`${gateway.url}/v1/queries`, { token: agent, body: { sql }, headers: { 'X-Session-Id': 'esdb-session' } });
  };
  const accessLogIds = async (gateway: GatewayProcess) => {
    const auditor = await gateway.token({ sub: 'audrey', groups: ['auditors'] });
    const log = await call(`${gateway.url}/v1/audit/access-log?format=json`, { token: auditor });
    return (log.body as { items: { requestId: string }[] }).items.map((item) => item.requestId);
  };
  const eventually = async (check: () => Promise<boolean>, what: string, ms = 15_000) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (await check().catch(() => false)) return;
      await sleep(200);
    }
    assert.fail(`${what} within ${ms} ms`);
  };

  it('two replicas on one database: a request made on one is answered and logged by the other', async () => {
    const answer = await query(a, 'SELECT order_id, amount FROM sales.orders ORDER BY order_id LIMIT 2');
    assert.equal(answer.status, 200, answer.text);
    const id = (answer.body as { id: string }).id;
    const agent = await b.token({ sub: 'agent-1', groups: ['ai-agents'] });
    const fromB = await call(`${b.url}/v1/queries/${id}`, { token: agent });
    assert.equal(fromB.status, 200, fromB.text);
    assert.equal((fromB.body as { rowCount: number }).rowCount, 2);
    await eventually(async () => (await accessLogIds(b)).includes(id), 'replica B lists the request in its access log');
  });

  it('survives UNAVAILABLE from the database without a restart, and shows it in /metrics', async () => {
    const feedRetries = async (gateway: GatewayProcess) =>
      Number(/^ledgergate_live_feed_retries (\d+)/m.exec((await call(`${gateway.url}/metrics`)).text)?.[1] ?? 0);
    const before = (await feedRetries(a)) + (await feedRetries(b));
    // A leader change or an outage: every read fails for a while (the adapter's own retry included).
    peer.injectFault('unavailable', { count: 40, target: 'read' });
    await eventually(async () => (await feedRetries(a)) + (await feedRetries(b)) > before, 'the live feed of a replica retried');
    let answer = await query(a, 'SELECT COUNT(*) AS n FROM sales.orders');
    for (let attempt = 0; attempt < 10 && answer.status === 503; attempt++) {
      await sleep(500);
      answer = await query(a, 'SELECT COUNT(*) AS n FROM sales.orders');
    }
    // Reads may still be failing while the query runs: a 202 (still running) is a fair answer; follow its poll.
    const id = (answer.body as { id: string }).id;
    for (let attempt = 0; attempt < 6 && answer.status === 202; attempt++) {
      const agent = await a.token({ sub: 'agent-1', groups: ['ai-agents'] });
      answer = await call(`${a.url}/v1/queries/${id}?wait=10`, { token: agent });
    }
    assert.equal(answer.status, 200, answer.text);
    assert.equal((answer.body as { status: string }).status, 'succeeded', answer.text);
    // The read models follow the live feed: it resumed from where it stopped, on both replicas.
    await eventually(async () => (await accessLogIds(a)).includes(id) && (await accessLogIds(b)).includes(id), 'both replicas list the new request');
    const lag = Number(/^ledgergate_live_feed_lag_seconds (\S+)/m.exec((await call(`${a.url}/metrics`)).text)?.[1]);
    assert.ok(Number.isFinite(lag) && lag < 30, `lag is reported and small once recovered (${lag})`);
  });

  it('seals, exports and verifies offline; an event edited in the database afterwards fails verify', async () => {
    const auditor = await a.token({ sub: 'audrey', groups: ['auditors'] });
    const download = await call(`${a.url}/v1/evidence`, { token: auditor });
    assert.equal(download.status, 200, download.text);
    const bundle = JSON.parse(download.text) as { events: { position: number }[]; seals: unknown[] };
    assert.deepEqual(bundle.events.map((e) => e.position), bundle.events.map((_, i) => i + 1), 'numbered 1, 2, 3… however sparse the store is');
    assert.ok(bundle.seals.length >= 1);
    const good = join(work, 'good.json');
    writeFileSync(good, download.text);
    const verified = await runCli(['verify', good]);
    assert.equal(verified.code, 0, verified.stderr + verified.stdout);

    const target = peer.records().find((r) => r.type === 'QueryRequested')!;
    peer.tamper(target.position, { ...(JSON.parse(target.data.toString()) as object), sql: 'SELECT 1 AS harmless' });
    const again = await call(`${b.url}/v1/evidence`, { token: await b.token({ sub: 'audrey', groups: ['auditors'] }) });
    assert.equal(again.status, 200, again.text);
    const bad = join(work, 'bad.json');
    writeFileSync(bad, again.text);
    const failed = await runCli(['verify', bad]);
    assert.equal(failed.code, 1, failed.stdout);
    assert.match(failed.stderr, /First failure: seal at position \d+: .*(Merkle root|lastEventHash)/);
  });

  it('stops within 5 s of SIGTERM', async () => {
    for (const gateway of [a, b]) {
      const started = Date.now();
      assert.equal(await gateway.stop('SIGTERM'), 0, gateway.output().slice(-2000));
      assert.ok(Date.now() - started < 5000, `stopped after ${Date.now() - started} ms`);
    }
  });
});
