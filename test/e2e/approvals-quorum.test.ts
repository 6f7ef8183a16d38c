/**
 * Approvals that need two people, against the real gateway with its own policy file: simultaneous
 * decisions are each counted once and the request runs once; a policy change between the first and
 * the last approval is judged again before running; a deadline that passes while the gateway is
 * down expires the request at start.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteEventStore } from '../../src/adapters/eventstore/sqlite-event-store.js';
import { createEventRegistry } from '../../src/domain/events/registry.js';
import { call, freshDataDir, repoRoot, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';

interface View {
  id: string;
  status: string;
  approval?: { required: number; expiresAt: string; approvals: { subject: string; decision: string }[] };
  rows?: Record<string, unknown>[];
}

const shipped = readFileSync(join(repoRoot, 'policy.yaml'), 'utf8');
const policyWith = (settings: { required: number; expiresAfter: string; writes: 'approve' | 'deny' }): string => {
  const text = shipped
    .replace(/required: 1\b/, `required: ${settings.required}`)
    .replace(/expiresAfter: 1h\b/, `expiresAfter: ${settings.expiresAfter}`)
    .replace(/(id: writes-need-approval\n\s+match: \{[^}]+\}\n\s+effect: )approve/, `$1${settings.writes}`);
  assert.notEqual(text, shipped);
  return text;
};

describe('approvals with a quorum of two', () => {
  const dir = freshDataDir('ledgergate-approvals-policy-');
  const policyFile = join(dir, 'policy.yaml');
  let gateway: GatewayProcess;
  let agent: string;
  let owners: string[];
  let nextOrderId = 910_000;

  const submitWrite = async () => {
    const orderId = nextOrderId++;
    const answer = await call(`${gateway.url}/v1/queries`, {
      token: agent,
      body: { sql: `INSERT INTO sales.orders (order_id, customer_id, amount, currency, status, ordered_at) VALUES (${orderId}, 2, 99.00, 'USD', 'paid', TIMESTAMP '2024-02-02 00:00:00')` },
    });
    return { answer, orderId, view: answer.body as View };
  };
  const decide = (id: string, token: string, decision: 'approve' | 'reject' = 'approve') =>
    call(`${gateway.url}/v1/queries/${id}/decisions`, { token, body: { decision } });
  const countOrders = async (orderId: number): Promise<number> => {
    const answer = await call(`${gateway.url}/v1/queries`, { token: agent, body: { sql: `SELECT COUNT(*) AS n FROM sales.orders WHERE order_id = ${orderId}` } });
    assert.equal(answer.status, 200, answer.text);
    return Number((answer.body as View).rows?.[0]?.n);
  };
  /** Rewrites the policy file and waits until the gateway judges writes by it. */
  const switchPolicy = async (text: string, inForce: (submitted: Awaited<ReturnType<typeof submitWrite>>) => boolean) => {
    writeFileSync(policyFile, text);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const submitted = await submitWrite();
      if (inForce(submitted)) return;
      assert.ok(Date.now() < deadline, 'the policy change was not picked up');
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  before(async () => {
    writeFileSync(policyFile, policyWith({ required: 2, expiresAfter: '1h', writes: 'approve' }));
    gateway = await startGatewayProcess({ env: { LEDGERGATE_POLICY: policyFile }, timeoutMs: 120_000 });
    agent = await gateway.token({ sub: 'agent-2', groups: ['ai-agents'] });
    owners = await Promise.all(['olivia', 'oscar', 'opal'].map((sub) => gateway.token({ sub, email: `${sub}@example.com`, groups: ['data-owners'] })));
  });
  after(async () => {
    await gateway?.stop();
    gateway?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts two simultaneous approvals from two people exactly once each and runs the request once', async () => {
    for (let round = 0; round < 3; round++) {
      const { view, orderId, answer } = await submitWrite();
      assert.equal(answer.status, 202, answer.text);
      assert.equal(view.approval?.required, 2);
      const waiting = call(`${gateway.url}/v1/queries/${view.id}?wait=15`, { token: agent });
      const [first, second] = await Promise.all([decide(view.id, owners[0] as string), decide(view.id, owners[1] as string)]);
      assert.equal(first.status, 200, first.text);
      assert.equal(second.status, 200, second.text);
      const done = (await waiting).body as View;
      assert.equal(done.status, 'succeeded');
      assert.deepEqual(done.approval?.approvals.map((a) => a.subject).sort(), ['olivia', 'oscar']);
      assert.equal(await countOrders(orderId), 1);
      const late = await decide(view.id, owners[2] as string);
      assert.equal(late.status, 409);
    }
  });

  it('the same approver firing twice at once is counted once; the request stays pending', async () => {
    const { view } = await submitWrite();
    const answers = await Promise.all([decide(view.id, owners[0] as string), decide(view.id, owners[0] as string)]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 409]);
    const now = (await call(`${gateway.url}/v1/queries/${view.id}`, { token: agent })).body as View;
    assert.equal(now.status, 'pending_approval');
    assert.equal(now.approval?.approvals.length, 1);
  });

  it('a policy that denies writes by the time of the last approval stops the request: denied, never run', async () => {
    const { view, orderId } = await submitWrite();
    assert.equal((await decide(view.id, owners[0] as string)).status, 200);
    await switchPolicy(policyWith({ required: 2, expiresAfter: '1h', writes: 'deny' }), ({ answer }) => answer.status === 403);
    const second = await decide(view.id, owners[1] as string);
    assert.equal(second.status, 200, second.text);
    const final = await call(`${gateway.url}/v1/queries/${view.id}?wait=10`, { token: agent });
    assert.equal(final.status, 403, final.text);
    assert.equal((final.body as { queryStatus: string }).queryStatus, 'denied');
    assert.equal(await countOrders(orderId), 0);
  });

  it('a deadline that passed while the gateway was down expires the request at start; a late decision is 409', async () => {
    await switchPolicy(policyWith({ required: 2, expiresAfter: '6s', writes: 'approve' }), ({ answer, view }) =>
      answer.status === 202 && Date.parse(view.approval?.expiresAt ?? '') - Date.now() < 60_000,
    );
    const { view, orderId } = await submitWrite();
    const deadline = Date.parse(view.approval?.expiresAt ?? '');
    await gateway.stop();
    const store = openSqliteEventStore({ file: join(gateway.dataDir, 'events.sqlite'), registry: createEventRegistry() });
    try {
      const stream = await store.readStream(`query-${view.id}`);
      assert.ok(!stream.some((e) => e.type === 'ApprovalExpired'), 'still pending when the gateway stopped');
    } finally {
      await store.close();
    }
    await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now()) + 200));
    gateway = await startGatewayProcess({ dataDir: gateway.dataDir, env: { LEDGERGATE_POLICY: policyFile }, timeoutMs: 120_000 });
    const polled = await call(`${gateway.url}/v1/queries/${view.id}`, { token: agent });
    assert.equal(polled.status, 200, polled.text);
    assert.equal((polled.body as View).status, 'expired');
    const late = await decide(view.id, owners[0] as string);
    assert.equal(late.status, 409, late.text);
    const expiredList = await call(`${gateway.url}/v1/approvals?status=expired`, { token: owners[1] as string });
    assert.ok((expiredList.body as { items: { id: string }[] }).items.some((i) => i.id === view.id));
    assert.equal(await countOrders(orderId), 0);
  });
});
