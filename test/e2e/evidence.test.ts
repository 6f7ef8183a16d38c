/**
 * Evidence an auditor can verify offline, end to end: a realistic session through the real gateway
 * (allowed query with masking, denied DROP, a write approved by a data owner, an authentication
 * failure, a policy change made by editing the watched policy file), the bundle downloaded by an
 * auditor and checked with `npx ledgergate verify`; then the same bundle tampered with in every way
 * (edit, delete, reorder, insert, drop the tail) fails, naming the place.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore } from '../../src/adapters/eventstore/sqlite-event-store.js';
import { createEventRegistry } from '../../src/domain/events/registry.js';
import { chainHash } from '../../src/domain/evidence/event-hash.js';
import { demoPiiSamples } from '../../src/adapters/warehouse/demo-dataset.js';
import { call, repoRoot, runCli, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';

/**
 * An idempotent GET, retried once: after the seconds spent waiting for the policy file, fetch may reuse
 * a kept-alive connection the server is closing at that very moment ("other side closed").
 */
async function getWithRetry(url: string, token: string): ReturnType<typeof call> {
  try {
    return await call(url, { token });
  } catch {
    return call(url, { token });
  }
}

interface BundleEvent {
  position: number;
  streamName: string;
  revision: number;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  recordedAt: string;
  prevHash: string;
  hash: string;
}
interface Bundle {
  events: BundleEvent[];
  seals: { position: number; data: { keyId: string } }[];
  keys: { keys: { kid: string }[] };
  manifest: { policyVersions: string[]; eventCount: number };
}

