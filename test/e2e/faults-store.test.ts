/**
 * Event store faults, with real file-system conditions: a store whose write lock another process holds
 * beyond the busy timeout, and a store on a full disk (a tiny tmpfs where mounting is permitted). Either
 * way the gateway answers 503 problem+json and nothing about the query runs or is half-recorded.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createDemoWarehouseFile } from '../../src/adapters/warehouse/demo-dataset.js';
import { call, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';

const marker = () => `fault-probe-${Math.random().toString(36).slice(2, 10)}`;

function eventsMentioning(file: string, text: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM events WHERE data LIKE ?').get(`%${text}%`) as { n: number }).n;
  } finally {
    db.close();
  }
}

function assertStoreUnavailable(answer: { status: number; headers: Headers; body: unknown }): void {
  assert.equal(answer.status, 503, JSON.stringify(answer.body));
  assert.match(answer.headers.get('content-type') ?? '', /application\/problem\+json/);
  assert.equal((answer.body as { code: string }).code, 'store_unavailable');
  assert.equal(answer.headers.get('retry-after'), '5');
}

describe('event store locked by another process', () => {
  let gateway: GatewayProcess;
  before(async () => {
    gateway = await startGatewayProcess({ timeoutMs: 120_000 });
  });
  after(async () => {
    await gateway.stop();
    gateway.cleanup();
  });

  it('answers 503 store_unavailable, records nothing of the query and runs nothing; serves again once released', async () => {
    const agent = await gateway.token({ sub: 'agent-lock', groups: ['ai-agents'] });
    const file = join(gateway.dataDir, 'events.sqlite');
    const holder = new Database(file);
    const probe = marker();
    holder.exec('BEGIN IMMEDIATE');
    let answer;
    try {
      answer = await call(`${gateway.url}/v1/queries`, { token: agent, body: { sql: `SELECT '${probe}' AS probe, order_id FROM sales.orders LIMIT 1` } });
      // Unauthenticated calls must be recorded too: with the store down they fail closed, not open.
      const anonymous = await call(`${gateway.url}/v1/queries`, { body: { sql: 'SELECT 1' } });
      assertStoreUnavailable(anonymous);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    assertStoreUnavailable(answer);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(eventsMentioning(file, probe), 0, 'no event of the refused query');

    const again = await call(`${gateway.url}/v1/queries`, { token: agent, body: { sql: `SELECT '${probe}-2' AS probe, order_id FROM sales.orders LIMIT 1` } });
    assert.equal(again.status, 200, again.text);
  });
});

/** Mounts a tmpfs of `size` at a fresh directory, or returns undefined where mounting is not permitted. */
function mountTmpfs(size: string): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'ledgergate-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}

function fillDisk(dir: string): void {
  const fd = openSync(join(dir, 'filler'), 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    // Fill the last partial block too.
    const small = Buffer.alloc(512, 1);
    try {
      for (;;) writeSync(fd, small);
    } catch {
      // full
    }
  } finally {
    closeSync(fd);
  }
}

describe('event store on a full disk', () => {
  let gateway: GatewayProcess | undefined;
  let mount: string | undefined;
  let work: string;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'ledgergate-full-work-'));
    mount = mountTmpfs('4m');
    const warehouse = join(work, 'warehouse.duckdb');
    await createDemoWarehouseFile(join(work, 'base.duckdb'));
    copyFileSync(join(work, 'base.duckdb'), warehouse);
    const dataDir = mount ?? join(work, 'data');
    mkdirSync(dataDir, { recursive: true });
    gateway = await startGatewayProcess({ dataDir, env: { LEDGERGATE_WAREHOUSE: `duckdb:${warehouse}` }, timeoutMs: 120_000 });
  });
  after(async () => {
    await gateway?.stop();
    if (mount) execFileSync('umount', ['-l', mount], { stdio: 'ignore' });
    rmSync(work, { recursive: true, force: true });
    if (mount) rmSync(mount, { recursive: true, force: true });
  });

  it('answers 503 store_unavailable when the data directory has no space left, and nothing runs', async (t) => {
    assert.ok(gateway);
    const agent = await gateway.token({ sub: 'agent-full', groups: ['ai-agents'] });
    const file = join(gateway.dataDir, 'events.sqlite');
    const probe = marker();
    let holder: Database.Database | undefined;
    if (mount) fillDisk(mount);
    else {
      // No permission to mount a tmpfs here: the same outcome through the lock fault.
      t.diagnostic('tmpfs mount not permitted; simulating the unwritable store with a foreign write lock');
      holder = new Database(file);
      holder.exec('BEGIN IMMEDIATE');
    }
    try {
      const answer = await call(`${gateway.url}/v1/queries`, {
        token: agent,
        body: { sql: `SELECT '${probe}' AS probe, view_id FROM analytics.page_views LIMIT 100`, reason: 'x'.repeat(1900) },
      });
      assertStoreUnavailable(answer);
    } finally {
      if (holder) {
        holder.exec('ROLLBACK');
        holder.close();
      }
      if (mount) rmSync(join(mount, 'filler'), { force: true });
    }
    assert.equal(eventsMentioning(file, probe), 0, 'no event of the refused query');
    const health = await call(`${gateway.url}/healthz`);
    assert.equal(health.status, 200, 'the gateway survives the fault');
  });
});
