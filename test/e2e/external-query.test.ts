/**
 * EXTERNAL_QUERY through the real gateway (in process, every adapter real except the warehouse, which
 * is the federation double over DuckDB and PostgreSQL: test/support/federating-warehouse.ts). The
 * connection `demo-project.us.crm` is configured as PostgreSQL; the policy names its tables
 * `demo-project.us.crm.<schema>.<table>`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/adapters/logging/silent-logger.js';
import { loadConfig } from '../../src/config.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { createDemoWarehouseFile, demoPiiSamples } from '../../src/adapters/warehouse/demo-dataset.js';
import { openDuckDbWarehouse } from '../../src/adapters/warehouse/duckdb-warehouse.js';
import { openPostgresWarehouse } from '../../src/adapters/warehouse/postgres-warehouse.js';
import { federatingWarehouse } from '../support/federating-warehouse.js';
import { call, repoRoot } from '../support/gateway-process.js';
import { startPostgresTarget, type PostgresTarget } from '../support/postgres-target.js';

const policy = `version: 1
default: deny
approvals: { approverGroups: [data-owners], required: 1, expiresAfter: 1h }
masking:
  columns:
    - { table: "**.crm.sales.customers", column: full_name, rule: hash }
    - { table: "**.crm.sales.customers", column: email, rule: email }
    - { table: "**.crm.sales.customers", column: ssn, rule: redact }
    - { table: "**.crm.sales.customers", column: card_number, rule: last4 }
  detectors: []
  protectedPredicates: approve
rules:
  - id: no-destruction
    match: { statements: [drop, truncate, export, grant, revoke, load, call, script, unknown] }
    effect: deny
  - id: writes-need-approval
    match: { statements: [insert, update, delete, merge, create, alter] }
    effect: approve
  - id: agents-read-crm
    match: { groups: [ai-agents], statements: [select], tables: ["demo-project.us.crm.**"] }
    effect: allow
`;

interface Answer {
  status: string;
  rule?: string;
  decision?: { effect: string; rule?: string };
  columns?: { name: string; masked?: string }[];
  rows?: Record<string, unknown>[];
}

describe('EXTERNAL_QUERY through the gateway', () => {
  let target: PostgresTarget;
  let gateway: RunningGateway;
  let dataDir: string;
  let agent: string;
  const ask = async (sql: string) => {
    const answer = await call(`${gateway.url}/v1/queries`, { token: agent, body: { sql } });
    return { status: answer.status, body: answer.body as Answer, text: answer.text };
  };
  const external = (sql: string, connection = 'demo-project.us.crm') => `SELECT * FROM EXTERNAL_QUERY('${connection}', '${sql.replace(/'/g, "\\'")}')`;

  before(async () => {
    target = await startPostgresTarget();
    dataDir = mkdtempSync(join(tmpdir(), 'ledgergate-eq-'));
    writeFileSync(join(dataDir, 'policy.yaml'), policy);
    const file = join(dataDir, 'demo.duckdb');
    await createDemoWarehouseFile(file);
    const warehouse = federatingWarehouse(await openDuckDbWarehouse({ file, projectId: 'demo-project' }), {
      'demo-project.us.crm': await openPostgresWarehouse({ connectionString: target.url, projectId: 'crm', poolSize: 2 }),
    });
    const config = loadConfig(
      {
        LEDGERGATE_PORT: '0',
        LEDGERGATE_DATA_DIR: dataDir,
        LEDGERGATE_POLICY: join(dataDir, 'policy.yaml'),
        LEDGERGATE_EXTERNAL_QUERY_POSTGRES: 'demo-project.us.crm',
        LEDGERGATE_LOG_LEVEL: 'error',
      },
      repoRoot,
    );
    gateway = await startGateway(config, { warehouse, logger: silentLogger });
    agent = await (gateway.devIssuer?.mint({ sub: 'agent-eq', groups: ['ai-agents'] }) ?? Promise.reject(new Error('no dev issuer')));
  });
  after(async () => {
    await gateway?.stop({ drainMs: 2000 });
    await target?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('masks protected columns read through it, column by column', async () => {
    const answer = await ask(external('SELECT customer_id, full_name, email, ssn, city FROM sales.customers ORDER BY customer_id LIMIT 5'));
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.decision?.rule, 'agents-read-crm');
    assert.deepEqual(
      answer.body.columns?.map((column) => [column.name, column.masked ?? null]),
      [['customer_id', null], ['full_name', 'hash'], ['email', 'email'], ['ssn', 'redact'], ['city', null]],
    );
    const text = JSON.stringify(answer.body.rows);
    for (const value of [...demoPiiSamples().emails, ...demoPiiSamples().ssns]) assert.ok(!text.includes(value), 'a protected value leaked');
    assert.equal(answer.body.rows?.length, 5);
  });

  it('masks every column by the strictest rule of its tables when the external lineage is unknown', async () => {
    const answer = await ask(external('SELECT * FROM sales.customers ORDER BY customer_id LIMIT 5'));
    assert.equal(answer.status, 200, answer.text);
    assert.ok(answer.body.columns?.every((column) => column.masked === 'redact'), JSON.stringify(answer.body.columns));
    const text = JSON.stringify(answer.body.rows);
    for (const value of [...demoPiiSamples().emails, ...demoPiiSamples().ssns, ...demoPiiSamples().cardNumbers]) assert.ok(!text.includes(value));
  });

  it('denies DDL, unreadable SQL, a non-literal argument and an unconfigured (e.g. MySQL) connection', async () => {
    for (const sql of [
      external('DROP TABLE sales.customers'),
      external('SELECT 1; TRUNCATE sales.orders'),
      external("SELECT pg_read_file('/etc/passwd')"),
      "SELECT * FROM EXTERNAL_QUERY('demo-project.us.crm', CONCAT('DROP TABLE ', 'sales.customers'))",
      external('SELECT email FROM sales.customers', 'demo-project.us.mysql-shop'),
    ]) {
      const answer = await ask(sql);
      assert.equal(answer.status, 403, `${sql}: ${answer.text}`);
    }
    const still = await ask(external('SELECT count(*) AS n FROM sales.customers'));
    assert.equal(still.status, 200, still.text);
    assert.equal(still.body.rows?.[0]?.n, 200);
  });

  it('holds a write inside it for approval, and a probe on a protected column too', async () => {
    assert.equal((await ask(external('DELETE FROM sales.orders'))).status, 202);
    assert.equal((await ask(`SELECT customer_id FROM EXTERNAL_QUERY('demo-project.us.crm', 'SELECT customer_id, ssn FROM sales.customers') WHERE ssn LIKE '1%'`)).status, 202);
  });
});