describe('evidence bundle of a realistic session, verified offline', () => {
  let gateway: GatewayProcess;
  let work: string;
  let bundleFile: string;
  let bundle: Bundle;
  let writeId: string;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'ledgergate-evidence-'));
    const policyFile = join(work, 'policy.yaml');
    copyFileSync(join(repoRoot, 'policy.yaml'), policyFile);
    gateway = await startGatewayProcess({ env: { LEDGERGATE_POLICY: policyFile }, timeoutMs: 120_000 });
    const agent = await gateway.token({ sub: 'agent-7', email: 'agent-7@example.com', groups: ['ai-agents'] });
    const owner = await gateway.token({ sub: 'olivia', email: 'olivia@example.com', groups: ['data-owners'] });
    const auditor = await gateway.token({ sub: 'audrey', email: 'audrey@example.com', groups: ['auditors'] });
    const session = { 'X-Session-Id': 'evidence-session', 'User-Agent': 'evidence-agent/1.0' };

    const allowed = await call(`${gateway.url}/v1/queries`, {
      token: agent,
      headers: session,
      body: { sql: 'SELECT customer_id, email, ssn FROM sales.customers ORDER BY customer_id LIMIT 3', reason: 'churn study' },
    });
    assert.equal(allowed.status, 200, allowed.text);
    const denied = await call(`${gateway.url}/v1/queries`, { token: agent, headers: session, body: { sql: 'DROP TABLE sales.orders' } });
    assert.equal(denied.status, 403, denied.text);
    const write = await call(`${gateway.url}/v1/queries`, {
      token: agent,
      headers: session,
      body: { sql: "INSERT INTO sales.orders (order_id, customer_id, amount, currency, status) VALUES (990001, 1, 12.5, 'EUR', 'paid')", reason: 'fix', wait: 0 },
    });
    assert.equal(write.status, 202, write.text);
    writeId = (write.body as { id: string }).id;
    const decided = await call(`${gateway.url}/v1/queries/${writeId}/decisions`, { token: owner, body: { decision: 'approve', comment: 'ok' } });
    assert.ok(decided.status < 300, decided.text);
    const done = await call(`${gateway.url}/v1/queries/${writeId}?wait=20`, { token: agent });
    assert.equal((done.body as { status: string }).status, 'succeeded', done.text);
    assert.equal((await call(`${gateway.url}/v1/queries`, { body: { sql: 'SELECT 1' } })).status, 401);

    // A policy change by editing the watched file: a new PolicyActivated in the log.
    writeFileSync(policyFile, readFileSync(policyFile, 'utf8').replace('expiresAfter: 1h', 'expiresAfter: 2h'));
    const store = openSqliteEventStore({ file: join(gateway.dataDir, 'events.sqlite'), registry: createEventRegistry() });
    try {
      const deadline = Date.now() + 10_000;
      while ((await store.readStream('policy')).filter((e) => e.type === 'PolicyActivated').length < 2) {
        assert.ok(Date.now() < deadline, 'the edited policy file was activated');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await store.close();
    }

    const download = await getWithRetry(`${gateway.url}/v1/evidence`, auditor);
    assert.equal(download.status, 200, download.text);
    bundleFile = join(work, 'bundle.json');
    writeFileSync(bundleFile, download.text);
    bundle = JSON.parse(download.text) as Bundle;
  });
  after(async () => {
    await gateway?.stop();
    gateway?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('holds every event type of the session, sealed', () => {
    const types = new Set(bundle.events.map((e) => e.type));
    for (const type of [
      'QueryRequested', 'QueryAnalysed', 'PolicyEvaluated', 'QueryDenied', 'ApprovalRequested', 'ApprovalDecided', 'QueryApproved',
      'ExecutionStarted', 'ExecutionSucceeded', 'ResultMasked', 'ResultDelivered', 'PolicyActivated', 'AuthenticationFailed', 'Sealed',
    ]) {
      assert.ok(types.has(type), `${type} is in the bundle (has ${[...types].join(', ')})`);
    }
    assert.equal(bundle.manifest.eventCount, bundle.events.length);
    assert.equal(bundle.manifest.policyVersions.length, 2, 'both policy versions are named');
    assert.ok(bundle.seals.length >= 1);
    // The exact protected values the demo seeds (not a pattern: ISO dates contain '-12-' all December).
    const text = readFileSync(bundleFile, 'utf8').toLowerCase();
    const pii = demoPiiSamples();
    const seeded = [...pii.ssns, ...pii.cardNumbers, ...pii.emails, ...pii.ibans, ...pii.phones, ...pii.notesPii];
    assert.ok(seeded.length > 1000, 'the demo seeds protected values to look for');
    const leaked = seeded.filter((value) => text.includes(value.toLowerCase()));
    assert.deepEqual(leaked.length, 0, `${leaked.length} seeded protected values occur in the bundle`);
  });

  it('verifies with `npx ledgergate verify FILE`: exit 0 and a summary a person can read', async () => {
    const result = await runCli(['verify', bundleFile]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /verified: intact/);
    assert.match(result.stdout, /Period: +\d{4}-\d\d-\d\dT.* → \d{4}-\d\d-\d\dT/);
    assert.match(result.stdout, /Requests: +3 \(allow 1, deny 1, approve 1\)/);
    assert.match(result.stdout, /Approvals: +1 approved, 0 rejected, 0 expired/);
    assert.match(result.stdout, /Masked columns: +[1-9]/);
    const [first, second] = bundle.manifest.policyVersions;
    assert.ok(result.stdout.includes(`${first}, ${second}`), result.stdout);
    assert.match(result.stdout, /Seals: +[1-9]\d* \([1-9]\d* fully verified/);
  });

  /** Writes a tampered copy, runs the CLI, returns its failure output. */
  const verifyTampered = async (name: string, change: (copy: Bundle) => void): Promise<string> => {
    const copy = JSON.parse(JSON.stringify(bundle)) as Bundle;
    change(copy);
    const file = join(work, `${name}.json`);
    writeFileSync(file, JSON.stringify(copy));
    const result = await runCli(['verify', file]);
    assert.equal(result.code, 1, `${name}: verify must fail\n${result.stdout}`);
    const firstLine = /First failure: (.*)/.exec(result.stderr)?.[1] ?? '';
    assert.ok(firstLine, result.stderr);
    return firstLine;
  };
  const indexOfType = (type: string): number => bundle.events.findIndex((e) => e.type === type);

  it('fails at the edited event when an event is edited', async () => {
    const i = bundle.events.findIndex((e) => e.type === 'QueryRequested' && String(e.data.sql).startsWith('INSERT'));
    const { position } = bundle.events[i] as BundleEvent;
    const failure = await verifyTampered('edited', (copy) => {
      (copy.events[i] as BundleEvent).data.sql = 'SELECT 1';
    });
    assert.match(failure, new RegExp(`^event at position ${position} \\(stream query-${writeId}, type QueryRequested\\): content does not match its hash`));
  });

  it('fails naming the missing position when an event is deleted', async () => {
    const i = indexOfType('ApprovalDecided');
    const { position } = bundle.events[i] as BundleEvent;
    const failure = await verifyTampered('deleted', (copy) => void copy.events.splice(i, 1));
    assert.match(failure, new RegExp(`^event at position ${position}: event at position ${position} is missing`));
  });

  it('fails at the first displaced position when two events are swapped', async () => {
    const i = indexOfType('QueryDenied');
    const { position } = bundle.events[i] as BundleEvent;
    const failure = await verifyTampered('reordered', (copy) => {
      const [a, b] = [copy.events[i] as BundleEvent, copy.events[i + 1] as BundleEvent];
      copy.events[i] = b;
      copy.events[i + 1] = a;
    });
    assert.match(failure, new RegExp(`position ${position}\\b.*(missing|reordered)`));
  });

  it('fails at the original event when a forged one (with a correctly recomputed hash) is inserted before it', async () => {
    const i = indexOfType('ApprovalDecided');
    const original = bundle.events[i] as BundleEvent;
    const failure = await verifyTampered('inserted', (copy) => {
      const forged = { ...original, data: { ...original.data, comment: 'forged' } };
      forged.hash = chainHash(forged.prevHash, forged);
      copy.events.splice(i, 0, forged);
    });
    assert.match(failure, new RegExp(`^event at position ${original.position} .*appears again`));
  });

  it('fails naming the first missing position when the tail is dropped', async () => {
    const kept = bundle.events.length - 3;
    const firstDropped = (bundle.events[kept] as BundleEvent).position;
    const failure = await verifyTampered('tail', (copy) => void copy.events.splice(kept));
    assert.match(failure, new RegExp(`position ${firstDropped}\\b`));
    assert.match(failure, /missing|dropped/);
  });
});
