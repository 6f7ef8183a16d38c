/**
 * The README walkthrough, driven over HTTP against the real gateway process on embedded defaults:
 * an allowed query returns rows, a DROP is refused, both land in the access log, bad tokens get 401,
 * and everything survives a restart. Run twice: on the embedded SQLite store, and on EventStoreDB — the
 * wire-level peer (test/support/esdb-peer.ts), whose log also holds another application's events.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openSqliteEventStore } from '../../src/adapters/eventstore/sqlite-event-store.js';
import { openEsdbEventStore } from '../../src/adapters/eventstore/esdb-event-store.js';
import { createEventRegistry } from '../../src/domain/events/registry.js';
import type { EventStore } from '../../src/domain/ports.js';
import { call, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { startEsdbPeer, type EsdbPeer } from '../support/esdb-peer.js';

/** Which event store the gateway runs on: its environment, and how a test opens that store itself. */
interface StoreSetup {
  readonly name: string;
  env(): Record<string, string>;
  open(dataDir: string): EventStore;
  before?(): Promise<void>;
  after?(): Promise<void>;
}

const sqlite: StoreSetup = {
  name: 'embedded defaults (SQLite)',
  env: () => ({}),
  open: (dataDir) => openSqliteEventStore({ file: join(dataDir, 'events.sqlite'), registry: createEventRegistry() }),
};

let peer: EsdbPeer | undefined;
const esdbPeer: StoreSetup = {
  name: 'EventStoreDB (wire-level peer, shared with another application)',
  env: () => ({ LEDGERGATE_EVENT_STORE: (peer as EsdbPeer).connectionString }),
  open: () => openEsdbEventStore({ connectionString: (peer as EsdbPeer).connectionString, registry: createEventRegistry() }),
  async before() {
    peer = await startEsdbPeer({ systemProjections: true });
    // The gateway must start with another application's events already in $all.
    peer.appendForeign('orders-1', 'OrderPlaced', { orderId: 1 });
    peer.appendForeign('billing-1', 'InvoiceRendered', Buffer.from('%PDF-1.7'));
  },
  async after() {
    await peer?.close();
  },
};

for (const setup of [sqlite, esdbPeer]) walkthrough(setup);

