/**
 * Just-in-time approvals through the real gateway on the shipped policy: a write waits for a
 * data owner, the requester and non-approvers are refused, the waiting agent receives the result,
 * a rejection never runs, and a pending request survives a restart.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { call, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';

interface View {
  id: string;
  status: string;
  approval?: { rule: string; approverGroups: string[]; required: number; expiresAt: string; approvals: { subject: string; decision: string }[] };
  rowCount?: number;
  rows?: Record<string, unknown>[];
  poll?: string;
}
interface Pending {
  id: string;
  sql: string;
  requester: { subject: string; email?: string };
  reason: string;
  rule: string;
  tables: string[];
  costEstimateUsd: number | null;
  bytesEstimate: number | null;
  expiresAt: string;
  canDecide: boolean;
}

describe('just-in-time approvals on the shipped policy', () => {
  let gateway: GatewayProcess;
  let agent: string;
  let owner: string;
  let owner2: string;
  let outsider: string;
  let agentOwner: string;
  let nextOrderId = 900_000;

  const submitWrite = async (token = agent, reason = 'backfill a missing order') => {
    const orderId = nextOrderId++;
    const answer = await call(`${gateway.url}/v1/queries`, {
      token,
      body: { sql: `INSERT INTO sales.orders (order_id, customer_id, amount, currency, status, ordered_at) VALUES (${orderId}, 1, 12.50, 'EUR', 'paid', TIMESTAMP '2024-01-01 00:00:00')`, reason },
    });
    assert.equal(answer.status, 202, answer.text);
    return { view: answer.body as View, orderId };
  };
  const decide = (id: string, token: string, decision: 'approve' | 'reject', comment?: string) =>
    call(`${gateway.url}/v1/queries/${id}/decisions`, { token, body: { decision, ...(comment ? { comment } : {}) } });
  const countOrders = async (orderId: number): Promise<number> => {
    const answer = await call(`${gateway.url}/v1/queries`, { token: agent, body: { sql: `SELECT COUNT(*) AS n FROM sales.orders WHERE order_id = ${orderId}` } });
    assert.equal(answer.status, 200, answer.text);
    return Number((answer.body as View).rows?.[0]?.n);
  };

  before(async () => {
    gateway = await startGatewayProcess({ timeoutMs: 120_000 });
    agent = await gateway.token({ sub: 'agent-1', email: 'agent-1@example.com', groups: ['ai-agents'] });
    owner = await gateway.token({ sub: 'olivia', email: 'olivia@example.com', groups: ['data-owners'] });
    owner2 = await gateway.token({ sub: 'oscar', email: 'oscar@example.com', groups: ['data-owners'] });
    outsider = await gateway.token({ sub: 'mallory', groups: ['ai-agents', 'auditors'] });
    // A data owner's own agent: the token says the agent acts for olivia.
    agentOwner = await gateway.token({ sub: 'olivia', email: 'olivia@example.com', groups: ['data-owners', 'ai-agents'], act: 'agent-9' });
  });
  after(async () => {
    await gateway?.stop();
    gateway?.cleanup();
  });

  it('answers a write with 202 and the approval details', async () => {
    const { view } = await submitWrite();
    assert.equal(view.status, 'pending_approval');
    assert.equal(view.approval?.rule, 'writes-need-approval');
    assert.deepEqual(view.approval?.approverGroups, ['data-owners']);
    assert.equal(view.approval?.required, 1);
    const expiresIn = Date.parse(view.approval?.expiresAt ?? '') - Date.now();
    assert.ok(expiresIn > 3500_000 && expiresIn <= 3600_000, `expires in ${expiresIn} ms`);
    assert.equal(view.poll, `/v1/queries/${view.id}?wait=30`);
  });

  it('lists pending requests for data owners with sql, requester, reason, rule, tables, cost estimate and expiry', async () => {
    const { view } = await submitWrite(agent, 'listing check');
    const list = await call(`${gateway.url}/v1/approvals?status=pending`, { token: owner });
    assert.equal(list.status, 200, list.text);
    const item = (list.body as { items: Pending[] }).items.find((i) => i.id === view.id);
    assert.ok(item, 'the request is in the queue');
    assert.match(item.sql, /^INSERT INTO sales\.orders/);
    assert.equal(item.requester.subject, 'agent-1');
    assert.equal(item.requester.email, 'agent-1@example.com');
    assert.equal(item.reason, 'listing check');
    assert.equal(item.rule, 'writes-need-approval');
    assert.deepEqual(item.tables, ['demo-project.sales.orders']);
    assert.equal(typeof item.costEstimateUsd, 'number');
    assert.equal(item.expiresAt, view.approval?.expiresAt);
    assert.equal(item.canDecide, true);
    const forAgent = await call(`${gateway.url}/v1/approvals?status=pending`, { token: agent });
    assert.equal(forAgent.status, 403);
  });

  it('refuses the requester and a non-approver with 403; an approver\'s decision lets the waiting agent receive the result', async () => {
    const { view, orderId } = await submitWrite();
    assert.equal((await decide(view.id, agent, 'approve')).status, 403);
    const byOutsider = await decide(view.id, outsider, 'approve');
    assert.equal(byOutsider.status, 403);
    assert.match(byOutsider.headers.get('content-type') ?? '', /problem\+json/);

    const waiting = call(`${gateway.url}/v1/queries/${view.id}?wait=10`, { token: agent });
    await new Promise((r) => setTimeout(r, 200));
    const approved = await decide(view.id, owner, 'approve', 'ok for the backfill');
    assert.equal(approved.status, 200, approved.text);
    const result = await waiting;
    assert.equal(result.status, 200, result.text);
    const body = result.body as View;
    assert.equal(body.status, 'succeeded');
    assert.deepEqual(body.approval?.approvals.map((a) => [a.subject, a.decision]), [['olivia', 'approve']]);
    assert.equal(await countOrders(orderId), 1);

    const again = await decide(view.id, owner2, 'approve');
    assert.equal(again.status, 409, again.text);
    assert.equal((await decide(view.id, owner, 'reject')).status, 409);
    const list = await call(`${gateway.url}/v1/approvals?status=pending`, { token: owner });
    assert.ok(!(list.body as { items: Pending[] }).items.some((i) => i.id === view.id), 'no longer pending');
  });

  it('refuses a data owner approving a request their own agent made on their behalf', async () => {
    const { view } = await submitWrite(agentOwner);
    const selfApproval = await decide(view.id, owner, 'approve');
    assert.equal(selfApproval.status, 403, selfApproval.text);
    assert.equal((selfApproval.body as { reason?: string }).reason, 'is_requester');
    assert.equal((await decide(view.id, owner2, 'approve')).status, 200);
  });

  it('a rejection ends the request: status rejected, never executed, later decisions 409', async () => {
    const { view, orderId } = await submitWrite();
    const rejected = await decide(view.id, owner, 'reject', 'not this one');
    assert.equal(rejected.status, 200, rejected.text);
    assert.equal((rejected.body as View).status, 'rejected');
    const polled = await call(`${gateway.url}/v1/queries/${view.id}?wait=2`, { token: agent });
    assert.equal((polled.body as View).status, 'rejected');
    assert.equal((await decide(view.id, owner2, 'approve')).status, 409);
    assert.equal(await countOrders(orderId), 0);
  });

  it('a pending request survives a restart and runs once approved afterwards', async () => {
    const { view, orderId } = await submitWrite();
    await gateway.stop();
    gateway = await startGatewayProcess({ dataDir: gateway.dataDir, timeoutMs: 120_000 });
    const polled = await call(`${gateway.url}/v1/queries/${view.id}`, { token: agent });
    assert.equal((polled.body as View).status, 'pending_approval');
    const waiting = call(`${gateway.url}/v1/queries/${view.id}?wait=10`, { token: agent });
    assert.equal((await decide(view.id, owner, 'approve')).status, 200);
    assert.equal(((await waiting).body as View).status, 'succeeded');
    assert.equal(await countOrders(orderId), 1);
  });
});
