/**
 * Issue 13 end to end: each class of misread GoogleSQL, sent to the real gateway (one process, the
 * shipped strict policy: default deny, hr off limits, drop/export/grant/call/script/unknown denied)
 * over the embedded demo warehouse, is refused with 403 naming the rule; an unknown reading says why
 * in the decision's reasons. Legitimate raw strings and regular expressions still run.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { call, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';

interface Refusal {
  readonly sql: string;
  readonly rule: string;
  readonly why: string;
}

const refusals: readonly Refusal[] = [
  { sql: "SELECT r'\\\\' AS a; DROP TABLE sales.orders", rule: 'no-destruction', why: 'raw string hides a DROP' },
  { sql: "SELECT r'\\\\' AS a FROM sales.orders; GRANT `roles/bigquery.dataOwner` ON SCHEMA sales TO 'user:x@example.com' --'", rule: 'no-destruction', why: 'raw string hides a GRANT' },
  { sql: "SELECT r\"\\\\\" AS a; EXPORT DATA OPTIONS(uri='gs://b/*.csv', format='CSV') AS SELECT * FROM sales.orders", rule: 'no-destruction', why: 'raw string hides an EXPORT' },
  { sql: "SELECT r'\\\\', (SELECT MAX(ssn) FROM hr.salaries) AS s, ' ' AS t FROM sales.orders", rule: 'no-destruction', why: 'raw string hides a read of hr' },
  { sql: "SELECT rb'\\\\' AS a FROM sales.orders UNION ALL SELECT b'' FROM hr.salaries --'", rule: 'no-destruction', why: 'raw bytes hide a UNION' },
  { sql: 'SELECT full_name FROM `\\u0068r`.salaries', rule: 'hr-restricted', why: '\\u escape spells hr' },
  { sql: 'SELECT full_name FROM `demo-project.\\150\\x72.salaries`', rule: 'hr-restricted', why: 'octal and hex escapes spell hr' },
  { sql: 'SELECT full_name FROM `\\U00000068\\U00000072`.salaries', rule: 'hr-restricted', why: '\\U escapes spell hr' },
  { sql: 'SELECT * FROM (sales.orders CROSS JOIN sales.expand_orders() AS l)', rule: 'no-destruction', why: 'table function in a parenthesised join' },
  { sql: 'SELECT ssn FROM `example.com:demo-project.hr.salaries`', rule: 'hr-restricted', why: 'domain-scoped project id' },
  { sql: 'SELECT sales.enrich(order_id) AS e FROM sales.orders', rule: 'no-destruction', why: 'persistent function call' },
  { sql: 'SELECT 1 /* /* */ ; DROP TABLE sales.orders; -- */', rule: 'no-destruction', why: 'block comments do not nest' },
];

describe('GoogleSQL read as BigQuery reads it, through the real gateway', () => {
  let gateway: GatewayProcess;
  let agent: string;
  before(async () => {
    gateway = await startGatewayProcess({ timeoutMs: 120_000 });
    agent = await gateway.token({ sub: 'reading-agent', groups: ['ai-agents'] });
  });
  after(async () => {
    await gateway.stop();
    gateway.cleanup();
  });

  for (const refusal of refusals) {
    it(`refuses: ${refusal.why}`, async () => {
      const answer = await call(`${gateway.url}/v1/queries`, { token: agent, body: { sql: refusal.sql } });
      assert.equal(answer.status, 403, answer.text);
      assert.match(answer.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.equal((answer.body as { rule: string }).rule, refusal.rule, answer.text);
    });
  }

  it('says where the readings split when it reads a request as unknown', async () => {
    const answer = await call(`${gateway.url}/v1/queries`, { token: agent, body: { sql: "SELECT r'\\\\' AS a; DROP TABLE sales.orders" } });
    assert.equal(answer.status, 403);
    assert.match(answer.text, /not read with certainty/);
  });

  it('still runs raw strings and regular expressions', async () => {
    const sql = "SELECT order_id, REGEXP_CONTAINS(currency, r'^[A-Z]{3}$') AS iso, r'\\d+\\'' AS raw FROM sales.orders ORDER BY order_id LIMIT 2";
    const answer = await call(`${gateway.url}/v1/queries`, { token: agent, body: { sql } });
    assert.equal(answer.status, 200, answer.text);
    const body = answer.body as { status: string; rows: { iso: boolean; raw: string }[] };
    assert.equal(body.status, 'succeeded');
    assert.equal(body.rows.length, 2);
    assert.ok(body.rows.every((row) => row.iso === true && row.raw === "\\d+\\'"), JSON.stringify(body.rows));
  });
});