function walkthrough(setup: StoreSetup): void {
describe(`walkthrough on ${setup.name}`, () => {
  let gateway: GatewayProcess;
  let agent: string;
  let auditor: string;

  before(async () => {
    await setup.before?.();
    gateway = await startGatewayProcess({ env: setup.env() });
    agent = await gateway.token({ sub: 'agent-1', email: 'agent-1@example.com', groups: ['ai-agents'] });
    auditor = await gateway.token({ sub: 'audrey', groups: ['auditors'] });
  });
  after(async () => {
    await gateway.stop();
    gateway.cleanup();
    await setup.after?.();
  });

  it('serves /healthz without a token', async () => {
    const health = await call(`${gateway.url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal((health.body as { status: string }).status, 'ok');
  });

  it('returns rows for an allowed SELECT, with the decision that allowed it', async () => {
    const answer = await call(`${gateway.url}/v1/queries`, {
      token: agent,
      body: { sql: 'SELECT order_id, amount, currency FROM `demo-project.sales.orders` ORDER BY order_id LIMIT 5', reason: 'walkthrough' },
      headers: { 'X-Session-Id': 'walkthrough-session', 'User-Agent': 'walkthrough-agent/1.0' },
    });
    assert.equal(answer.status, 200, answer.text);
    const body = answer.body as { status: string; rows: Record<string, unknown>[]; rowCount: number; decision: { effect: string; rule: string }; columns: { name: string }[] };
    assert.equal(body.status, 'succeeded');
    assert.equal(body.decision.effect, 'allow');
    assert.equal(body.rowCount, 5);
    assert.deepEqual(body.columns.map((c) => c.name), ['order_id', 'amount', 'currency']);
    assert.ok(body.rows.every((row) => row.order_id !== undefined && row.amount !== undefined));
  });

  it('refuses DROP TABLE with 403 naming the rule, and records it', async () => {
    const answer = await call(`${gateway.url}/v1/queries`, { token: agent, body: { sql: 'DROP/**/TABLE sales.orders' } });
    assert.equal(answer.status, 403);
    assert.match(answer.headers.get('content-type') ?? '', /application\/problem\+json/);
    const problem = answer.body as { id: string; rule: string; status: number };
    assert.equal(problem.rule, 'no-destruction');
    assert.equal(problem.status, 403);
    const again = await call(`${gateway.url}/v1/queries/${problem.id}`, { token: agent });
    assert.equal(again.status, 403);
    assert.equal((again.body as { id: string }).id, problem.id);
  });

  it('shows both requests in the access log with principal, client IP, SQL, decision and times', async () => {
    const log = await call(`${gateway.url}/v1/audit/access-log?format=jsonl`, { token: auditor });
    assert.equal(log.status, 200, log.text);
    const rows = log.text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const allowed = rows.find((r) => String(r.sql).includes('sales.orders` ORDER BY'));
    const denied = rows.find((r) => String(r.sql).startsWith('DROP'));
    assert.ok(allowed && denied, 'both requests are in the log');
    assert.equal(allowed.subject, 'agent-1');
    assert.equal(allowed.decision, 'allow');
    assert.equal(allowed.status, 'succeeded');
    assert.equal(allowed.rows, 5);
    assert.equal(allowed.sessionId, 'walkthrough-session');
    assert.equal(allowed.userAgent, 'walkthrough-agent/1.0');
    assert.match(String(allowed.clientIp), /127\.0\.0\.1/);
    assert.ok(!Number.isNaN(Date.parse(String(allowed.time))) && !Number.isNaN(Date.parse(String(allowed.finishedAt))));
    assert.equal(denied.decision, 'deny');
    assert.equal(denied.rule, 'no-destruction');
    assert.equal(denied.status, 'denied');

    const csv = await call(`${gateway.url}/v1/audit/access-log?format=csv`, { token: auditor });
    assert.equal(csv.status, 200);
    const [header, ...lines] = csv.text.trim().split('\r\n');
    assert.match(header ?? '', /^time,requestId,subject,email,actor,groups,clientIp/);
    assert.ok(lines.some((line) => line.includes('no-destruction')));
  });

  it('keeps the access log for auditors only', async () => {
    const answer = await call(`${gateway.url}/v1/audit/access-log`, { token: agent });
    assert.equal(answer.status, 403);
  });

  it('answers 401 problem+json to missing, garbage, alg:none and foreign-audience tokens, and records the failures', async () => {
    const foreign = await gateway.token({ sub: 'agent-1', groups: ['ai-agents'], audience: 'someone-else' });
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"agent-1","iss":"urn:ledgergate:dev-issuer","aud":"ledgergate","exp":9999999999}').toString('base64url')}.`;
    const cases: [string, Record<string, string>][] = [
      ['missing', {}],
      ['garbage', { Authorization: 'Bearer not-a-token' }],
      ['alg none', { Authorization: `Bearer ${unsigned}` }],
      ['foreign audience', { Authorization: `Bearer ${foreign}` }],
    ];
    for (const [name, headers] of cases) {
      const answer = await call(`${gateway.url}/v1/queries`, { body: { sql: 'SELECT 1' }, headers });
      assert.equal(answer.status, 401, name);
      assert.match(answer.headers.get('content-type') ?? '', /application\/problem\+json/, name);
      assert.equal((answer.body as { status: number }).status, 401, name);
    }
    const store = setup.open(gateway.dataDir);
    try {
      const failures = await store.readStream('authentication-failures');
      const reasons = failures.map((e) => (e.data as { reason: string }).reason);
      for (const reason of ['missing', 'malformed', 'wrong_audience']) assert.ok(reasons.includes(reason), `${reason} in ${reasons.join(',')}`);
      assert.ok(!JSON.stringify(failures).includes(foreign), 'the token itself is never stored');
    } finally {
      await store.close();
    }
  });

  it('keeps the log and the access log across a restart on the same data directory', async () => {
    const first = await startGatewayProcess({ env: setup.env() });
    try {
      const agent = await first.token({ sub: 'agent-2', groups: ['ai-agents'] });
      const answer = await call(`${first.url}/v1/queries`, { token: agent, body: { sql: 'SELECT COUNT(*) AS n FROM sales.orders' } });
      assert.equal(answer.status, 200, answer.text);
      const id = (answer.body as { id: string }).id;
      assert.equal(await first.stop('SIGTERM'), 0);

      const second = await startGatewayProcess({ dataDir: first.dataDir, env: setup.env() });
      try {
        const auditor = await second.token({ sub: 'audrey', groups: ['auditors'] });
        const log = await call(`${second.url}/v1/audit/access-log?format=json`, { token: auditor });
        const items = (log.body as { items: { requestId: string; status: string }[] }).items;
        assert.equal(items.find((i) => i.requestId === id)?.status, 'succeeded');
        const again = await call(`${second.url}/v1/queries/${id}`, { token: agent });
        assert.equal(again.status, 200);
        assert.equal((again.body as { rowCount: number }).rowCount, 1);
      } finally {
        await second.stop();
      }
    } finally {
      first.cleanup();
    }
  });
});
}
