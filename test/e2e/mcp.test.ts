/**
 * The MCP endpoint driven by the SDK's own client over Streamable HTTP against the real gateway:
 * masked rows for an allowed query, the pending state for a write, catalog tools that follow the
 * policy, and no service without a token.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { call, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';

type ToolAnswer = { isError?: boolean; structuredContent?: Record<string, unknown>; content: { type: string; text?: string }[] };

async function connect(gateway: GatewayProcess, token: string, sessionId?: string): Promise<Client> {
  const client = new Client({ name: 'ledgergate-e2e', version: '1.0.0' });
  const headers: Record<string, string> = { Authorization: `Bearer ${token}`, ...(sessionId ? { 'X-Session-Id': sessionId } : {}) };
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`), { requestInit: { headers } }));
  return client;
}

const callTool = async (client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolAnswer> =>
  (await client.callTool({ name, arguments: args })) as ToolAnswer;

/** The JSON text the model reads must say the same as the structured content. */
function payloadOf(answer: ToolAnswer): Record<string, unknown> {
  const text = answer.content.find((c) => c.type === 'text')?.text ?? '';
  const parsed = JSON.parse(text) as Record<string, unknown>;
  assert.deepEqual(parsed, answer.structuredContent);
  return parsed;
}

describe('MCP over Streamable HTTP', () => {
  let gateway: GatewayProcess;
  let agent: Client;
  let outsider: Client;
  let auditorToken: string;

  before(async () => {
    gateway = await startGatewayProcess({ timeoutMs: 120_000 });
    agent = await connect(gateway, await gateway.token({ sub: 'agent-7', email: 'agent-7@example.com', groups: ['ai-agents'] }), 'mcp-session-1');
    outsider = await connect(gateway, await gateway.token({ sub: 'nobody', groups: ['marketing'] }));
    auditorToken = await gateway.token({ sub: 'audrey', groups: ['auditors'] });
  });
  after(async () => {
    await agent?.close();
    await outsider?.close();
    await gateway.stop();
    gateway.cleanup();
  });

  it('lists the five tools with JSON Schema arguments', async () => {
    const { tools } = await agent.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['describe_table', 'get_query', 'list_datasets', 'list_tables', 'run_query']);
    const runQuery = tools.find((t) => t.name === 'run_query');
    assert.deepEqual(runQuery?.inputSchema.required, ['sql']);
    assert.ok(runQuery?.inputSchema.properties && 'wait' in runQuery.inputSchema.properties);
  });

  it('run_query returns masked rows for an allowed query', async () => {
    const answer = await callTool(agent, 'run_query', { sql: 'SELECT email FROM sales.customers ORDER BY customer_id LIMIT 3', reason: 'mcp e2e' });
    assert.notEqual(answer.isError, true, JSON.stringify(answer));
    const body = payloadOf(answer) as { status: string; decision: { effect: string }; rows: { email: string }[]; columns: { name: string; type: string; masked?: string }[]; rowCount: number };
    assert.equal(body.status, 'succeeded');
    assert.equal(body.decision.effect, 'allow');
    assert.equal(body.rowCount, 3);
    assert.deepEqual(body.columns, [{ name: 'email', type: body.columns[0]?.type, masked: 'email' }]);
    for (const row of body.rows) assert.match(row.email, /^[a-z0-9]\*\*\*@[a-z0-9.-]+$/i, `masked like j***@example.com: ${row.email}`);
  });

  it('the MCP request is in the access log with channel mcp and the session header', async () => {
    const log = await call(`${gateway.url}/v1/audit/access-log?format=json&session=mcp-session-1`, { token: auditorToken });
    assert.equal(log.status, 200, log.text);
    const rows = (log.body as { items: { channel: string; subject: string; sql: string; decision: string }[] }).items;
    const row = rows.find((r) => r.sql.includes('sales.customers'));
    assert.ok(row, 'the query is logged');
    assert.equal(row.channel, 'mcp');
    assert.equal(row.subject, 'agent-7');
    assert.equal(row.decision, 'allow');
  });

  it('run_query on a write answers the pending-approval state and how to wait; get_query reads it', async () => {
    const answer = await callTool(agent, 'run_query', { sql: "UPDATE sales.orders SET status = 'paid' WHERE order_id = 1", reason: 'fix order' });
    assert.notEqual(answer.isError, true, JSON.stringify(answer));
    const body = payloadOf(answer) as { id: string; status: string; approval: { approverGroups: string[]; expiresAt: string; rule: string }; howToWait: string };
    assert.equal(body.status, 'pending_approval');
    assert.equal(body.approval.rule, 'writes-need-approval');
    assert.deepEqual(body.approval.approverGroups, ['data-owners']);
    assert.ok(Date.parse(body.approval.expiresAt) > Date.now());
    assert.match(body.howToWait, /get_query/);
    assert.ok(body.howToWait.includes(body.id));

    const polled = payloadOf(await callTool(agent, 'get_query', { id: body.id, wait: 0.2 }));
    assert.equal(polled.id, body.id);
    assert.equal(polled.status, 'pending_approval');
  });

  it('a denied request is a tool error naming the rule', async () => {
    const answer = await callTool(agent, 'run_query', { sql: 'DROP TABLE sales.orders' });
    assert.equal(answer.isError, true);
    const body = payloadOf(answer);
    assert.equal(body.status, 'denied');
    assert.equal(body.rule, 'no-destruction');
    assert.match(String(body.message), /no-destruction/);
  });

  it('invalid arguments are a tool error, not a crash', async () => {
    const answer = await callTool(agent, 'run_query', { sql: '', extra: 1 });
    assert.equal(answer.isError, true);
    assert.equal((payloadOf(answer).error as { code: string }).code, 'invalid_request');
  });

  it('list_datasets and list_tables show only what the policy lets the caller read', async () => {
    const datasets = payloadOf(await callTool(agent, 'list_datasets')) as { datasets: string[] };
    assert.deepEqual([...datasets.datasets].sort(), ['analytics', 'sales']);
    const tables = payloadOf(await callTool(agent, 'list_tables', { dataset: 'sales' })) as { tables: { table: string; access: string; name: string }[] };
    assert.ok(tables.tables.some((t) => t.table === 'customers' && t.access === 'allow' && t.name === 'demo-project.sales.customers'));
    const hr = payloadOf(await callTool(agent, 'list_tables', { dataset: 'hr' })) as { tables: unknown[] };
    assert.deepEqual(hr.tables, [], 'hr is denied to ai-agents, so it is not listed');
    const internal = payloadOf(await callTool(agent, 'list_tables', { dataset: '_ledgergate' })) as { tables: unknown[] };
    assert.deepEqual(internal.tables, []);

    const nothing = payloadOf(await callTool(outsider, 'list_datasets')) as { datasets: string[] };
    assert.deepEqual(nothing.datasets, [], 'a caller the policy lets read nothing sees nothing');
  });

  it('describe_table marks masked columns with their rule, and hides denied tables', async () => {
    const described = payloadOf(await callTool(agent, 'describe_table', { dataset: 'sales', table: 'customers' })) as { columns: { name: string; type: string; masked?: string }[]; access: string };
    const byName = new Map(described.columns.map((c) => [c.name, c]));
    assert.equal(byName.get('email')?.masked, 'email');
    assert.equal(byName.get('ssn')?.masked, 'redact');
    assert.equal(byName.get('customer_id')?.masked, undefined);
    assert.ok(byName.get('customer_id')?.type, 'types are given');
    assert.equal(described.access, 'allow');

    const hidden = await callTool(agent, 'describe_table', { dataset: 'hr', table: 'salaries' });
    assert.equal(hidden.isError, true);
    const missing = await callTool(agent, 'describe_table', { dataset: 'sales', table: 'no_such_table' });
    assert.equal(missing.isError, true);
    assert.deepEqual(
      (payloadOf(hidden).error as { code: string }).code,
      (payloadOf(missing).error as { code: string }).code,
      'a denied table answers like a missing one',
    );
  });

  it('refuses a request without a token with 401', async () => {
    const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } };
    const answer = await call(`${gateway.url}/mcp`, { body: initialize, headers: { Accept: 'application/json, text/event-stream' } });
    assert.equal(answer.status, 401);
    assert.match(answer.headers.get('www-authenticate') ?? '', /Bearer/);

    const client = new Client({ name: 'anonymous', version: '1.0.0' });
    await assert.rejects(client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`))));
  });

  it('answers GET /mcp with 405: the endpoint is stateless', async () => {
    const answer = await call(`${gateway.url}/mcp`, { token: await gateway.token({ sub: 'agent-7', groups: ['ai-agents'] }) });
    assert.equal(answer.status, 405);
    assert.equal(answer.headers.get('allow'), 'POST');
  });
});
