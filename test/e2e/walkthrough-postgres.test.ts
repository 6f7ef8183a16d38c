/**
 * The walkthrough on a PostgreSQL target, end to end: the real gateway process with
 * LEDGERGATE_WAREHOUSE=postgres://… against a real PostgreSQL engine (PGlite over the wire, loaded
 * with the demo data), the shipped policy unchanged. An allowed read returns rows, PII comes back
 * masked, DROP is denied, and an approved write is applied exactly once although the gateway is
 * killed (SIGKILL) right after the approval, at several moments.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { demoPiiSamples } from '../../src/adapters/warehouse/demo-dataset.js';
import { call, freshDataDir, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { startPostgresTarget, type PostgresTarget } from '../support/postgres-target.js';

interface View {
  id: string;
  status: string;
  rows?: Record<string, unknown>[];
  rowCount?: number;
  decision?: { effect: string; rule?: string };
  error?: { code: string };
}

describe('walkthrough on a PostgreSQL target', () => {
  let target: PostgresTarget;
  let gateway: GatewayProcess;
  const dataDir = freshDataDir('ledgergate-pg-');
  let env: Record<string, string>;
  let agent: string;
  let owner: string;

  const query = (sql: string, token = agent) => call(`${gateway.url}/v1/queries`, { token, body: { sql, reason: 'postgres walkthrough' } });
  const start = async () => {
    gateway = await startGatewayProcess({ env, dataDir, timeoutMs: 120_000 });
    agent = await gateway.token({ sub: 'agent-1', email: 'agent-1@example.com', groups: ['ai-agents'], ttlSeconds: 3600 });
    owner = await gateway.token({ sub: 'olivia', email: 'olivia@example.com', groups: ['data-owners'], ttlSeconds: 3600 });
  };

  before(async () => {
    target = await startPostgresTarget();
    env = { LEDGERGATE_WAREHOUSE: target.url, LEDGERGATE_POSTGRES_POOL_SIZE: '2' };
    await start();
  });
  after(async () => {
    await gateway?.stop('SIGKILL');
    gateway?.cleanup();
    await target?.stop();
  });

  it('returns rows for an allowed PostgreSQL SELECT', async () => {
    const answer = await query('SELECT order_id, amount, currency FROM sales.orders ORDER BY order_id LIMIT 5');
    assert.equal(answer.status, 200, answer.text);
    const body = answer.body as View;
    assert.equal(body.status, 'succeeded');
    assert.equal(body.decision?.effect, 'allow');
    assert.deepEqual(body.rows?.map((row) => row.order_id), [1, 2, 3, 4, 5]);
    assert.ok(body.rows?.every((row) => /^\d+\.\d{2}$/.test(String(row.amount))), 'NUMERIC as exact decimal strings');
  });

  it('masks PII by the shipped rules, through * and through expressions', async () => {
    const pii = demoPiiSamples();
    for (const sql of ['SELECT * FROM sales.customers ORDER BY customer_id LIMIT 20', 'SELECT lower(email) AS contact, ssn FROM sales.customers c ORDER BY 1 LIMIT 20']) {
      const answer = await query(sql);
      assert.equal(answer.status, 200, answer.text);
      const text = JSON.stringify((answer.body as View).rows);
      for (const value of [...pii.emails, ...pii.ssns, ...pii.cardNumbers].slice(0, 600)) assert.ok(!text.includes(value), `${sql} leaked a protected value`);
      assert.ok(((answer.body as View).rows?.length ?? 0) === 20);
    }
    // Masked by lineage (each column its own rule), not only caught by the content detectors.
    const traced = await query('SELECT customer_id, email, ssn, birth_date, lower(full_name) AS who FROM sales.customers LIMIT 3');
    const columns = (traced.body as { columns: { name: string; masked?: string }[] }).columns;
    assert.deepEqual(columns.map((column) => [column.name, column.masked ?? null]), [['customer_id', null], ['email', 'email'], ['ssn', 'redact'], ['birth_date', 'year'], ['who', 'hash']]);
  });

  it('denies DROP, COPY, SET ROLE and a DO block with 403', async () => {
    for (const sql of ['DROP TABLE sales.orders', "COPY sales.customers TO '/tmp/out.csv'", 'SET ROLE postgres', 'DO $$ BEGIN DELETE FROM sales.orders; END $$', 'SELECT 1; DROP TABLE sales.orders']) {
      const answer = await query(sql);
      assert.equal(answer.status, 403, `${sql}: ${answer.text}`);
    }
    const still = await query('SELECT count(*) AS n FROM sales.orders');
    assert.equal((still.body as View).rows?.[0]?.n, 1000);
  });

  it('records both the allowed read and the denied DROP in the access log', async () => {
    const auditor = await gateway.token({ sub: 'audrey', groups: ['auditors'] });
    const log = await call(`${gateway.url}/v1/audit/access-log?format=jsonl`, { token: auditor });
    assert.equal(log.status, 200, log.text);
    const rows = log.text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const read = rows.find((row) => String(row.sql).startsWith('SELECT order_id, amount, currency FROM sales.orders'));
    const dropped = rows.find((row) => row.sql === 'DROP TABLE sales.orders');
    assert.equal(read?.decision, 'allow');
    assert.equal(read?.status, 'succeeded');
    assert.equal(read?.rows, 5);
    assert.equal(dropped?.decision, 'deny');
    assert.equal(dropped?.rule, 'no-destruction');
    assert.ok(!log.text.includes(demoPiiSamples().ssns[0] ?? '\u0000'), 'no protected value in the log');
  });

  it('applies an approved write exactly once across a SIGKILL right after the approval', { timeout: 300_000 }, async () => {
    for (const [round, killAfterMs] of [0, 30, 150].entries()) {
      const orderId = 950_000 + round;
      const submitted = await query(`INSERT INTO sales.orders (order_id, customer_id, amount, currency, status, ordered_at) VALUES (${orderId}, 1, 12.50, 'EUR', 'paid', TIMESTAMP '2024-01-01 00:00:00+00')`);
      assert.equal(submitted.status, 202, submitted.text);
      const id = (submitted.body as View).id;
      const approved = await call(`${gateway.url}/v1/queries/${id}/decisions`, { token: owner, body: { decision: 'approve', comment: 'backfill' } });
      assert.equal(approved.status, 200, approved.text);
      await new Promise((resolve) => setTimeout(resolve, killAfterMs));
      await gateway.stop('SIGKILL');
      await start();
      const final = await call(`${gateway.url}/v1/queries/${id}?wait=30`, { token: agent });
      assert.equal(final.status, 200, final.text);
      assert.equal((final.body as View).status, 'succeeded', `round ${round}: ${final.text}`);
      const rows = await query(`SELECT count(*) AS n FROM sales.orders WHERE order_id = ${orderId}`);
      assert.equal((rows.body as View).rows?.[0]?.n, 1, `round ${round}: the write ran once`);
    }
  });
});
