/**
 * The per-caller budget of large request bodies, through a real express app and real HTTP: bodies
 * over 64 KiB add up to at most the budget per minute per caller: a caller not in debt may send one,
 * charged in full, and holds at most a sixteenth of the budget; in debt, the call is refused 429
 * before its body is read or parsed, with Retry-After when the debt is paid; small bodies and other
 * callers are never held back; a body sent without a length is charged once read.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import fc from 'fast-check';
import { burstFraction, largeBodyBudget, largeBodyBytes } from '../../../src/adapters/http/large-body-budget.js';
import { problemHandler } from '../../../src/adapters/http/problem.js';
import { silentLogger } from '../../../src/adapters/logging/silent-logger.js';

// 16 MiB a minute: 1 MiB held at most.
const budget = 16 * 1024 * 1024;
const burst = budget * burstFraction;
let clock = 0;
let reached = 0;
let url = '';
let server: ReturnType<ReturnType<typeof express>['listen']>;

before(async () => {
  const app = express();
  const bodies = largeBodyBudget({ bytesPerMinute: budget, now: () => clock });
  app.use(bodies.check);
  app.use(express.json({ limit: '4mb', verify: (req, res, buffer) => bodies.chargeRead(req as express.Request, res as express.Response, buffer.length) }));
  app.post('/echo', (req, res) => {
    reached += 1;
    res.json({ length: JSON.stringify(req.body).length });
  });
  // The gateway's own problem handler: a refusal is passed on as an error and answered by it.
  app.use(problemHandler(silentLogger));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/echo`;
});
after(() => new Promise((resolve) => server.close(resolve)));

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** POSTs `body` with a declared length, or chunked (no length) when `chunked`. */
function post(body: string, token: string, chunked = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    if (!chunked) headers['content-length'] = String(Buffer.byteLength(body));
    const req = request(url, { method: 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    if (chunked) {
      // Two writes: node sends them with Transfer-Encoding: chunked.
      req.write(body.slice(0, 10));
      req.end(body.slice(10));
    } else req.end(body);
  });
}

const statement = (bytes: number) => JSON.stringify({ sql: `SELECT '${'x'.repeat(bytes - 20)}'` });

describe('large body budget', () => {
  it('refuses a caller past its budget with 429 before reading the body, and never holds back small bodies or other callers', async () => {
    clock = 0;
    const big = statement(300 * 1024);
    const accepted = [];
    for (let i = 0; i < 5; i++) accepted.push((await post(big, 'heavy')).status);
    assert.deepEqual(accepted, [200, 200, 200, 200, 429], 'against 1 MiB held, the fourth 300 KiB body puts the caller in debt, the fifth is refused');
    const before = reached;
    // Not JSON at all: had it been read, the parser would answer 400.
    const refused = await post(`{${'x'.repeat(300 * 1024)}`, 'heavy');
    assert.equal(refused.status, 429);
    assert.equal(reached, before, 'the route is never reached');
    assert.match(String(refused.headers['content-type']), /application\/problem\+json/);
    const problem = JSON.parse(refused.body) as { code: string; detail: string; setting: string };
    assert.equal(problem.code, 'rate_limited');
    assert.equal(problem.setting, 'LEDGERGATE_LARGE_BODY_BUDGET');
    assert.match(problem.detail, /LEDGERGATE_LARGE_BODY_BUDGET/, 'the answer names the setting');
    assert.ok(Number(refused.headers['retry-after']) >= 1, 'Retry-After says when');
    assert.equal((await post(statement(largeBodyBytes - 1024), 'heavy')).status, 200, 'a body under 64 KiB is never counted');
    assert.equal((await post(big, 'other')).status, 200, 'another caller has its own budget');
  });

  it('refills over the minute', async () => {
    clock = 10_000_000;
    const big = statement(600 * 1024);
    assert.equal((await post(big, 'refill')).status, 200);
    assert.equal((await post(big, 'refill')).status, 200, 'not in debt yet: ~424 KiB left');
    assert.equal((await post(big, 'refill')).status, 429, 'in debt by ~176 KiB');
    clock += 500; // ~137 KiB back: still in debt
    assert.equal((await post(big, 'refill')).status, 429);
    clock += 500; // ~273 KiB back in all: out of debt
    assert.equal((await post(big, 'refill')).status, 200);
    assert.equal((await post(big, 'refill')).status, 429);
  });

  it('lets a body bigger than what a caller holds in, charged in full: the caller then waits in debt, told when it is paid', async () => {
    clock = 15_000_000;
    const huge = statement(3 * 1024 * 1024);
    assert.equal((await post(huge, 'debt')).status, 200, 'not in debt: let in');
    const refused = await post(statement(100 * 1024), 'debt');
    assert.equal(refused.status, 429, 'in debt: even a 100 KiB body waits');
    // 3 MiB charged against 1 MiB held: 2 MiB of debt at 16 MiB a minute, paid in 7.5 s.
    assert.equal(Number(refused.headers['retry-after']), 8);
    clock += 7_000;
    assert.equal((await post(statement(100 * 1024), 'debt')).status, 429, 'still in debt after 7 s');
    clock += 1_000;
    assert.equal((await post(statement(100 * 1024), 'debt')).status, 200, 'out of debt once the full charge has refilled');
  });

  it('charges a body sent without a length once read, and refuses the caller while in debt', async () => {
    clock = 20_000_000;
    const big = statement(700 * 1024);
    // Let in while the caller is not in debt; charged once read.
    assert.equal((await post(big, 'chunked', true)).status, 200);
    assert.equal((await post(big, 'chunked', true)).status, 200, 'still 300 KiB of budget left: let in, then charged');
    assert.equal((await post(big, 'chunked', true)).status, 429, 'in debt: refused before reading');
    assert.equal((await post(big, 'chunked')).status, 429, 'a declared length does not escape the debt');
  });

  it('over any sequence of calls and pauses, accepted large bytes never exceed what a caller holds plus what refilled, and one body past it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ kib: fc.integer({ min: 1, max: 1800 }), pauseMs: fc.integer({ min: 0, max: 8_000 }) }), { minLength: 1, maxLength: 12 }),
        fc.integer(),
        async (calls, seed) => {
          clock = 1e12 + seed * 1e7;
          const start = clock;
          let acceptedLarge = 0;
          let largestAccepted = 0;
          for (const call of calls) {
            clock += call.pauseMs;
            const body = statement(call.kib * 1024);
            const answer = await post(body, `property-${seed}-${start}`);
            if (answer.status === 200 && Buffer.byteLength(body) > largeBodyBytes) {
              acceptedLarge += Buffer.byteLength(body);
              largestAccepted = Math.max(largestAccepted, Buffer.byteLength(body));
            }
            assert.ok(answer.status === 200 || (answer.status === 429 && Buffer.byteLength(body) > largeBodyBytes), `status ${answer.status}`);
          }
          const refilled = ((clock - start) / 60_000) * budget;
          // The last body let in may go past what was held (into debt), by at most its own size.
          const bound = burst + refilled + largestAccepted;
          assert.ok(acceptedLarge <= bound + 1, `${acceptedLarge} accepted against ${burst} + ${refilled} + ${largestAccepted}`);
        },
      ),
      { numRuns: 40 },
    );
  });
});
