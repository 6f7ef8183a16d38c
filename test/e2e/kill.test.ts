/**
 * A gateway killed with SIGKILL at random (seeded) moments while clients send 200 requests, then
 * restarted on the same data directory and the same BigQuery: every acknowledged request ends in a
 * terminal state, no query ran twice (jobs counted on the fake; INSERTed rows counted per key), and
 * every event an auditor saw before a kill is still there afterwards, unchanged. Run on the embedded
 * SQLite store, and (shorter) on EventStoreDB — the wire-level peer, which outlives the gateway's kills.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jobIdFor } from '../../src/app/execution-saga.js';
import { startSharedFakeBigQuery, type SharedFakeBigQuery } from '../support/fake-bigquery/standalone.js';
import { call, freshDataDir, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { startEsdbPeer, type EsdbPeer } from '../support/esdb-peer.js';

const SEED = Number(process.env.LEDGERGATE_KILL_SEED ?? 20261127);
const WORKERS = 6;
const FIRST_ORDER_ID = 700_000;
const terminal = new Set(['succeeded', 'failed', 'denied', 'rejected', 'expired']);

const policy = `version: 1
default: deny
approvals: { approverGroups: [data-owners], required: 1, expiresAfter: 1h }
rules:
  - id: loaders-insert-orders
    match: { groups: [loaders], statements: [insert], tables: ["*.sales.orders"] }
    effect: allow
  - id: loaders-read
    match: { groups: [loaders], statements: [select], tables: ["*.sales.*", "*.analytics.*"] }
    effect: allow
`;

/** mulberry32: the kill moments and the request mix are reproducible from SEED. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const progress = (line: string) => void (process.env.LEDGERGATE_KILL_VERBOSE ? process.stderr.write(`# ${new Date().toISOString()} ${line}\n`) : undefined);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Planned {
  readonly index: number;
  readonly sql: string;
  readonly insertKey?: number;
  readonly wait: number;
}

interface SeenEvent {
  readonly position: number;
  readonly type: string;
  readonly hash?: string;
  readonly stream: string;
}

for (const setup of [
  { store: 'SQLite', REQUESTS: 200, KILLS: 3 },
  { store: 'EventStoreDB peer', REQUESTS: 60, KILLS: 2 },
] as const) {
const { REQUESTS, KILLS } = setup;
describe(`SIGKILL during ${REQUESTS} requests (${setup.store})`, () => {
  let shared: SharedFakeBigQuery;
  let peer: EsdbPeer | undefined;
  const dataDir = freshDataDir('ledgergate-kill-');
  let gateway: GatewayProcess | undefined;

  before(async () => {
    // Jobs take 0–400 ms on the warehouse, so kills land before, during and after them.
    shared = await startSharedFakeBigQuery({ jobDurationMs: (sql) => (sql.length * 37) % 400 });
    if (setup.store !== 'SQLite') {
      peer = await startEsdbPeer({ systemProjections: true });
      peer.appendForeign('orders-1', 'OrderPlaced', { orderId: 1 });
    }
    writeFileSync(join(dataDir, 'kill-policy.yaml'), policy);
  });
  after(async () => {
    await gateway?.stop('SIGKILL');
    gateway?.cleanup();
    await shared?.close();
    await peer?.close();
  });

  it('acknowledged requests finish, nothing runs twice, no acknowledged event is lost', { timeout: 600_000 }, async () => {
    const random = seeded(SEED);
    const env = {
      ...shared.gatewayEnv,
      LEDGERGATE_POLICY: join(dataDir, 'kill-policy.yaml'),
      LEDGERGATE_LOG_LEVEL: 'error',
      ...(peer ? { LEDGERGATE_EVENT_STORE: peer.connectionString } : {}),
    };
    const start = () => startGatewayProcess({ env, dataDir, timeoutMs: 120_000 });
    gateway = await start();
    const token = await gateway.token({ sub: 'loader-1', groups: ['loaders'], ttlSeconds: 3600 });
    const auditor = await gateway.token({ sub: 'audrey', groups: ['auditors'], ttlSeconds: 3600 });

    const plan: Planned[] = Array.from({ length: REQUESTS }, (_, index) => {
      const wait = random() < 0.5 ? 0 : 20;
      if (random() < 0.3) {
        const key = FIRST_ORDER_ID + index;
        return { index, wait, insertKey: key, sql: `INSERT INTO sales.orders (order_id, customer_id, amount, currency, status, ordered_at) VALUES (${key}, ${1 + (index % 200)}, ${index}.25, 'EUR', 'paid', TIMESTAMP '2024-07-01 00:00:00')` };
      }
      return { index, wait, sql: `SELECT order_id, amount FROM sales.orders WHERE customer_id = ${1 + (index % 200)} ORDER BY order_id LIMIT ${1 + (index % 5)}` };
    });
    const killDelays = Array.from({ length: KILLS }, () => 800 + Math.floor(random() * 2500));

    // The current gateway's URL, or a promise of the next one while it restarts.
    let up: Promise<string> = Promise.resolve(gateway.url);
    const acknowledged = new Map<string, Planned>();
    const unacknowledged: Planned[] = [];
    let next = 0;
    let sending = true;

    const worker = async (w: number) => {
      while (next < plan.length) {
        const item = plan[next++];
        const url = await up;
        try {
          const answer = await call(`${url}/v1/queries`, { token, headers: { 'X-Session-Id': `kill-worker-${w}` }, body: { sql: item.sql, wait: item.wait } });
          const id = (answer.body as { id?: string }).id;
          if (typeof id === 'string') acknowledged.set(id, item);
          else unacknowledged.push(item);
        } catch {
          unacknowledged.push(item); // the connection died with the gateway: no answer, no acknowledgement
          await up;
        }
      }
    };
    const sessions = Array.from({ length: WORKERS }, (_, w) => `kill-worker-${w}`);
    const seen = new Map<number, SeenEvent>();
    let resumedClaims = 0;
    const snapshot = async (url: string) => {
      resumedClaims = 0;
      for (const session of sessions) {
        const answer = await call(`${url}/v1/sessions/${session}`, { token: auditor });
        if (answer.status !== 200) continue;
        for (const e of (answer.body as { events: (SeenEvent & { data: { resumed?: boolean } })[] }).events) {
          seen.set(e.position, { position: e.position, type: e.type, hash: e.hash, stream: e.stream });
          if (e.type === 'ExecutionStarted' && e.data.resumed) resumedClaims += 1;
        }
      }
    };

    const killer = (async () => {
      for (const delay of killDelays) {
        await sleep(delay);
        if (!sending) break;
        await snapshot(gateway!.url).catch(() => undefined);
        let restarted: (url: string) => void = () => undefined;
        up = new Promise((resolve) => (restarted = resolve));
        await gateway!.stop('SIGKILL');
        progress(`killed after ${delay} ms; ${acknowledged.size} acknowledged, request ${next}`);
        gateway = await start();
        progress('restarted');
        restarted(gateway.url);
      }
    })();
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    sending = false;
    await killer;
    const url = await up;
    progress(`sent all; ${acknowledged.size} acknowledged`);

    // Every acknowledged request reaches a terminal state (the restarted gateway resumed the rest).
    const finals = new Map<string, { status: string; error?: { code: string } }>();
    for (const id of acknowledged.keys()) {
      const answer = await call(`${url}/v1/queries/${id}?wait=30`, { token });
      assert.equal(answer.status, 200, `GET ${id}: ${answer.text}`);
      finals.set(id, answer.body as { status: string; error?: { code: string } });
    }
    const notTerminal = [...finals].filter(([, v]) => !terminal.has(v.status));
    assert.deepEqual(notTerminal, [], 'acknowledged requests left unfinished');
    const failures = [...finals.values()].filter((v) => v.status !== 'succeeded');
    assert.ok(failures.every((v) => v.status === 'failed'), `unexpected statuses: ${JSON.stringify(failures)}`);

    // At most once: one job per request id (duplicates only as 409s), one row per INSERT key.
    const jobs = [...shared.fake.jobs.values()];
    const byRequest = new Set(jobs.map((j) => j.jobId));
    assert.equal(byRequest.size, jobs.length);
    assert.ok(jobs.every((j) => j.jobId.startsWith('ledgergate_')), 'every job carries an id derived from its request');
    for (const [id, final] of finals) {
      if (final.status === 'succeeded') assert.ok(shared.fake.jobs.has(jobIdFor(id)), `succeeded request ${id} has no job on the warehouse`);
    }
    const keys = plan.filter((p) => p.insertKey !== undefined).map((p) => p.insertKey as number);
    const reader = await shared.engine.run(`SELECT order_id, count(*) AS n FROM sales.orders WHERE order_id >= ${FIRST_ORDER_ID} GROUP BY order_id`, { dryRun: false });
    const rowsPerKey = new Map(reader.rows.map((r) => [Number(r[0]), Number(r[1])]));
    assert.ok([...rowsPerKey.values()].every((n) => n === 1), 'an INSERT ran more than once');
    const insertJobs = jobs.filter((j) => j.result?.statementType === 'INSERT');
    assert.equal([...rowsPerKey.values()].reduce((a, b) => a + b, 0), insertJobs.length, 'rows match the INSERT jobs that ran');
    assert.ok(rowsPerKey.size <= keys.length);
    for (const [id, item] of acknowledged) {
      const final = finals.get(id);
      if (item.insertKey === undefined || final?.status !== 'succeeded') continue;
      assert.equal(rowsPerKey.get(item.insertKey), 1, `acknowledged, succeeded INSERT ${id} left no row`);
      assert.equal(shared.fake.jobs.get(jobIdFor(id))?.result?.numDmlAffectedRows, 1);
    }

    // No acknowledged event lost: every event seen before a kill is still there, unchanged.
    const before = new Map(seen);
    seen.clear();
    await snapshot(url);
    for (const [position, event] of before) assert.deepEqual(seen.get(position), event, `event at ${position} changed or vanished`);

    assert.ok(acknowledged.size >= REQUESTS / 2, `only ${acknowledged.size} of ${REQUESTS} acknowledged`);
    const duplicates = jobs.filter((j) => j.insertAttempts > 1).length;
    process.stdout.write(
      `# kill test: seed ${SEED}, ${acknowledged.size} acknowledged, ${unacknowledged.length} cut off, ${jobs.length} jobs, ` +
        `${resumedClaims} resumed after a restart (${duplicates} answered 409 duplicate), ${failures.length} failed, ${before.size} events checked\n`,
    );
  });
});
}
