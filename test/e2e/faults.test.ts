/**
 * Faults around the gateway: a slow or failing warehouse (the fake BigQuery with injected delays and
 * 5xx, behind an in-process gateway), SIGTERM while a query is in flight (the real process), and start-up
 * refusals: a corrupt or foreign event store file and bad settings each stop the process with one clear
 * line naming what is wrong.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../../src/config.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { startHarness, type Harness } from '../support/fake-bigquery/harness.js';
import { PROJECT } from '../support/fake-bigquery/fixtures.js';
import { call, repoRoot, startGatewayProcess } from '../support/gateway-process.js';
import { silentLogger } from '../../src/adapters/logging/silent-logger.js';

const startupTimeoutMs = 120_000;

describe('warehouse slow or down (fake BigQuery)', () => {
  let harness: Harness;
  let gateway: RunningGateway;
  let dataDir: string;
  let agent: string;

  before(async () => {
    harness = await startHarness();
    dataDir = mkdtempSync(join(tmpdir(), 'ledgergate-faults-bq-'));
    const config = loadConfig(
      {
        LEDGERGATE_PORT: '0',
        LEDGERGATE_DATA_DIR: dataDir,
        LEDGERGATE_PROJECT: PROJECT,
        LEDGERGATE_WAREHOUSE: `bigquery:${PROJECT}`,
        LEDGERGATE_QUERY_TIMEOUT: '2s',
        LEDGERGATE_LOG_LEVEL: 'error',
      },
      repoRoot,
    );
    gateway = await startGateway(config, { warehouse: harness.warehouse, logger: silentLogger });
    agent = await (gateway.devIssuer?.mint({ sub: 'agent-bq', groups: ['ai-agents'] }) ?? Promise.reject(new Error('no dev issuer')));
  });
  after(async () => {
    await gateway?.stop({ drainMs: 2000 });
    await harness?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers an allowed query normally when the warehouse is healthy', async () => {
    const answer = await call(`${gateway.url}/v1/queries`, { token: agent, body: { sql: 'SELECT * FROM sales.orders LIMIT 3' } });
    assert.equal(answer.status, 200, answer.text);
    assert.equal((answer.body as { rowCount: number }).rowCount, 3);
  });

  it('a job that outlives LEDGERGATE_QUERY_TIMEOUT answers 504 warehouse_timeout and is recorded as failed', async () => {
    harness.fake.setJobDuration((sql) => (/limit 7\b/i.test(sql) ? 60_000 : 0));
    try {
      const started = Date.now();
      const answer = await call(`${gateway.url}/v1/queries`, { token: agent, body: { sql: 'SELECT * FROM sales.orders LIMIT 7' } });
      assert.equal(answer.status, 504, answer.text);
      assert.match(answer.headers.get('content-type') ?? '', /application\/problem\+json/);
      const problem = answer.body as { code: string; id: string; queryStatus: string };
      assert.equal(problem.code, 'warehouse_timeout');
      assert.equal(problem.queryStatus, 'failed');
      assert.ok(Date.now() - started < 30_000, 'the timeout bounds the wait');
      const view = await call(`${gateway.url}/v1/queries/${problem.id}`, { token: agent });
      assert.equal((view.body as { status: string }).status, 'failed');
    } finally {
      harness.fake.setJobDuration(0);
    }
  });

  it('a warehouse answering 5xx gives 502 warehouse_unavailable, recorded as failed', async () => {
    // The first POST /jobs is the dry run (let it through), the next is the job itself.
    harness.fake.inject({ path: /\/jobs$/, method: 'POST', times: 1 });
    harness.fake.inject({ path: /\/jobs$/, method: 'POST', status: 503, reason: 'backendError', message: 'down', times: Infinity });
    try {
      const answer = await call(`${gateway.url}/v1/queries`, { token: agent, body: { sql: 'SELECT * FROM sales.orders LIMIT 2' } });
      assert.equal(answer.status, 502, answer.text);
      const problem = answer.body as { code: string; detail: string; id: string };
      assert.equal(problem.code, 'warehouse_unavailable');
      assert.ok(problem.detail.length > 0);
      const view = await call(`${gateway.url}/v1/queries/${problem.id}`, { token: agent });
      assert.equal((view.body as { status: string }).status, 'failed');
    } finally {
      harness.fake.clearFaults();
    }
  });
});

describe('SIGTERM drains in-flight requests', () => {
  it('lets the running query finish and be recorded, loses no event, exits 0', async () => {
    const gateway = await startGatewayProcess({ env: { LEDGERGATE_QUERY_TIMEOUT: '4s' }, timeoutMs: startupTimeoutMs });
    try {
      const agent = await gateway.token({ sub: 'agent-drain', groups: ['ai-agents'] });
      // A cross join large enough to still be running when the signal arrives; the timeout ends it.
      const inFlight = call(`${gateway.url}/v1/queries`, {
        token: agent,
        body: { sql: 'SELECT count(*) AS n FROM analytics.page_views a, analytics.page_views b, analytics.page_views c, analytics.page_views d' },
      });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const exit = gateway.stop('SIGTERM');
      const answer = await inFlight;
      assert.ok([200, 504].includes(answer.status), `in-flight request completed: ${answer.status} ${answer.text}`);
      const id = (answer.body as { id: string }).id;
      assert.equal(await exit, 0, gateway.output());

      const db = new Database(join(gateway.dataDir, 'events.sqlite'), { readonly: true });
      const types = (db.prepare('SELECT type FROM events WHERE stream_name = ? ORDER BY revision').all(`query-${id}`) as { type: string }[]).map((r) => r.type);
      db.close();
      assert.equal(types[0], 'QueryRequested');
      assert.ok(types.includes('ExecutionStarted'), types.join(','));
      assert.ok(types.includes(answer.status === 200 ? 'ResultDelivered' : 'ExecutionFailed'), `outcome recorded: ${types.join(',')}`);
    } finally {
      await gateway.stop();
      gateway.cleanup();
    }
  });
});

/** Runs src/main.ts expecting it to refuse to start; returns its exit code and the stderr lines. */
async function refusedStart(env: Record<string, string>): Promise<{ code: number | null; lines: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src', 'main.ts')], {
    cwd: repoRoot,
    env: { ...process.env, LEDGERGATE_PORT: '0', LEDGERGATE_LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.doesNotMatch(stdout, /serving at/);
  return { code, lines: stderr.split('\n').filter((line) => line.trim() !== '') };
}

describe('start-up refusals: one clear line, non-zero exit', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledgergate-faults-start-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('events.sqlite replaced by random bytes names the file', async () => {
    const dataDir = join(dir, 'random');
    const file = join(dataDir, 'events.sqlite');
    await import('node:fs').then((fs) => fs.mkdirSync(dataDir, { recursive: true }));
    writeFileSync(file, randomBytes(16_384));
    const { code, lines } = await refusedStart({ LEDGERGATE_DATA_DIR: dataDir });
    assert.notEqual(code, 0);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.ok(lines[0]?.includes(file), lines[0]);
    assert.match(lines[0] ?? '', /not a ledgergate event store/);
  });

  it('events.sqlite that is another application\'s SQLite database names the file and is left untouched', async () => {
    const dataDir = join(dir, 'foreign');
    const file = join(dataDir, 'events.sqlite');
    await import('node:fs').then((fs) => fs.mkdirSync(dataDir, { recursive: true }));
    const foreign = new Database(file);
    foreign.exec("CREATE TABLE invoices (id INTEGER, total REAL); INSERT INTO invoices VALUES (1, 9.5)");
    foreign.close();
    const { code, lines } = await refusedStart({ LEDGERGATE_DATA_DIR: dataDir });
    assert.notEqual(code, 0);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.ok(lines[0]?.includes(file), lines[0]);
    const check = new Database(file, { readonly: true });
    assert.deepEqual(check.prepare('SELECT id, total FROM invoices').all(), [{ id: 1, total: 9.5 }]);
    check.close();
  });

  for (const [setting, value] of [
    ['LEDGERGATE_PORT', 'abc'],
    ['LEDGERGATE_WAREHOUSE', 'nope'],
  ] as const) {
    it(`${setting}=${value} names the setting`, async () => {
      const { code, lines } = await refusedStart({ LEDGERGATE_DATA_DIR: join(dir, 'config'), [setting]: value });
      assert.notEqual(code, 0);
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.ok(lines[0]?.includes(setting), lines[0]);
      assert.ok(lines[0]?.includes(value), lines[0]);
    });
  }
});
