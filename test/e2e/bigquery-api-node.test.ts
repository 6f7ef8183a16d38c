/**
 * The official Node client (@google-cloud/bigquery) pointed at the gateway with apiEndpoint and an auth
 * client that sends the gateway token: query(), createQueryJob + getQueryResults paging, a dry run, a
 * cancel, a denied statement's error, approvals, and the catalog — each through the same policy,
 * masking and audit as /v1/queries. The refusals around it are checked with raw REST calls.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BigQuery } from '@google-cloud/bigquery';
import fc from 'fast-check';
import { call, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { bigQueryClient, bq, messageOf, reasonOf } from '../support/bigquery-api-client.js';

type ApiError = Error & { code?: number; errors?: { reason: string; message: string }[] };

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    return error as ApiError;
  }
  assert.fail('expected the call to fail');
}

describe('BigQuery API with the official Node client', () => {
  let gateway: GatewayProcess;
  let agentToken: string;
  let otherToken: string;
  let owner: string;
  let auditor: string;
  let agent: BigQuery;
  let other: BigQuery;

  before(async () => {
    gateway = await startGatewayProcess({ timeoutMs: 120_000 });
    agentToken = await gateway.token({ sub: 'agent-bq', email: 'agent-bq@example.com', groups: ['ai-agents'] });
    otherToken = await gateway.token({ sub: 'agent-other', groups: ['ai-agents'] });
    owner = await gateway.token({ sub: 'olivia', email: 'olivia@example.com', groups: ['data-owners'] });
    auditor = await gateway.token({ sub: 'audrey', groups: ['auditors'] });
    agent = bigQueryClient(gateway, agentToken);
    other = bigQueryClient(gateway, otherToken);
  });
  after(async () => {
    await gateway?.stop();
    gateway?.cleanup();
  });

  it('query() returns typed rows, with PII masked and masked columns typed STRING', async () => {
    const [rows] = await agent.query({ query: 'SELECT customer_id, email, ssn, birth_date, created_at FROM sales.customers ORDER BY customer_id LIMIT 3', useLegacySql: false });
    assert.equal(rows.length, 3);
    for (const row of rows as { customer_id: number; email: string; ssn: string; birth_date: string; created_at: { value: string } }[]) {
      assert.equal(typeof row.customer_id, 'number');
      assert.match(row.email, /^[a-z0-9]\*\*\*@[a-z0-9.-]+$/i);
      assert.equal(row.ssn, '[REDACTED]');
      assert.match(row.birth_date, /^\d{4}$/, 'the year rule leaves the year, as a STRING');
      assert.match(row.created_at.value, /^\d{4}-\d{2}-\d{2}T/);
    }
    const [, , response] = await agent.createQueryJob({ query: 'SELECT customer_id, ssn FROM sales.customers LIMIT 1', useLegacySql: false }).then(async ([job]) => job.getQueryResults({ autoPaginate: false }));
    const fields = (response as { schema: { fields: { name: string; type: string }[] } }).schema.fields;
    assert.deepEqual(fields.map((f) => [f.name, f.type]), [['customer_id', 'INTEGER'], ['ssn', 'STRING']]);
  });

  it('createQueryJob + getQueryResults pages through exactly the rows /v1/queries serves, INT64 as strings on the wire', async () => {
    const sql = 'SELECT order_id, amount FROM sales.orders ORDER BY order_id LIMIT 25';
    const [job] = await agent.createQueryJob({ query: sql, useLegacySql: false, labels: { team: 'agents' } });
    const [first, next, response] = await job.getQueryResults({ maxResults: 10, autoPaginate: false });
    assert.equal(first.length, 10);
    assert.equal((response as { totalRows: string }).totalRows, '25');
    const ids = first.map((r) => (r as { order_id: number }).order_id);
    let query = next;
    for (let pages = 0; query && pages < 5; pages++) {
      const [rows, following] = await job.getQueryResults(query);
      ids.push(...rows.map((r) => (r as { order_id: number }).order_id));
      query = following;
    }
    const rest = await call(`${gateway.url}/v1/queries`, { token: agentToken, body: { sql } });
    assert.equal(rest.status, 200, rest.text);
    assert.deepEqual(ids, (rest.body as { rows: { order_id: number }[] }).rows.map((r) => Number(r.order_id)));
    const raw = await bq(gateway, agentToken, `queries/${job.id}?maxResults=2&startIndex=3`);
    assert.equal(raw.status, 200, raw.text);
    const cells = (raw.body as { rows: { f: { v: unknown }[] }[] }).rows.map((r) => r.f[0]?.v);
    assert.deepEqual(cells, [String(ids[3]), String(ids[4])]);
  });

  it('a dry run answers the gateway estimate and decision and is recorded as an assessment, not a request; a denied one is 403', async () => {
    const [job] = await agent.createQueryJob({ query: 'SELECT order_id FROM sales.orders', useLegacySql: false, dryRun: true });
    const stats = job.metadata.statistics as { query: { totalBytesProcessed: string; statementType: string; referencedTables: { tableId: string }[] } };
    assert.match(stats.query.totalBytesProcessed, /^\d+$/);
    assert.equal(stats.query.statementType, 'SELECT');
    assert.deepEqual(stats.query.referencedTables.map((t) => t.tableId), ['orders']);
    const viaQuery = await bq(gateway, agentToken, 'queries', { body: { query: 'SELECT order_id FROM sales.orders', useLegacySql: false, dryRun: true } });
    assert.equal(viaQuery.status, 200, viaQuery.text);
    assert.equal((viaQuery.body as { kind: string }).kind, 'bigquery#queryResponse');
    assert.equal((viaQuery.body as { totalBytesProcessed: string }).totalBytesProcessed, stats.query.totalBytesProcessed);
    const log = await call(`${gateway.url}/v1/audit/access-log?format=json&principal=agent-bq`, { token: auditor });
    assert.ok(!(log.body as { items: { sql: string }[] }).items.some((r) => r.sql === 'SELECT order_id FROM sales.orders'), 'a dry run is not a request');
    const capped = await rejection(agent.query({ query: 'SELECT order_id FROM sales.orders', useLegacySql: false, maximumBytesBilled: '1000' }));
    assert.equal(capped.errors?.[0]?.reason, 'bytesBilledLimitExceeded', 'the client\'s own bytes limit holds');
    assert.match(capped.message, /^Query exceeded limit for bytes billed: 1000\. \d+ or higher required\.$/);
    const [within] = await agent.query({ query: 'SELECT order_id FROM sales.orders ORDER BY order_id LIMIT 1', useLegacySql: false, maximumBytesBilled: String(10 * 2 ** 30) });
    assert.equal(within.length, 1);
    const denied = await rejection(agent.createQueryJob({ query: 'DROP TABLE sales.orders', useLegacySql: false, dryRun: true }));
    assert.equal(denied.code, 403);
    assert.match(denied.message, /no-destruction/);
    // Nothing ran, but every answer above is in the audit trail: the evidence holds one assessment each.
    const evidence = await call(`${gateway.url}/v1/evidence`, { token: auditor });
    assert.equal(evidence.status, 200, evidence.text);
    const assessed = (evidence.body as { events: { type: string; streamName: string; data: Record<string, unknown> }[] }).events
      .filter((e) => e.type === 'QueryAssessed' && (e.data.principal as { subject: string }).subject === 'agent-bq')
      .map((e) => ({ stream: e.streamName, purpose: e.data.purpose, sql: e.data.sql, effect: (e.data.decision as { effect: string }).effect, refusal: e.data.refusal, tables: e.data.tables }));
    assert.deepEqual(
      assessed.map(({ purpose, sql, effect, refusal }) => ({ purpose, sql, effect, refusal })),
      [
        { purpose: 'dry_run', sql: 'SELECT order_id FROM sales.orders', effect: 'allow', refusal: undefined },
        { purpose: 'dry_run', sql: 'SELECT order_id FROM sales.orders', effect: 'allow', refusal: undefined },
        { purpose: 'bytes_limit_check', sql: 'SELECT order_id FROM sales.orders', effect: 'allow', refusal: 'bytesBilledLimitExceeded' },
        { purpose: 'dry_run', sql: 'DROP TABLE sales.orders', effect: 'deny', refusal: undefined },
      ],
    );
    for (const { stream, tables } of assessed) {
      assert.match(stream, /^assessment-/);
      assert.deepEqual(tables, ['demo-project.sales.orders']);
    }
    // A dry run in a session is part of that session's replay.
    const inSession = await bq(gateway, agentToken, 'jobs', { headers: { 'X-Session-Id': 'dry-run-session' }, body: { configuration: { dryRun: true, query: { query: 'SELECT amount FROM sales.orders', useLegacySql: false } } } });
    assert.equal(inSession.status, 200, inSession.text);
    const replay = await call(`${gateway.url}/v1/sessions/dry-run-session`, { token: auditor });
    assert.equal(replay.status, 200, replay.text);
    assert.deepEqual(
      (replay.body as { events: { type: string; data: { sql?: string } }[] }).events.map((e) => [e.type, e.data.sql]),
      [['QueryAssessed', 'SELECT amount FROM sales.orders']],
    );
  });

  it('a denied statement rejects with 403 accessDenied naming the rule, and is recorded with channel bigquery-api', async () => {
    const error = await rejection(agent.query({ query: 'DROP/**/TABLE sales.orders', useLegacySql: false }));
    assert.equal(error.code, 403);
    assert.equal(error.errors?.[0]?.reason, 'accessDenied');
    assert.match(error.message, /no-destruction/);
    const log = await call(`${gateway.url}/v1/audit/access-log?format=json&principal=agent-bq&decision=deny`, { token: auditor });
    const row = (log.body as { items: { sql: string; channel: string; userAgent?: string; rule: string }[] }).items.find((r) => r.sql === 'DROP/**/TABLE sales.orders');
    assert.ok(row, 'the denied request is in the access log');
    assert.equal(row.channel, 'bigquery-api');
    assert.equal(row.rule, 'no-destruction');
    assert.match(row.userAgent ?? '', /gcloud-node-bigquery|google-api-nodejs-client|gl-node/i);
  });

  it('a write is PENDING with an approval link, runs after approval, and a cancelled one is stopped', async () => {
    const [write] = await agent.createQueryJob({ query: "UPDATE sales.orders SET status = 'shipped' WHERE order_id = 2", useLegacySql: false });
    assert.equal((write.metadata.status as { state: string }).state, 'PENDING');
    const pending = await bq(gateway, agentToken, `queries/${write.id}?timeoutMs=0`);
    assert.equal((pending.body as { jobComplete: boolean }).jobComplete, false);
    const link = pending.headers.get('x-ledgergate-approval') ?? '';
    assert.match(link, /\/v1\/queries\/[0-9a-f-]{36}$/);
    const decided = await call(`${link}/decisions`, { token: owner, body: { decision: 'approve', comment: 'bq api test' } });
    assert.equal(decided.status, 200, decided.text);
    const [, , done] = await write.getQueryResults({ autoPaginate: false, timeoutMs: 10_000 });
    assert.equal((done as { numDmlAffectedRows?: string }).numDmlAffectedRows, '1');

    const [refused] = await agent.createQueryJob({ query: "UPDATE sales.orders SET status = 'lost' WHERE order_id = 5", useLegacySql: false });
    const refusedLink = (refused.metadata as { ledgergate: { approval: string } }).ledgergate.approval;
    const rejected = await call(`${refusedLink}/decisions`, { token: owner, body: { decision: 'reject', comment: 'no' } });
    assert.equal(rejected.status, 200, rejected.text);
    const rejection403 = await rejection(refused.getQueryResults({ autoPaginate: false }));
    assert.equal(rejection403.code, 403);
    assert.equal(rejection403.errors?.[0]?.reason, 'accessDenied');
    assert.match(rejection403.message, /writes-need-approval/);

    const [doomed] = await agent.createQueryJob({ query: "DELETE FROM sales.orders WHERE order_id = 3", useLegacySql: false });
    const [cancelled] = await doomed.cancel();
    const status = (cancelled as { job: { status: { state: string; errorResult?: { reason: string } } } }).job.status;
    assert.equal(status.state, 'DONE');
    assert.equal(status.errorResult?.reason, 'stopped');
    const [metadata] = await doomed.getMetadata();
    assert.equal((metadata as { status: { errorResult: { reason: string } } }).status.errorResult.reason, 'stopped');
    const results = await rejection(doomed.getQueryResults({ autoPaginate: false }));
    assert.equal(results.errors?.[0]?.reason, 'stopped');
  });

  it('client job ids are the caller\'s own: reuse is 409 duplicate, another principal neither sees nor collides', async () => {
    const jobId = `shared_${Date.now()}`;
    await agent.createQueryJob({ query: 'SELECT 1 AS one', useLegacySql: false, jobId });
    const again = await rejection(agent.createQueryJob({ query: 'SELECT 2 AS two', useLegacySql: false, jobId }));
    assert.equal(again.code, 409);
    assert.equal(again.errors?.[0]?.reason, 'duplicate');
    const peek = await bq(gateway, otherToken, `jobs/${jobId}`);
    assert.equal(peek.status, 404);
    assert.equal(reasonOf(peek), 'notFound');
    const [theirs] = await other.createQueryJob({ query: 'SELECT 3 AS three', useLegacySql: false, jobId });
    const [rows] = await theirs.getQueryResults();
    assert.deepEqual(rows, [{ three: 3 }]);
    const [mine] = await agent.getJobs();
    assert.ok(mine.some((j) => j.id === jobId));
    const [listed] = await other.getJobs();
    assert.deepEqual(listed.map((j) => j.id), [jobId], 'jobs.list holds only the caller\'s own jobs');
    // Concurrent inserts of one job id: exactly one runs, the others are duplicates.
    const raced = `raced_${Date.now()}`;
    const sql = `SELECT ${Date.now()} AS marker`;
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => bq(gateway, agentToken, 'jobs', { body: { jobReference: { jobId: raced }, configuration: { query: { query: sql, useLegacySql: false } } } })),
    );
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 409, 409, 409, 409], answers.map((a) => a.text).join('\n'));
    const logged = await call(`${gateway.url}/v1/audit/access-log?format=json&principal=agent-bq`, { token: auditor });
    assert.equal((logged.body as { items: { sql: string }[] }).items.filter((r) => r.sql === sql).length, 1, 'one request recorded');
    const children = await bq(gateway, agentToken, `jobs?parentJobId=${jobId}`);
    assert.deepEqual((children.body as { jobs: unknown[] }).jobs, []);
  });

  it('datasets and tables follow the policy: hidden ones are not found, masked columns are STRING', async () => {
    const [datasets] = await agent.getDatasets();
    assert.deepEqual(datasets.map((d) => d.id).sort(), ['analytics', 'sales']);
    const [tables] = await agent.dataset('sales').getTables();
    assert.ok(tables.map((t) => t.id).includes('customers'));
    const [metadata] = await agent.dataset('sales').table('customers').getMetadata();
    const fields = (metadata as { schema: { fields: { name: string; type: string }[] } }).schema.fields;
    assert.equal(fields.find((f) => f.name === 'birth_date')?.type, 'STRING');
    assert.equal(fields.find((f) => f.name === 'customer_id')?.type, 'INTEGER');
    const hidden = await rejection(agent.dataset('hr').table('salaries').getMetadata());
    assert.equal(hidden.code, 404);
  });

  it('what would move data past the gate is refused in BigQuery\'s envelope with reasons clients do not retry', async () => {
    const legacy = await bq(gateway, agentToken, 'queries', { body: { query: 'SELECT 1' } });
    assert.equal(legacy.status, 400);
    assert.equal(reasonOf(legacy), 'invalidQuery');
    assert.match(messageOf(legacy), /legacy SQL/);
    const refusals: [string, string, unknown?][] = [
      ['GET', 'datasets/sales/tables/customers/data'],
      ['POST', 'datasets/sales/tables/customers/insertAll', { rows: [{ json: { customer_id: 1 } }] }],
      ['DELETE', 'datasets/sales/tables/orders'],
      ['POST', 'datasets/sales/tables', { tableReference: { tableId: 'x' } }],
      ['POST', 'jobs', { configuration: { load: { sourceUris: ['gs://b/x.csv'] } } }],
      ['POST', 'jobs', { configuration: { query: { query: 'SELECT 1', useLegacySql: false, destinationTable: { projectId: 'demo-project', datasetId: 'sales', tableId: 'x' } } } }],
    ];
    for (const [method, path, body] of refusals) {
      const answer = await bq(gateway, agentToken, path, { method, ...(body !== undefined ? { body } : {}), root: path.startsWith('datasets') });
      assert.equal(answer.status, 403, `${method} ${path}: ${answer.text}`);
      assert.equal(reasonOf(answer), 'accessDenied');
    }
    const upload = await call(`${gateway.url}/upload/bigquery/v2/projects/demo-project/jobs?uploadType=multipart`, { token: agentToken, body: {} });
    assert.equal(upload.status, 403);
    const google = await bq(gateway, 'ya29.a0AfH6SMBx-not-a-gateway-token', 'jobs');
    assert.equal(google.status, 401);
    assert.match(messageOf(google), /Google access token.*gateway token/);
    const missing = await bq(gateway, undefined, 'jobs');
    assert.equal(missing.status, 401);
    assert.ok(messageOf(missing), 'a BigQuery-shaped 401');
    const elsewhere = await call(`${gateway.url}/bigquery/v2/projects/someone-else/jobs`, { token: agentToken });
    assert.equal(elsewhere.status, 404);
  });

  it('hostile bodies and parameters always get BigQuery\'s envelope with a 4xx, never a 5xx or a run', async () => {
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.record({ configuration: fc.record({ query: fc.dictionary(fc.constantFrom('query', 'useLegacySql', 'destinationTable', 'queryParameters', 'writeDisposition', 'defaultDataset'), fc.jsonValue({ maxDepth: 2 })) }), jobReference: fc.record({ jobId: fc.jsonValue({ maxDepth: 1 }) }) }, { requiredKeys: [] }),
      fc.record({ query: fc.jsonValue({ maxDepth: 1 }), useLegacySql: fc.jsonValue({ maxDepth: 1 }), labels: fc.jsonValue({ maxDepth: 2 }), maxResults: fc.jsonValue({ maxDepth: 1 }), formatOptions: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }),
    );
    const target = fc.record({
      path: fc.constantFrom('jobs', 'queries', 'jobs/%ZZ', 'queries/x?maxResults=-1', 'queries/x?formatOptions.timestampOutputFormat=NOPE', 'queries/x?pageToken=a&pageToken=b', 'jobs?maxCreationTime=soon', 'datasets/%00/tables', 'jobs/x/cancel'),
      body,
    });
    await fc.assert(
      fc.asyncProperty(target, async ({ path, body: payload }) => {
        const method = path.startsWith('jobs') && !path.includes('?') && path !== 'jobs/%ZZ' ? 'POST' : path === 'queries' ? 'POST' : 'GET';
        const answer = await bq(gateway, agentToken, path, { method, ...(method === 'POST' ? { body: payload } : {}) });
        assert.ok(answer.status < 500, `${method} ${path} → ${answer.status} ${answer.text.slice(0, 300)}`);
        if (answer.status >= 400) assert.ok(reasonOf(answer), `BigQuery's envelope: ${answer.text.slice(0, 300)}`);
      }),
      { numRuns: 80 },
    );
  });

  it('the discovery document lists exactly the served methods, rooted at the gateway', async () => {
    const doc = await call(`${gateway.url}/$discovery/rest?version=v2`);
    assert.equal(doc.status, 200);
    const body = doc.body as { rootUrl: string; resources: Record<string, { methods: Record<string, { path: string }> }> };
    assert.equal(body.rootUrl, `${gateway.url}/`);
    const methods = Object.entries(body.resources).flatMap(([resource, r]) => Object.keys(r.methods).map((m) => `${resource}.${m}`)).sort();
    assert.deepEqual(methods, ['datasets.get', 'datasets.list', 'jobs.cancel', 'jobs.get', 'jobs.getQueryResults', 'jobs.insert', 'jobs.list', 'jobs.query', 'tables.get', 'tables.list']);
    const alternative = await call(`${gateway.url}/discovery/v1/apis/bigquery/v2/rest`);
    assert.deepEqual(alternative.body, doc.body);
  });
});
