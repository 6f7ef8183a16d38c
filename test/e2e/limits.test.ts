/**
 * Limits and headers, against the real process with small limits: per-principal rate limit (429),
 * SQL length (400), body size (413), header size (431, answered by node itself) and the security
 * headers every answer carries (CSP with frame-ancestors, nosniff, no x-powered-by), errors included.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { call, startGatewayProcess, type GatewayProcess, type HttpAnswer } from '../support/gateway-process.js';

function assertSecurityHeaders(answer: HttpAnswer, what: string): void {
  const csp = answer.headers.get('content-security-policy') ?? '';
  assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP`);
  assert.match(csp, /default-src 'self'/, `${what}: CSP`);
  assert.equal(answer.headers.get('x-content-type-options'), 'nosniff', `${what}: nosniff`);
  assert.equal(answer.headers.get('x-powered-by'), null, `${what}: x-powered-by`);
  assert.ok(answer.headers.get('strict-transport-security') !== undefined);
}

function assertProblem(answer: HttpAnswer, status: number, code: string): void {
  assert.equal(answer.status, status, answer.text);
  assert.match(answer.headers.get('content-type') ?? '', /application\/problem\+json/);
  assert.equal((answer.body as { code: string }).code, code);
}

describe('limits and security headers', () => {
  let gateway: GatewayProcess;
  before(async () => {
    gateway = await startGatewayProcess({
      env: { LEDGERGATE_RATE_LIMIT: '5', LEDGERGATE_MAX_SQL_LENGTH: '200', LEDGERGATE_BODY_LIMIT: '8KiB' },
      timeoutMs: 120_000,
    });
  });
  after(async () => {
    await gateway.stop();
    gateway.cleanup();
  });

  it('limits each principal separately and answers 429 problem+json with Retry-After', async () => {
    const greedy = await gateway.token({ sub: 'greedy-agent', groups: ['ai-agents'] });
    const other = await gateway.token({ sub: 'other-agent', groups: ['ai-agents'] });
    const statuses: number[] = [];
    let limited: HttpAnswer | undefined;
    for (let i = 0; i < 7; i++) {
      const answer = await call(`${gateway.url}/v1/queries/no-such-query`, { token: greedy });
      statuses.push(answer.status);
      if (answer.status === 429) limited = answer;
    }
    assert.deepEqual(statuses, [404, 404, 404, 404, 404, 429, 429]);
    assert.ok(limited);
    assertProblem(limited, 429, 'rate_limited');
    assert.ok(Number(limited.headers.get('retry-after')) > 0, 'Retry-After');
    assertSecurityHeaders(limited, '429');
    const unaffected = await call(`${gateway.url}/v1/queries/no-such-query`, { token: other });
    assert.equal(unaffected.status, 404, 'another principal is not limited');
  });

  it('refuses SQL longer than LEDGERGATE_MAX_SQL_LENGTH with 400 sql_too_long', async () => {
    const agent = await gateway.token({ sub: 'long-sql-agent', groups: ['ai-agents'] });
    const answer = await call(`${gateway.url}/v1/queries`, { token: agent, body: { sql: `SELECT 1 AS x -- ${'y'.repeat(200)}` } });
    assertProblem(answer, 400, 'sql_too_long');
    assertSecurityHeaders(answer, '400');
  });

  it('refuses a body over LEDGERGATE_BODY_LIMIT with 413, before authentication', async () => {
    const answer = await call(`${gateway.url}/v1/queries`, { body: { sql: 'x'.repeat(20_000) } });
    assertProblem(answer, 413, 'payload_too_large');
    assertSecurityHeaders(answer, '413');
  });

  it('answers 431 to oversized headers (node itself) and keeps serving', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${gateway.url}/healthz`, { headers: { 'x-filler': 'a'.repeat(40_000) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 431);
    assert.equal((await call(`${gateway.url}/healthz`)).status, 200);
  });

  it('puts the security headers on 200, 401, 404 and malformed-JSON 400 answers', async () => {
    const health = await call(`${gateway.url}/healthz`);
    assert.equal(health.status, 200);
    assertSecurityHeaders(health, '200');
    const anonymous = await call(`${gateway.url}/v1/queries`, { body: { sql: 'SELECT 1' } });
    assertProblem(anonymous, 401, 'unauthenticated');
    assertSecurityHeaders(anonymous, '401');
    const missing = await call(`${gateway.url}/no/such/path`);
    assertProblem(missing, 404, 'not_found');
    assertSecurityHeaders(missing, '404');
    const broken = await call(`${gateway.url}/v1/queries`, { body: '{"sql": ' });
    assertProblem(broken, 400, 'invalid_request');
    assertSecurityHeaders(broken, '400 (bad JSON)');
  });
});
