/**
 * What an auditor samples, over HTTP against the real gateway: the access log's columns (approvers
 * with their times included), its filters and CSV/JSONL exports (formula-injection safe), the masking
 * and approvals reports, and who may read what (auditors and approvers; requesters only their own).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { call, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';

async function get(url: string, token: string): ReturnType<typeof call> {
  try {
    return await call(url, { token });
  } catch {
    return call(url, { token }); // a kept-alive connection closing at that moment
  }
}

describe('audit read models and roles', () => {
  let gateway: GatewayProcess;
  let agent: string;
  let otherAgent: string;
  let owner: string;
  let auditor: string;
  let readId: string;
  let writeId: string;
  let startedAt: string;

  before(async () => {
    gateway = await startGatewayProcess({ timeoutMs: 120_000 });
    agent = await gateway.token({ sub: 'agent-a', email: 'agent-a@example.com', groups: ['ai-agents'], act: 'claude-code' });
    otherAgent = await gateway.token({ sub: 'agent-b', groups: ['ai-agents'] });
    owner = await gateway.token({ sub: 'olivia', email: 'olivia@example.com', groups: ['data-owners'] });
    auditor = await gateway.token({ sub: 'audrey', groups: ['auditors'] });
    startedAt = new Date().toISOString();
    const headers = { 'X-Session-Id': 'audit-session', 'User-Agent': 'audit-agent/2.0' };
    const read = await call(`${gateway.url}/v1/queries`, {
      token: agent,
      headers,
      body: { sql: 'SELECT customer_id, email, notes FROM sales.customers ORDER BY customer_id LIMIT 5', reason: '=HYPERLINK("http://evil")' },
    });
    assert.equal(read.status, 200, read.text);
    readId = (read.body as { id: string }).id;
    const write = await call(`${gateway.url}/v1/queries`, {
      token: agent,
      headers,
      body: { sql: "UPDATE sales.orders SET status = 'paid' WHERE order_id = 1", reason: 'fix', wait: 0 },
    });
    assert.equal(write.status, 202, write.text);
    writeId = (write.body as { id: string }).id;
    const decided = await call(`${gateway.url}/v1/queries/${writeId}/decisions`, { token: owner, body: { decision: 'approve', comment: 'fine' } });
    assert.ok(decided.status < 300, decided.text);
    assert.equal(((await call(`${gateway.url}/v1/queries/${writeId}?wait=20`, { token: agent })).body as { status: string }).status, 'succeeded');
    const other = await call(`${gateway.url}/v1/queries`, { token: otherAgent, body: { sql: 'SELECT COUNT(*) AS n FROM sales.orders' } });
    assert.equal(other.status, 200, other.text);
  });
  after(async () => {
    await gateway?.stop();
    gateway?.cleanup();
  });

  it('the access log has every column an auditor samples, approvers with their times included', async () => {
    const log = await get(`${gateway.url}/v1/audit/access-log?format=jsonl`, auditor);
    assert.equal(log.status, 200, log.text);
    const rows = log.text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const read = rows.find((r) => r.requestId === readId) as Record<string, unknown>;
    for (const column of ['time', 'requestId', 'subject', 'email', 'actor', 'groups', 'clientIp', 'userAgent', 'sessionId', 'sql', 'sqlHash', 'tables', 'decision', 'rule', 'policyHash', 'approvers', 'status', 'rows', 'bytesProcessed', 'maskedColumns']) {
      assert.ok(column in read, `column ${column}`);
    }
    assert.equal(read.subject, 'agent-a');
    assert.equal(read.email, 'agent-a@example.com');
    assert.equal(read.actor, 'claude-code');
    assert.deepEqual(read.groups, ['ai-agents']);
    assert.match(String(read.clientIp), /127\.0\.0\.1/);
    assert.equal(read.userAgent, 'audit-agent/2.0');
    assert.equal(read.sessionId, 'audit-session');
    assert.match(String(read.sqlHash), /^[0-9a-f]{64}$/);
    assert.deepEqual(read.tables, ['demo-project.sales.customers']);
    assert.equal(read.decision, 'allow');
    assert.match(String(read.policyHash), /^[0-9a-f]{64}$/);
    assert.equal(read.status, 'succeeded');
    assert.equal(read.rows, 5);
    assert.equal(typeof read.bytesProcessed, 'number');
    assert.ok((read.maskedColumns as string[]).includes('email:email') && (read.maskedColumns as string[]).includes('notes:redact'), String(read.maskedColumns));

    const write = rows.find((r) => r.requestId === writeId) as Record<string, unknown>;
    assert.equal(write.decision, 'approve');
    assert.equal(write.rule, 'writes-need-approval');
    const approvers = write.approvers as { subject: string; email?: string; decision: string; at: string }[];
    assert.equal(approvers.length, 1);
    assert.equal(approvers[0]?.subject, 'olivia');
    assert.equal(approvers[0]?.decision, 'approve');
    const approvedAt = Date.parse(String(approvers[0]?.at));
    assert.ok(approvedAt >= Date.parse(String(write.time)) && approvedAt <= Date.parse(String(write.finishedAt)), 'approved between request and finish');
  });

  it('filters by principal and period, and exports CSV safe from formula injection', async () => {
    const byPrincipal = await get(`${gateway.url}/v1/audit/access-log?format=json&principal=agent-b`, auditor);
    const items = (byPrincipal.body as { items: { subject: string }[] }).items;
    assert.equal(items.length, 1);
    assert.equal(items[0]?.subject, 'agent-b');
    const byEmail = await get(`${gateway.url}/v1/audit/access-log?format=json&principal=agent-a@example.com`, auditor);
    assert.equal((byEmail.body as { count: number }).count, 2);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const none = await get(`${gateway.url}/v1/audit/access-log?format=json&from=${future}`, auditor);
    assert.equal((none.body as { count: number }).count, 0);
    const window = await get(`${gateway.url}/v1/audit/access-log?format=json&from=${startedAt}&to=${future}`, auditor);
    assert.equal((window.body as { count: number }).count, 3);
    const bad = await get(`${gateway.url}/v1/audit/access-log?from=yesterday`, auditor);
    assert.equal(bad.status, 400);

    const csv = await get(`${gateway.url}/v1/audit/access-log?format=csv&principal=agent-a`, auditor);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    assert.equal(lines.length, 3, 'header and two rows');
    assert.match(lines[0] ?? '', /^time,requestId,subject,email,actor,groups,clientIp,userAgent,sessionId/);
    const readLine = lines.find((l) => l.includes(readId)) ?? '';
    assert.ok(readLine.includes(`"'=HYPERLINK(""http://evil"")"`), readLine);
    assert.ok(!/,=HYPERLINK/.test(csv.text));
    const writeLine = lines.find((l) => l.includes(writeId)) ?? '';
    assert.match(writeLine, /olivia@example\.com approve \d{4}-\d\d-\d\dT/);
  });

  it('the masking report lists masked columns with rules and sources, detector hits and totals', async () => {
    const answer = await get(`${gateway.url}/v1/audit/masking-report`, auditor);
    assert.equal(answer.status, 200, answer.text);
    const report = answer.body as {
      items: { requestId: string; maskedColumns: { column: string; rule: string; sources: string[] }[]; detectorHits: unknown[] }[];
      totals: { byRule: Record<string, number>; maskedColumns: number; byDetector: Record<string, number> };
    };
    const read = report.items.find((i) => i.requestId === readId);
    assert.ok(read);
    const email = read.maskedColumns.find((c) => c.column === 'email');
    assert.equal(email?.rule, 'email');
    assert.ok(email?.sources.some((s) => s.endsWith('sales.customers.email')), JSON.stringify(email));
    assert.ok((report.totals.byRule.email ?? 0) >= 1 && (report.totals.byRule.redact ?? 0) >= 1);
    assert.equal(report.totals.maskedColumns, report.items.reduce((n, i) => n + i.maskedColumns.length, 0));
    assert.equal(typeof report.totals.byDetector, 'object');
  });

  it('the approvals report proves approval came before execution, for the SQL that ran, by someone else', async () => {
    const answer = await get(`${gateway.url}/v1/audit/approvals-report`, owner);
    assert.equal(answer.status, 200, answer.text);
    const report = answer.body as {
      items: {
        requestId: string;
        decisions: { subject: string; position: number; sqlHash: string }[];
        approvedPosition: number;
        executions: { position: number; sqlHash: string }[];
        checks: Record<string, boolean>;
        violations: string[];
        sqlHash: string;
      }[];
      totals: { requests: number; withViolations: number; executed: number };
    };
    assert.equal(report.totals.requests, 1, 'only the request that needed approval');
    const item = report.items[0];
    assert.equal(item?.requestId, writeId);
    assert.deepEqual(item?.violations, []);
    assert.deepEqual(item?.checks, { approvalsBeforeExecution: true, executedSqlMatchesApproved: true, approversDistinct: true, requesterNotApprover: true, quorumMet: true });
    const [decision] = item?.decisions ?? [];
    const [execution] = item?.executions ?? [];
    assert.ok(decision && execution);
    assert.ok(decision.position < (item?.approvedPosition ?? Infinity) && (item?.approvedPosition ?? Infinity) < execution.position);
    assert.equal(execution.sqlHash, decision.sqlHash);
    assert.equal(execution.sqlHash, item?.sqlHash);
    assert.equal(report.totals.withViolations, 0);
  });

  it('audit endpoints are for auditors and approvers only', async () => {
    for (const path of ['/v1/audit/access-log', '/v1/audit/masking-report', '/v1/audit/approvals-report', '/v1/evidence', '/v1/sessions/audit-session']) {
      assert.equal((await get(`${gateway.url}${path}`, agent)).status, 403, `agent on ${path}`);
      assert.equal((await get(`${gateway.url}${path}`, auditor)).status, 200, `auditor on ${path}`);
    }
    assert.equal((await get(`${gateway.url}/v1/audit/masking-report`, owner)).status, 200, 'approvers may read audit data');
  });

  it('requesters see their own requests; others get 404; approvers and auditors see all', async () => {
    assert.equal((await get(`${gateway.url}/v1/queries/${readId}`, agent)).status, 200);
    const foreign = await get(`${gateway.url}/v1/queries/${readId}`, otherAgent);
    assert.equal(foreign.status, 404);
    assert.ok(!foreign.text.includes('customer_id'), 'nothing of the request leaks');
    assert.equal((await get(`${gateway.url}/v1/queries/${readId}`, owner)).status, 200);
    assert.equal((await get(`${gateway.url}/v1/queries/${readId}`, auditor)).status, 200);
    const session = await get(`${gateway.url}/v1/sessions/audit-session`, auditor);
    const events = (session.body as { events: { position: number; type: string }[] }).events;
    assert.ok(events.length > 0 && events.every((e, i) => i === 0 || (events[i - 1]?.position ?? 0) < e.position), 'replayed in log order');
  });
});
