/**
 * Webhook delivery against a local receiver: retries with backoff, a timeout per attempt, each outcome
 * recorded in the `webhooks` stream, and only the events this gateway wrote are announced.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApprovalWebhook, webhookStream } from '../../../src/app/approval-webhook.js';
import { openSqliteEventStore } from '../../../src/adapters/eventstore/sqlite-event-store.js';
import { createSlackWebhookPoster } from '../../../src/adapters/webhook/slack-webhook-poster.js';
import { createEventRegistry } from '../../../src/domain/events/registry.js';
import type { EventStore, RecordedEvent } from '../../../src/domain/ports.js';
import type { PendingApproval } from '../../../src/projections/approval-queue.js';
import { notice } from './notice-fixture.js';
import { silentLogger } from '../../../src/adapters/logging/silent-logger.js';


/** A receiver whose answers the test scripts: a status per call, or a delay. */
function receiver() {
  const bodies: unknown[] = [];
  let answers: (number | 'hang')[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(body));
      const answer = answers.shift() ?? 200;
      if (answer === 'hang') return;
      res.writeHead(answer).end(answer === 200 ? 'ok' : 'no');
    });
  });
  return {
    bodies,
    script: (next: (number | 'hang')[]) => {
      answers = next;
      bodies.length = 0;
    },
    start: () => new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`))),
    stop: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

describe('Slack webhook poster', () => {
  const hook = receiver();
  let url: string;
  before(async () => (url = await hook.start()));
  after(() => hook.stop());

  it('delivers on the first try', async () => {
    hook.script([200]);
    const outcome = await createSlackWebhookPoster({ url, backoffMs: 10 }).post(notice(), new AbortController().signal);
    assert.deepEqual(outcome, { ok: true, status: 200, attempts: 1 });
    const body = hook.bodies[0] as { text: string; blocks: unknown[] };
    assert.match(body.text, /Approval requested/);
    assert.equal(body.blocks.length, 3);
  });

  it('retries 5xx and 429 with backoff, then succeeds', async () => {
    hook.script([503, 429, 200]);
    const started = Date.now();
    const outcome = await createSlackWebhookPoster({ url, backoffMs: 50 }).post(notice(), new AbortController().signal);
    assert.deepEqual(outcome, { ok: true, status: 200, attempts: 3 });
    assert.ok(Date.now() - started >= 150, 'waited 50 + 100 ms between tries');
  });

  it('gives up after three failures and reports the last one without the URL', async () => {
    hook.script([500, 500, 500, 200]);
    const outcome = await createSlackWebhookPoster({ url, backoffMs: 10 }).post(notice(), new AbortController().signal);
    assert.deepEqual(outcome, { ok: false, error: 'HTTP 500', attempts: 3 });
    assert.equal(hook.bodies.length, 3);
  });

  it('does not retry a client error other than 429', async () => {
    hook.script([404]);
    assert.deepEqual(await createSlackWebhookPoster({ url, backoffMs: 10 }).post(notice(), new AbortController().signal), { ok: false, error: 'HTTP 404', attempts: 1 });
  });

  it('times out a receiver that never answers', async () => {
    hook.script(['hang', 'hang']);
    const outcome = await createSlackWebhookPoster({ url, backoffMs: 10, timeoutMs: 150, attempts: 2 }).post(notice(), new AbortController().signal);
    assert.deepEqual(outcome, { ok: false, error: 'timed out after 150 ms', attempts: 2 });
  });

  it('reports an unreachable receiver as a network error', async () => {
    const closed = receiver();
    const deadUrl = await closed.start();
    await closed.stop();
    const outcome = await createSlackWebhookPoster({ url: deadUrl, backoffMs: 10, attempts: 2 }).post(notice(), new AbortController().signal);
    assert.equal(outcome.ok, false);
    assert.match(outcome.ok ? '' : outcome.error, /^network error/);
    assert.ok(!JSON.stringify(outcome).includes('127.0.0.1'));
  });
});

describe('approval webhook service', () => {
  const hook = receiver();
  const dir = mkdtempSync(join(tmpdir(), 'ledgergate-webhook-'));
  let store: EventStore;
  let url: string;
  const approval: PendingApproval = {
    requestId: 'req-9',
    sql: 'DELETE FROM sales.orders WHERE note = "<https://evil|click>"',
    sqlHash: 'b'.repeat(64),
    requester: { subject: 'agent-1' },
    reason: '',
    rule: 'writes-need-approval',
    tables: ['demo-project.sales.orders'],
    statements: ['delete'],
    bytesEstimate: 10,
    costEstimateUsd: 0,
    approverGroups: ['data-owners'],
    required: 1,
    approvals: [],
    requestedAt: '2030-01-01T10:00:00.000Z',
    expiresAt: '2030-01-01T11:00:00.000Z',
    sessionId: '',
    status: 'pending_approval',
    plannedMasking: [],
  };
  const event = (type: string, data: unknown, gatewayId = 'gw-a', position = 1): RecordedEvent => ({
    streamName: 'query-req-9',
    revision: 0,
    position,
    type,
    data,
    metadata: { correlationId: 'req-9', occurredAt: '2030-01-01T10:00:00.000Z', schemaVersion: 1, gatewayId },
    recordedAt: '2030-01-01T10:00:00.000Z',
  });
  const service = () =>
    createApprovalWebhook({
      poster: createSlackWebhookPoster({ url, backoffMs: 10 }),
      store,
      clock: { now: () => new Date('2030-01-01T10:00:01.000Z') },
      logger: silentLogger,
      gatewayId: 'gw-a',
      approvalOf: (id) => (id === 'req-9' ? approval : undefined),
    });

  before(async () => {
    url = await hook.start();
    store = openSqliteEventStore({ file: join(dir, 'events.sqlite'), registry: createEventRegistry() });
  });
  after(async () => {
    await hook.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('announces approval requested and decisions, and records each delivery', async () => {
    hook.script([200, 200, 200]);
    const webhook = service();
    webhook.onEvent(event('ApprovalRequested', { requestId: 'req-9' }));
    webhook.onEvent(event('QueryApproved', { requestId: 'req-9', approvers: [{ subject: 'olivia', at: 'x' }] }, 'gw-a', 2));
    webhook.onEvent(event('ApprovalDecided', { requestId: 'req-9' }, 'gw-a', 3));
    await webhook.idle();
    assert.equal(hook.bodies.length, 2, 'individual decisions toward a quorum are not announced');
    const texts = hook.bodies.map((b) => (b as { text: string }).text);
    assert.ok(texts.some((t) => t.includes('Approval requested')) && texts.some((t) => /Approved\* by `olivia`/.test(t)));
    assert.ok(texts.every((t) => t.includes('&lt;https://evil|click&gt;') && !t.includes('<https://evil')));
    const recorded = await store.readStream(webhookStream);
    assert.deepEqual(
      recorded.map((e) => [e.type, e.data]).sort(),
      [
        ['WebhookDelivered', { requestId: 'req-9', event: 'approval_requested', status: 200, attempts: 1 }],
        ['WebhookDelivered', { requestId: 'req-9', event: 'approved', status: 200, attempts: 1 }],
      ].sort(),
    );
    assert.ok(recorded.every((e) => e.metadata.correlationId === 'req-9' && e.metadata.gatewayId === 'gw-a'));
    assert.ok(!JSON.stringify(recorded).includes(url));
  });

  it('records a failed delivery after its retries', async () => {
    hook.script([500, 500, 500]);
    const before = (await store.readStream(webhookStream)).length;
    const webhook = service();
    webhook.onEvent(event('QueryRejected', { requestId: 'req-9', by: 'oscar', comment: '<!here>' }, 'gw-a', 4));
    await webhook.idle();
    const recorded = (await store.readStream(webhookStream)).slice(before);
    assert.deepEqual(recorded.map((e) => [e.type, e.data]), [['WebhookFailed', { requestId: 'req-9', event: 'rejected', error: 'HTTP 500', attempts: 3 }]]);
    assert.equal(recorded[0]?.metadata.causationId, 'event:4');
  });

  it('leaves events written by another replica to that replica', async () => {
    hook.script([200]);
    const webhook = service();
    webhook.onEvent(event('ApprovalExpired', { requestId: 'req-9', expiresAt: approval.expiresAt }, 'gw-b', 5));
    await webhook.idle();
    assert.equal(hook.bodies.length, 0);
  });

  it('returns at once even when the receiver hangs, and stop() ends the delivery', async () => {
    hook.script(['hang', 'hang', 'hang']);
    const webhook = service();
    const started = Date.now();
    webhook.onEvent(event('ApprovalExpired', { requestId: 'req-9', expiresAt: approval.expiresAt }, 'gw-a', 6));
    assert.ok(Date.now() - started < 50, 'onEvent does not wait for the receiver');
    const before = (await store.readStream(webhookStream)).length;
    await webhook.stop(100);
    const recorded = (await store.readStream(webhookStream)).slice(before);
    assert.equal(recorded[0]?.type, 'WebhookFailed');
    assert.match((recorded[0]?.data as { error: string }).error, /aborted/);
  });
});
