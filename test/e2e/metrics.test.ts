/**
 * /metrics speaks the Prometheus text exposition format, its counters move with real traffic, its
 * labels never carry SQL or values, and only the callers the access rule admits may scrape it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createGatewayMetrics } from '../../src/adapters/metrics/gateway-metrics.js';
import { metricsRoutes, type MetricsAccess } from '../../src/adapters/metrics/metrics-routes.js';
import { call, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?[ ]+(\S+)([ ]+-?\d+)?$/;
const labelPair = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\[\\"n])*)"(,|$)/;

/** A strict reader of the text format (version 0.0.4): throws on the first line that breaks it. */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string>; helps: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const helps = new Map<string, string>();
  for (const [index, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const where = `line ${index + 1}: ${line}`;
    if (line.startsWith('#')) {
      const comment = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
      if (!comment) continue; // other comments are allowed
      const [, kind, name, rest] = comment as unknown as [string, string, string, string];
      assert.match(name, metricName, where);
      if (kind === 'TYPE') {
        assert.ok(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest), where);
        assert.ok(!types.has(name), `${where}: TYPE given twice`);
        assert.ok(!samples.some((s) => s.name === name || s.name.startsWith(`${name}_`)), `${where}: TYPE after its samples`);
        types.set(name, rest);
      } else helps.set(name, rest);
      continue;
    }
    const match = sampleLine.exec(line);
    assert.ok(match, `${where}: not a sample line`);
    const [, name, , labelText = '', value] = match as unknown as [string, string, string | undefined, string | undefined, string];
    assert.ok(/^(NaN|[+-]Inf|[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)$/.test(value), `${where}: bad value`);
    const labels: Record<string, string> = {};
    let rest = labelText;
    while (rest.length > 0) {
      const pair = labelPair.exec(rest);
      assert.ok(pair, `${where}: bad labels`);
      labels[pair[1] as string] = pair[2] as string;
      rest = rest.slice(pair[0].length);
    }
    samples.push({ name, labels, value: Number(value.replace('Inf', 'Infinity')) });
  }
  return { samples, types, helps };
}

const familyOf = (name: string, types: Map<string, string>): string | undefined =>
  types.has(name) ? name : [...types.keys()].find((family) => types.get(family) === 'histogram' && /_(bucket|sum|count)$/.test(name) && name.replace(/_(bucket|sum|count)$/, '') === family);

const valueOf = (samples: Sample[], name: string, labels: Record<string, string> = {}): number =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);

