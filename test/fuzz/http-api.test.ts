/**
 * Hostile HTTP against one real gateway process: random JSON values, wrong types, huge strings, deep
 * nesting, control characters, invalid UTF-8 bytes and random headers, with and without a valid token.
 * Never a 5xx, never a crash, and the process's memory stays bounded.
 *
 * Bounded, not small: a Node process keeps the native memory it once needed (glibc arenas, the parser's
 * WebAssembly memory in the analysis worker), so its RSS climbs to a plateau under the first few hundred
 * hostile requests (measured: +300 MiB, flat from about the 500th of 1,000). A leak keeps climbing. So
 * the test warms up first, then requires the same amount of hostile traffic again to add almost nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import fc from 'fast-check';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';

const rssMiB = (pid: number | undefined): number => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
};

function send(url: string, method: string, body: Buffer | undefined, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const nested = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/).filter((n) => !['content-length', 'transfer-encoding', 'host', 'connection', 'expect', 'upgrade'].includes(n));
const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,200}$/);

describe('HTTP API under hostile input', () => {
  let gateway: GatewayProcess;
  let token: string;
  before(async () => {
    gateway = await startGatewayProcess({ env: { LEDGERGATE_RATE_LIMIT: '1000000', LEDGERGATE_RATE_LIMIT_ADDRESS: '10000000' }, timeoutMs: 120_000 });
    token = await gateway.token({ sub: 'fuzz-agent', groups: ['ai-agents'] });
  });
  after(async () => {
    await gateway.stop();
    gateway.cleanup();
  });

  it('never answers 5xx and never dies, whatever the body, path or headers', async (t) => {
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 6 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
      fc.record({ sql: fc.anything(), reason: fc.anything(), maxRows: fc.anything(), wait: fc.oneof(fc.double(), fc.integer(), fc.string()) }, { requiredKeys: [] }).map((v) => Buffer.from(JSON.stringify(v) ?? '{}')),
      fc.string({ unit: 'binary', maxLength: 2000 }).map((s) => Buffer.from(JSON.stringify({ sql: s }))),
      fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes)),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.concat([Buffer.from('{"sql":"SELECT '), Buffer.from(bytes), Buffer.from('"}')])),
      fc.integer({ min: 1, max: 5000 }).map((depth) => Buffer.from(`{"sql":${nested(depth)}}`)),
      fc.integer({ min: 100_000, max: 400_000 }).map((n) => Buffer.from(JSON.stringify({ sql: `SELECT '${'a'.repeat(n)}'` }))),
      fc.constant(Buffer.from('{"sql":"SELECT 1\\u0000\\u0007\\u001b[31m"}')),
    );
    const target = fc.record({
      method: fc.constantFrom('POST', 'POST', 'GET', 'DELETE', 'PUT', 'PATCH'),
      path: fc.constantFrom('/v1/queries', '/v1/queries/x', '/v1/queries/%ZZ/decisions', '/v1/approvals?status=%', '/v1/audit/access-log?from=yesterday', '/v1/sessions/%00', '/v1/evidence?from=x', '/mcp', '/healthz', '/nope', '/bigquery/v2/projects/demo-project/jobs', '/projects/demo-project/queries', '/bigquery/v2/projects/demo-project/queries/%ZZ?maxResults=x', '/$discovery/rest?version=%'),
      authorised: fc.boolean(),
      contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/problem+json', 'application/json; charset=latin1'),
      extra: fc.dictionary(headerName, headerValue, { maxKeys: 5 }),
      body,
    });
    const hostileTraffic = () =>
      fc.assert(
        fc.asyncProperty(target, async ({ method, path, authorised, contentType, extra, body: payload }) => {
          const headers: Record<string, string> = { ...extra, 'content-type': contentType, ...(authorised ? { authorization: `Bearer ${token}` } : {}), 'x-session-id': extra['x-session-id'] ?? 'fuzz' };
          const answer = await send(`${gateway.url}${path}`, method, method === 'GET' ? undefined : payload, headers);
          assert.ok(answer.status < 500, `${method} ${path} → ${answer.status} ${answer.text.slice(0, 300)}`);
        }),
        { numRuns: 600 },
      );
    const startRss = rssMiB(gateway.child.pid);
    await hostileTraffic();
    const warmRss = rssMiB(gateway.child.pid);
    await hostileTraffic();
    const endRss = rssMiB(gateway.child.pid);
    assert.equal(gateway.child.exitCode, null, 'the gateway is still running');
    const health = await send(`${gateway.url}/healthz`, 'GET', undefined, {});
    assert.equal(health.status, 200);
    const figures = `RSS ${startRss.toFixed(0)} → ${warmRss.toFixed(0)} → ${endRss.toFixed(0)} MiB`;
    t.diagnostic(figures);
    assert.ok(endRss - warmRss < 96, `a second round of the same hostile traffic still grew the heap: ${figures}`);
    assert.ok(endRss < 1536, `hostile traffic took the process past 1.5 GiB: ${figures}`);
  });
});
