/**
 * The real `bq` command-line tool against the gateway, unchanged but for --api and the gateway token:
 * a query with masked PII, a denied DROP, a write that stays PENDING until two approvals, `bq ls`,
 * `bq show`, a dry run and legacy SQL refused. Machines without `bq` skip this file and say why; the
 * Node-client tests (bigquery-api-node.test.ts) run everywhere.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, repoRoot, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { bqRunner, findBq, type BqRunner } from '../support/bq-cli.js';
import { bq } from '../support/bigquery-api-client.js';

const bqPath = findBq();

describe('the bq command-line tool through the gateway', { skip: bqPath ? false : 'bq (google-cloud-cli) is not installed on this machine' }, () => {
  let gateway: GatewayProcess;
  let cli: BqRunner;
  let agentToken: string;
  let owners: string[];
  let auditor: string;
  let policyDir: string;

  before(async () => {
    // The shipped policy with a quorum of two approvers.
    policyDir = mkdtempSync(join(tmpdir(), 'ledgergate-bq-policy-'));
    const policy = readFileSync(join(repoRoot, 'policy.yaml'), 'utf8').replace(/required: 1 /, 'required: 2 ');
    assert.match(policy, /required: 2 /);
    writeFileSync(join(policyDir, 'policy.yaml'), policy);
    gateway = await startGatewayProcess({ timeoutMs: 120_000, env: { LEDGERGATE_POLICY: join(policyDir, 'policy.yaml') } });
    agentToken = await gateway.token({ sub: 'agent-cli', email: 'agent-cli@example.com', groups: ['ai-agents'] });
    owners = [await gateway.token({ sub: 'olivia', groups: ['data-owners'] }), await gateway.token({ sub: 'oscar', groups: ['data-owners'] })];
    auditor = await gateway.token({ sub: 'audrey', groups: ['auditors'] });
    cli = bqRunner(bqPath ?? 'bq', gateway.url, agentToken);
  });
  after(async () => {
    cli?.cleanup();
    await gateway?.stop();
    gateway?.cleanup();
    if (policyDir) rmSync(policyDir, { recursive: true, force: true });
  });

  it('bq query returns the rows /v1/queries serves, with PII masked', async () => {
    const sql = 'SELECT customer_id, email, ssn, city FROM sales.customers ORDER BY customer_id LIMIT 3';
    const result = await cli.run(['--format=json', 'query', '--nouse_legacy_sql', sql]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const rows = JSON.parse(result.stdout.slice(result.stdout.indexOf('['))) as Record<string, string>[];
    const rest = await call(`${gateway.url}/v1/queries`, { token: agentToken, body: { sql } });
    const expected = (rest.body as { rows: Record<string, unknown>[] }).rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)])));
    assert.deepEqual(rows, expected);
    for (const row of rows) {
      assert.match(row.email ?? '', /^[a-z0-9]\*\*\*@/i);
      assert.equal(row.ssn, '[REDACTED]');
    }
  });

  it('a denied DROP exits non-zero and names the rule', async () => {
    const result = await cli.run(['query', '--nouse_legacy_sql', 'DROP TABLE sales.orders']);
    assert.notEqual(result.code, 0);
    assert.match(result.stdout + result.stderr, /Access Denied[\s\S]*no-[\s]*destruction/);
  });

  it('a write stays PENDING until two approvals, then bq completes', async () => {
    const sql = "UPDATE sales.orders SET status = 'shipped' WHERE order_id = 4";
    const running = cli.start(['query', '--nouse_legacy_sql', sql], { timeoutMs: 180_000 });
    let pending: { id: string } | undefined;
    for (let i = 0; i < 240 && !pending; i++) {
      const list = await call(`${gateway.url}/v1/approvals?status=pending`, { token: owners[0] });
      pending = (list.body as { items: { id: string; sql: string }[] }).items.find((item) => item.sql === sql);
      if (!pending) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(pending, 'the write waits for approval');
    const jobs = await bq(gateway, agentToken, 'jobs?stateFilter=pending');
    assert.equal((jobs.body as { jobs: { status: { state: string } }[] }).jobs.length, 1, jobs.text);

    const first = await call(`${gateway.url}/v1/queries/${pending.id}/decisions`, { token: owners[0], body: { decision: 'approve' } });
    assert.equal(first.status, 200, first.text);
    assert.equal((first.body as { status: string }).status, 'pending_approval', 'one approval of two leaves it pending');
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(running.running(), 'bq keeps waiting while the job is PENDING');

    const second = await call(`${gateway.url}/v1/queries/${pending.id}/decisions`, { token: owners[1], body: { decision: 'approve' } });
    assert.equal(second.status, 200, second.text);
    const result = await running.done;
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const view = await call(`${gateway.url}/v1/queries/${pending.id}?wait=10`, { token: agentToken });
    assert.equal((view.body as { status: string; affectedRows: number }).status, 'succeeded');
    assert.equal((view.body as { affectedRows: number }).affectedRows, 1);
  });

  it('bq ls, bq show and a dry run follow the policy; legacy SQL is refused', async () => {
    const [datasets, tables, show, dryRun, legacy] = await Promise.all([
      cli.run(['--format=json', 'ls']),
      cli.run(['--format=json', 'ls', 'sales']),
      cli.run(['--format=json', 'show', 'sales.customers']),
      cli.run(['query', '--nouse_legacy_sql', '--dry_run', 'SELECT order_id FROM sales.orders']),
      cli.run(['query', 'SELECT order_id FROM [demo-project:sales.orders]']),
    ]);
    for (const r of [datasets, tables, show, dryRun]) assert.equal(r.code, 0, r.stdout + r.stderr);
    const json = (text: string) => JSON.parse(text.slice(text.search(/[[{]/))) as unknown;
    assert.deepEqual((json(datasets.stdout) as { datasetReference: { datasetId: string } }[]).map((d) => d.datasetReference.datasetId).sort(), ['analytics', 'sales']);
    assert.deepEqual((json(tables.stdout) as { tableReference: { tableId: string } }[]).map((t) => t.tableReference.tableId).sort(), ['customers', 'invoices', 'orders']);
    const fields = (json(show.stdout) as { schema: { fields: { name: string; type: string }[] } }).schema.fields;
    assert.equal(fields.find((f) => f.name === 'birth_date')?.type, 'STRING', 'a masked DATE column is typed STRING');
    assert.equal(fields.find((f) => f.name === 'customer_id')?.type, 'INTEGER');
    assert.match(dryRun.stdout, /successfully validated[\s\S]*\d+ bytes/);
    assert.notEqual(legacy.code, 0);
    assert.match(legacy.stdout + legacy.stderr, /legacy SQL/);
    const log = await call(`${gateway.url}/v1/audit/access-log?format=json&principal=agent-cli`, { token: auditor });
    const rows = (log.body as { items: { sql: string; channel: string }[] }).items;
    assert.ok(!rows.some((r) => r.sql === 'SELECT order_id FROM sales.orders'), 'a dry run is not a request (it is recorded as an assessment)');
    assert.ok(rows.length >= 3 && rows.every((r) => r.channel === 'bigquery-api' || r.channel === 'rest'));
    assert.ok(rows.some((r) => r.channel === 'bigquery-api' && r.sql === 'DROP TABLE sales.orders'));
  });
});
