/**
 * The optional approval webhook against the real gateway and a local receiver: Slack-compatible
 * messages on approval requested and decided, with user text escaped; a failing receiver is
 * recorded as WebhookFailed and never holds up the request.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { openSqliteEventStore } from '../../src/adapters/eventstore/sqlite-event-store.js';
import { createEventRegistry } from '../../src/domain/events/registry.js';
import { call, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';

interface Message {
  text: string;
  blocks: { text?: { text: string }; fields?: { text: string }[] }[];
}

describe('approval webhook', () => {
  const received: Message[] = [];
  let failing = false;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body) as Message);
      res.writeHead(failing ? 500 : 200).end();
    });
  });
  let gateway: GatewayProcess;
  let agent: string;
  let owner: string;

  const waitFor = async (what: string, found: () => boolean, ms = 15_000) => {
    const deadline = Date.now() + ms;
    while (!found()) {
      assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const mentions = (id: string) => received.filter((m) => m.text.includes(id));
  const submit = async (sql: string) => {
    const answer = await call(`${gateway.url}/v1/queries`, { token: agent, body: { sql, reason: 'see <https://evil.example|the ticket>' } });
    assert.equal(answer.status, 202, answer.text);
    return (answer.body as { id: string }).id;
  };

  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/T000/B000/secret`;
    gateway = await startGatewayProcess({ env: { LEDGERGATE_WEBHOOK_URL: url }, timeoutMs: 120_000 });
    agent = await gateway.token({ sub: 'agent-3', groups: ['ai-agents'] });
    owner = await gateway.token({ sub: 'olivia', groups: ['data-owners'] });
  });
  after(async () => {
    await gateway?.stop();
    gateway?.cleanup();
    server.closeAllConnections();
    server.close();
  });

  it('posts escaped Slack messages when approval is requested and when it is decided', async () => {
    const sql = "INSERT INTO `demo-project.sales.orders` (order_id, customer_id, amount, currency, status, ordered_at) VALUES (920001, 3, 1.00, 'EUR', '<https://evil.example|click> ``` *x*', TIMESTAMP '2024-03-03 00:00:00')";
    const id = await submit(sql);
    await waitFor('the approval-requested message', () => mentions(id).length >= 1);
    const requested = mentions(id)[0] as Message;
    assert.match(requested.text, /Approval requested/);
    assert.ok(requested.text.includes('&lt;https://evil.example|click&gt;'), requested.text);
    assert.ok(!requested.text.includes('<https://evil'), 'no live link');
    assert.ok(requested.text.includes('INSERT INTO ˋdemo-project.sales.ordersˋ'));
    assert.equal(requested.text.match(/```/g)?.length, 2, 'the SQL cannot end its code block early');
    const fields = requested.blocks[1]?.fields?.map((f) => f.text).join('\n') ?? '';
    assert.ok(fields.includes('`see &lt;https://evil.example|the ticket&gt;`'), fields);
    assert.ok(fields.includes('writes-need-approval') && fields.includes('agent-3'));

    const approved = await call(`${gateway.url}/v1/queries/${id}/decisions`, { token: owner, body: { decision: 'approve' } });
    assert.equal(approved.status, 200, approved.text);
    await waitFor('the approved message', () => mentions(id).some((m) => /Approved\* by `olivia`/.test(m.text)));
  });

  it('a failing receiver is recorded as WebhookFailed; the request still runs', async () => {
    failing = true;
    const id = await submit("INSERT INTO sales.orders (order_id, customer_id, amount, currency, status, ordered_at) VALUES (920002, 3, 2.00, 'EUR', 'paid', TIMESTAMP '2024-03-03 00:00:00')");
    const decided = await call(`${gateway.url}/v1/queries/${id}/decisions`, { token: owner, body: { decision: 'approve' } });
    assert.equal(decided.status, 200, decided.text);
    const done = await call(`${gateway.url}/v1/queries/${id}?wait=15`, { token: agent });
    assert.equal((done.body as { status: string }).status, 'succeeded', done.text);
    // Three tries for each of the two messages (requested, approved), then the outcomes are recorded.
    await waitFor('three tries of both messages', () => mentions(id).length >= 6);
    await new Promise((r) => setTimeout(r, 500));
    await gateway.stop();
    const store = openSqliteEventStore({ file: join(gateway.dataDir, 'events.sqlite'), registry: createEventRegistry() });
    try {
      const outcomes = (await store.readStream('webhooks')).map((e): Record<string, unknown> => ({ type: e.type, ...(e.data as Record<string, unknown>) }));
      const failed = outcomes.filter((o) => o.requestId === id);
      assert.deepEqual(
        failed.map((o) => [o.type, o.event, o.attempts, o.error]).sort(),
        [
          ['WebhookFailed', 'approval_requested', 3, 'HTTP 500'],
          ['WebhookFailed', 'approved', 3, 'HTTP 500'],
        ],
      );
      assert.ok(outcomes.some((o) => o.type === 'WebhookDelivered' && o.event === 'approved' && o.status === 200 && o.attempts === 1));
      assert.ok(!JSON.stringify(outcomes).includes('secret'), 'the webhook URL is never recorded');
    } finally {
      await store.close();
    }
  });
});