describe('/metrics on the running gateway', () => {
  let gateway: GatewayProcess;
  let agent: string;

  before(async () => {
    gateway = await startGatewayProcess({ timeoutMs: 120_000 });
    agent = await gateway.token({ sub: 'agent-m', groups: ['ai-agents'] });
  });
  after(async () => {
    await gateway.stop();
    gateway.cleanup();
  });

  const scrape = async () => {
    const answer = await call(`${gateway.url}/metrics`);
    assert.equal(answer.status, 200, answer.text);
    assert.match(answer.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parseExposition(answer.text);
  };

  it('parses as Prometheus text, every family with HELP and TYPE', async () => {
    const { samples, types, helps } = await scrape();
    assert.ok(samples.length > 0);
    for (const sample of samples) {
      const family = familyOf(sample.name, types);
      assert.ok(family, `${sample.name} has a TYPE`);
      assert.ok(helps.has(family), `${family} has a HELP`);
    }
    for (const family of ['ledgergate_http_requests_total', 'ledgergate_http_request_duration_seconds', 'ledgergate_queries_total', 'ledgergate_masked_columns_total', 'ledgergate_detector_hits_total', 'ledgergate_event_store_append_duration_seconds', 'ledgergate_pending_approvals', 'ledgergate_projection_lag_events']) {
      assert.ok(types.has(family), `${family} is exposed`);
    }
    assert.equal(types.get('ledgergate_http_request_duration_seconds'), 'histogram');
    assert.equal(types.get('ledgergate_queries_total'), 'counter');
  });

  it('counts requests by decision and status, masking hits, appends and pending approvals as traffic flows', async () => {
    const before = (await scrape()).samples;
    const allowed = await call(`${gateway.url}/v1/queries`, { token: agent, body: { sql: 'SELECT customer_id, email, notes FROM sales.customers ORDER BY customer_id LIMIT 30' } });
    assert.equal(allowed.status, 200, allowed.text);
    const denied = await call(`${gateway.url}/v1/queries`, { token: agent, body: { sql: 'DROP TABLE sales.orders' } });
    assert.equal(denied.status, 403);
    const pending = await call(`${gateway.url}/v1/queries`, { token: agent, body: { sql: 'DELETE FROM sales.orders WHERE order_id = 9' } });
    assert.equal(pending.status, 202);
    assert.equal((await call(`${gateway.url}/v1/queries`, {})).status, 401);

    const after = (await scrape()).samples;
    const grew = (name: string, labels: Record<string, string>, by = 1) =>
      assert.ok(valueOf(after, name, labels) - valueOf(before, name, labels) >= by, `${name} ${JSON.stringify(labels)} grew by ${by}`);
    grew('ledgergate_http_requests_total', { method: 'POST', route: '/v1/queries', status: '200' });
    grew('ledgergate_http_requests_total', { method: 'POST', route: '/v1/queries', status: '403' });
    grew('ledgergate_http_requests_total', { method: 'POST', route: '/v1/queries', status: '202' });
    grew('ledgergate_http_requests_total', { method: 'GET', route: '/v1/queries', status: '401' });
    grew('ledgergate_http_request_duration_seconds_count', { route: '/v1/queries' }, 4);
    grew('ledgergate_queries_total', { decision: 'allow', status: 'succeeded', channel: 'rest' });
    grew('ledgergate_queries_total', { decision: 'deny', status: 'denied', channel: 'rest' });
    grew('ledgergate_masked_columns_total', { rule: 'email' });
    grew('ledgergate_masked_columns_total', { rule: 'redact' });
    grew('ledgergate_event_store_append_duration_seconds_count', { outcome: 'ok' }, 3);
    assert.equal(valueOf(after, 'ledgergate_pending_approvals'), 1);
    assert.ok(valueOf(after, 'ledgergate_projection_position') > 0);
    assert.ok(valueOf(after, 'ledgergate_projection_lag_events') >= 0);
  });

  it('labels come from fixed sets: no SQL, table names, ids or values', async () => {
    await call(`${gateway.url}/v1/queries/secret-request-id-123`, { token: agent });
    const { samples } = await scrape();
    const values = samples.flatMap((s) => Object.values(s.labels));
    for (const value of values) {
      assert.doesNotMatch(value, /select|drop|delete|customers|orders|@|secret-request-id/i, `label value ${value}`);
    }
    assert.ok(samples.some((s) => s.labels.route === '/v1/queries/{id}'), 'paths are reported by template');
  });
});

describe('/metrics access', () => {
  const servers: Server[] = [];
  after(() => servers.forEach((s) => s.close()));

  async function serve(access: MetricsAccess): Promise<string> {
    const app = express();
    app.use(metricsRoutes({ metrics: createGatewayMetrics({ version: 'test' }), access }));
    const server = createServer(app);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  }

  it('with a metrics token: only that bearer token scrapes, even from the loopback', async () => {
    const url = await serve({ token: 'metrics-token-0123456789' });
    assert.equal((await call(url)).status, 401);
    assert.equal((await call(url, { token: 'metrics-token-0123456789x' })).status, 401);
    const ok = await call(url, { token: 'metrics-token-0123456789' });
    assert.equal(ok.status, 200);
    assert.match(ok.text, /ledgergate_build_info\{version="test"\} 1/);
  });

  it('without a token: loopback callers only, and never behind a proxy (every caller would look local)', async () => {
    assert.equal((await call(await serve({ loopbackOnly: true, behindProxy: false }))).status, 200);
    const proxied = await call(await serve({ loopbackOnly: true, behindProxy: true }), { headers: { 'X-Forwarded-For': '127.0.0.1' } });
    assert.equal(proxied.status, 403);
    assert.match(String((proxied.body as { detail: string }).detail), /LEDGERGATE_METRICS_TOKEN/);
  });

  it('each gateway has its own registry: counters are not shared', async () => {
    const one = createGatewayMetrics({ version: 'a' });
    const two = createGatewayMetrics({ version: 'b' });
    one.queries.inc({ decision: 'allow', status: 'succeeded', channel: 'rest' });
    const { samples } = parseExposition(await two.registry.metrics());
    assert.equal(valueOf(samples, 'ledgergate_queries_total'), 0);
    assert.equal(valueOf(parseExposition(await one.registry.metrics()).samples, 'ledgergate_queries_total'), 1);
  });

  it('the exposition reader rejects malformed text (it is not vacuous)', () => {
    assert.throws(() => parseExposition('# TYPE x counter\nx{a="1" 3\n'));
    assert.throws(() => parseExposition('# TYPE x counter\nx 1 2 3\n'));
    assert.throws(() => parseExposition('# TYPE x countr\n'));
    assert.throws(() => parseExposition('x 1\n# TYPE x counter\n'));
  });
});
