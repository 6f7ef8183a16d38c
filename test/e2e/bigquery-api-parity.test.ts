/**
 * Every policy, masking and approval behaviour of /v1/queries holds through the BigQuery API: the same
 * SQL from the same principal through both doors yields the same analysis, the same decision, the same
 * event sequence and the same masked rows. Only the recorded channel differs (`bigquery-api`, with the
 * client's User-Agent and labels).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { call, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { bq } from '../support/bigquery-api-client.js';

interface SessionEvent {
  stream: string;
  type: string;
  data: Record<string, unknown>;
}

const corpus: { who: 'agent' | 'hr' | 'outsider'; sql: string }[] = [
  { who: 'agent', sql: 'SELECT order_id, amount, status FROM `demo-project.sales.orders` ORDER BY order_id LIMIT 3' },
  { who: 'agent', sql: 'SELECT * FROM sales.customers ORDER BY customer_id LIMIT 2' },
  { who: 'agent', sql: 'SELECT full_name AS who, LOWER(email) AS contact, SUBSTR(card_number, 1, 6) AS bin FROM sales.customers ORDER BY customer_id LIMIT 2' },
  { who: 'agent', sql: 'WITH c AS (SELECT notes, ssn FROM sales.customers) SELECT CONCAT(notes, ssn) AS x FROM c LIMIT 2' },
  { who: 'agent', sql: "SELECT customer_id FROM sales.customers WHERE ssn LIKE '1%'" },
  { who: 'agent', sql: 'SELECT full_name FROM hr.salaries LIMIT 1' },
  { who: 'hr', sql: 'SELECT full_name, salary, ssn FROM hr.salaries ORDER BY 1 LIMIT 2' },
  { who: 'agent', sql: "INSERT INTO sales.orders (order_id, customer_id, amount, status) VALUES (999, 1, 1.0, 'new')" },
  { who: 'agent', sql: 'DROP/**/TABLE sales.orders' },
  { who: 'agent', sql: "EXPORT DATA OPTIONS (uri = 'gs://x/*.csv', format = 'CSV') AS SELECT * FROM sales.customers" },
  { who: 'agent', sql: 'SELECT 1; DROP TABLE sales.orders' },
  { who: 'agent', sql: 'SELEC nonsense FROM' },
  { who: 'outsider', sql: 'SELECT order_id FROM sales.orders LIMIT 1' },
];

const withoutIds = (data: Record<string, unknown>): Record<string, unknown> => {
  const { requestId: _requestId, resultHash: _resultHash, ...rest } = data;
  return rest;
};

describe('the BigQuery API and /v1/queries decide, mask and record alike', () => {
  let gateway: GatewayProcess;
  const tokens: Record<string, string> = {};
  let auditor: string;

  before(async () => {
    gateway = await startGatewayProcess({ timeoutMs: 120_000 });
    tokens.agent = await gateway.token({ sub: 'agent-p', email: 'agent-p@example.com', groups: ['ai-agents'] });
    tokens.hr = await gateway.token({ sub: 'hanna', groups: ['hr-analysts'] });
    tokens.outsider = await gateway.token({ sub: 'nobody', groups: ['marketing'] });
    auditor = await gateway.token({ sub: 'audrey', groups: ['auditors'] });
  });
  after(async () => {
    await gateway?.stop();
    gateway?.cleanup();
  });

  const eventsOf = async (sessionId: string): Promise<SessionEvent[]> => {
    const answer = await call(`${gateway.url}/v1/sessions/${sessionId}`, { token: auditor });
    assert.equal(answer.status, 200, answer.text);
    return (answer.body as { events: SessionEvent[] }).events;
  };

  it('same analysis, decision, events and masked rows for every statement of the corpus', async () => {
    for (const [index, { who, sql }] of corpus.entries()) {
      const token = tokens[who] ?? '';
      const rest = await call(`${gateway.url}/v1/queries`, { token, body: { sql, wait: 20 }, headers: { 'X-Session-Id': `rest-${index}` } });
      assert.ok([200, 202, 403].includes(rest.status), rest.text);
      const api = await bq(gateway, token, 'queries', {
        body: { query: sql, useLegacySql: false, timeoutMs: 10_000, labels: { case: `c${index}` } },
        headers: { 'X-Session-Id': `bq-${index}`, 'User-Agent': 'parity-check/1.0' },
      });
      assert.ok([200, 403].includes(api.status), api.text);
      if (rest.status === 403) assert.equal(api.status, 403, `${sql}: denied through both doors`);

      const restEvents = await eventsOf(`rest-${index}`);
      let apiEvents = await eventsOf(`bq-${index}`);
      // jobs.query holds at most 10 s; let a slow run finish before comparing.
      for (let i = 0; i < 40 && apiEvents.length < restEvents.length; i++) {
        await new Promise((r) => setTimeout(r, 250));
        apiEvents = await eventsOf(`bq-${index}`);
      }
      assert.deepEqual(apiEvents.map((e) => e.type), restEvents.map((e) => e.type), `${sql}: same event sequence`);
      for (const type of ['QueryAnalysed', 'PolicyEvaluated', 'QueryDenied', 'ApprovalRequested', 'ResultMasked', 'ResultDelivered']) {
        const a = restEvents.find((e) => e.type === type);
        const b = apiEvents.find((e) => e.type === type);
        if (!a) continue;
        assert.ok(b, `${sql}: ${type} through the BigQuery API too`);
        const strip = (d: Record<string, unknown>) => {
          const { expiresAt: _expiresAt, ...rest } = withoutIds(d);
          return rest;
        };
        assert.deepEqual(strip(b.data), strip(a.data), `${sql}: same ${type}`);
      }
      const requested = apiEvents.find((e) => e.type === 'QueryRequested')?.data ?? {};
      assert.equal(requested.channel, 'bigquery-api');
      assert.equal(requested.userAgent, 'parity-check/1.0');
      assert.deepEqual(requested.labels, { case: `c${index}` });
      assert.equal(restEvents.find((e) => e.type === 'QueryRequested')?.data.channel, 'rest');
    }
  });
});
