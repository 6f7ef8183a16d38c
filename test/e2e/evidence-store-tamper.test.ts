/**
 * Tampering with the store itself, and key rotation across restarts, on one data directory:
 * 1. a session sealed under key 1; restart after LEDGERGATE_EVIDENCE_KEY_MAX_AGE → key 2; the bundle
 *    with seals under both keys verifies;
 * 2. stop, edit one sealed and one unsealed event's data in the SQLite file; start: the sealer refuses
 *    to seal the broken chain (and says so), and verify fails at the edited sealed event;
 * 3. stop, delete a row; start: verify names the missing position.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { call, freshDataDir, runCli, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';

const env = { LEDGERGATE_EVIDENCE_KEY_MAX_AGE: '2s' };
const start = (dataDir: string) => startGatewayProcess({ dataDir, env, timeoutMs: 120_000 });

async function get(url: string, token: string): ReturnType<typeof call> {
  try {
    return await call(url, { token });
  } catch {
    return call(url, { token }); // a kept-alive connection closing at that moment
  }
}

describe('evidence over the store itself: key rotation, edited and deleted rows', () => {
  const dataDir = freshDataDir();
  const work = mkdtempSync(join(tmpdir(), 'ledgergate-store-tamper-'));
  let gateway: GatewayProcess | undefined;
  let downloads = 0;

  const runQuery = async (gw: GatewayProcess, sql: string): Promise<void> => {
    const agent = await gw.token({ sub: 'agent-9', groups: ['ai-agents'] });
    const answer = await call(`${gw.url}/v1/queries`, { token: agent, body: { sql } });
    assert.equal(answer.status, 200, answer.text);
  };
  const downloadAndVerify = async (gw: GatewayProcess) => {
    const auditor = await gw.token({ sub: 'audrey', groups: ['auditors'] });
    const answer = await get(`${gw.url}/v1/evidence`, auditor);
    assert.equal(answer.status, 200, answer.text);
    const file = join(work, `bundle-${++downloads}.json`);
    writeFileSync(file, answer.text);
    return { bundle: JSON.parse(answer.text) as { events: { position: number; type: string; streamName: string }[]; seals: { data: { keyId: string; toPosition: number } }[]; keys: { keys: { kid: string }[] } }, cli: await runCli(['verify', file]) };
  };
  const editDatabase = (work: (db: Database.Database) => void) => {
    const db = new Database(join(dataDir, 'events.sqlite'));
    try {
      work(db);
    } finally {
      db.close();
    }
  };

  before(async () => {
    gateway = await start(dataDir);
  });
  after(async () => {
    await gateway?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  let sealedRequestPosition = 0;

  it('verifies across a key rotation made at start (LEDGERGATE_EVIDENCE_KEY_MAX_AGE)', async () => {
    const first = gateway as GatewayProcess;
    await runQuery(first, 'SELECT order_id FROM sales.orders ORDER BY order_id LIMIT 2');
    const before = await downloadAndVerify(first);
    assert.equal(before.cli.code, 0, before.cli.stderr);
    const firstKey = before.bundle.seals.at(-1)?.data.keyId;
    assert.ok(firstKey);
    assert.equal(await first.stop(), 0);
    await new Promise((r) => setTimeout(r, 2100));

    gateway = await start(dataDir);
    await runQuery(gateway, 'SELECT COUNT(*) AS n FROM sales.orders');
    const afterRotation = await downloadAndVerify(gateway);
    assert.equal(afterRotation.cli.code, 0, afterRotation.cli.stderr);
    const sealKeys = new Set(afterRotation.bundle.seals.map((s) => s.data.keyId));
    assert.ok(sealKeys.size >= 2, `seals are signed by more than one key: ${[...sealKeys].join(', ')}`);
    assert.ok(sealKeys.has(firstKey), 'the seal made before the rotation is still in the bundle, under the old key');
    assert.ok(afterRotation.bundle.keys.keys.some((k) => k.kid === firstKey), 'the old public key is still published');
    const jwks = await call(`${gateway.url}/v1/evidence/keys`);
    assert.ok(((jwks.body as { keys: { kid: string }[] }).keys).some((k) => k.kid === firstKey));
    assert.match(afterRotation.cli.stdout, /Signing keys: +\S+, \S+/);
    sealedRequestPosition = afterRotation.bundle.events.find((e) => e.type === 'QueryRequested')?.position ?? 0;
    assert.ok(sealedRequestPosition > 0);
  });

  it('an edited row in the SQLite file: the sealer refuses to seal past it, and verify fails at the edited event', async () => {
    const running = gateway as GatewayProcess;
    await runQuery(running, 'SELECT order_id FROM sales.orders ORDER BY order_id DESC LIMIT 1'); // unsealed events
    assert.equal(await running.stop(), 0);
    let unsealedPosition = 0;
    editDatabase((db) => {
      const change = db.prepare("UPDATE events SET data = json_set(data, '$.sql', 'SELECT 1 AS harmless') WHERE position = ?");
      assert.equal(change.run(sealedRequestPosition).changes, 1);
      const row = db.prepare("SELECT max(position) AS p FROM events WHERE type = 'QueryRequested'").get() as { p: number };
      unsealedPosition = row.p;
      assert.equal(change.run(unsealedPosition).changes, 1);
    });

    gateway = await start(dataDir);
    const result = await downloadAndVerify(gateway);
    assert.equal(result.cli.code, 1, result.cli.stdout);
    assert.match(result.cli.stderr, new RegExp(`First failure: event at position ${sealedRequestPosition} \\(stream query-[^,]+, type QueryRequested\\): content does not match its hash`));
    assert.match(result.cli.stderr, new RegExp(`position ${unsealedPosition} .*content does not match its hash`));
    await new Promise((r) => setTimeout(r, 300));
    assert.match(gateway.output(), new RegExp(`hash chain is broken at position ${unsealedPosition}; refusing to seal`));
  });

  it('a deleted row: verify names the missing position', async () => {
    const running = gateway as GatewayProcess;
    assert.equal(await running.stop(), 0);
    const deleted = sealedRequestPosition + 1;
    editDatabase((db) => assert.equal(db.prepare('DELETE FROM events WHERE position = ?').run(deleted).changes, 1));
    gateway = await start(dataDir);
    const result = await downloadAndVerify(gateway);
    assert.equal(result.cli.code, 1, result.cli.stdout);
    assert.ok(!result.bundle.events.some((e) => e.position === deleted));
    assert.match(result.cli.stderr, new RegExp(`event at position ${deleted} is missing`));
  });
});
