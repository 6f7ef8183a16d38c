/**
 * A statement too big to analyse, against the real process: a 6,000-column SELECT and a 1 MB one are
 * answered 422 analysis_limit with the request id, recorded (unknown analysis, denied by rule
 * analysis-limit; the access log shows its start, length and hash, and a signed evidence bundle that
 * verifies holds the whole text), and other callers' queries go on being answered meanwhile.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chainHash } from '../../src/domain/evidence/event-hash.js';
import { call, runCli, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';

const wide = `SELECT ${Array.from({ length: 6000 }, (_, i) => `${i} AS c${i}`).join(', ')} FROM analytics.page_views`;
const huge = `SELECT ${'1 + '.repeat(250_000)}1 AS x`;

describe('analysis limits', () => {
  let gateway: GatewayProcess;
  before(async () => {
    gateway = await startGatewayProcess({ env: { LEDGERGATE_MAX_SQL_LENGTH: '2000000', LEDGERGATE_BODY_LIMIT: '2MiB', LEDGERGATE_RATE_LIMIT: '100000' }, timeoutMs: 180_000 });
  });
  after(async () => {
    await gateway.stop();
    gateway.cleanup();
  });

  it('answers 422 analysis_limit for a 6,000-column and a 1 MB statement, records them, and keeps serving others', async () => {
    const agent = await gateway.token({ sub: 'wide-agent', groups: ['ai-agents'] });
    const other = await gateway.token({ sub: 'other-agent', groups: ['ai-agents'] });
    const auditor = await gateway.token({ sub: 'audrey', groups: ['auditors'] });

    const othersAnswered: number[] = [];
    let stop = false;
    const others = (async () => {
      while (!stop) {
        const answer = await call(`${gateway.url}/v1/queries`, { token: other, body: { sql: 'SELECT COUNT(*) AS n FROM analytics.page_views' } });
        othersAnswered.push(answer.status);
      }
    })();
    try {
      for (const [sql, reason] of [
        [wide, 'maxListItems'],
        [huge, 'maxTokens'],
      ] as const) {
        const answer = await call(`${gateway.url}/v1/queries`, { token: agent, body: { sql } });
        assert.equal(answer.status, 422, answer.text.slice(0, 300));
        const problem = answer.body as { code: string; id: string; rule: string; reason: string; detail: string };
        assert.equal(problem.code, 'analysis_limit');
        assert.equal(problem.reason, reason);
        assert.equal(problem.rule, 'analysis-limit');
        assert.ok(problem.id, 'the refused request has an id');

        // Read back, the request is the denied one the contract describes (403 with id and rule).
        const recorded = await call(`${gateway.url}/v1/queries/${problem.id}`, { token: agent });
        assert.equal(recorded.status, 403, recorded.text.slice(0, 300));
        const view = recorded.body as { code: string; id: string; rule: string; detail: string };
        assert.equal(view.code, 'denied_by_policy');
        assert.equal(view.id, problem.id);
        assert.equal(view.rule, 'analysis-limit');
        assert.equal(view.detail, problem.detail);
      }
    } finally {
      stop = true;
      await others;
    }
    assert.ok(othersAnswered.length > 0 && othersAnswered.every((s) => s === 200), `others answered: ${othersAnswered.join(',')}`);

    const log = await call(`${gateway.url}/v1/audit/access-log?format=json&principal=wide-agent`, { token: auditor });
    const rows = (log.body as { items: { status: string; rule: string; statements: string[]; sql: string; sqlHash: string; sqlLength: number }[] }).items;
    assert.equal(rows.length, 2);
    for (const row of rows) {
      assert.equal(row.status, 'denied');
      assert.equal(row.rule, 'analysis-limit');
      assert.deepEqual(row.statements, ['unknown']);
      // The row shows the start of the text, its length and the hash of the whole (the event keeps it whole).
      const sent = row.sqlLength === huge.length ? huge : wide;
      assert.equal(row.sql, sent.slice(0, 65_536));
      assert.equal(row.sqlHash, createHash('sha256').update(sent, 'utf8').digest('hex'));
    }
    assert.deepEqual(rows.map((row) => row.sqlLength).sort((a, b) => a - b), [wide.length, huge.length]);
  });

  it('answers 429 before reading the body once a caller has spent its LEDGERGATE_LARGE_BODY_BUDGET of large bodies; what was read is recorded, others are served', async () => {
    const flood = await gateway.token({ sub: 'flood-agent', groups: ['ai-agents'] });
    const other = await gateway.token({ sub: 'calm-agent', groups: ['ai-agents'] });
    const auditor = await gateway.token({ sub: 'audrey', groups: ['auditors'] });
    const statuses: number[] = [];
    let refused: Awaited<ReturnType<typeof call>> | undefined;
    // The default budget is 4 MiB per minute, 256 KiB held at most: a 1 MB statement is let in and
    // charged in full, and the caller waits in debt — the second one is refused.
    for (let i = 0; i < 6 && !refused; i++) {
      const answer = await call(`${gateway.url}/v1/queries`, { token: flood, body: { sql: huge } });
      statuses.push(answer.status);
      if (answer.status === 429) refused = answer;
    }
    assert.ok(refused, `statuses: ${statuses.join(',')}`);
    assert.deepEqual(statuses, [422, 429], `statuses: ${statuses.join(',')}`);
    assert.equal((refused.body as { code: string }).code, 'rate_limited');
    assert.match((refused.body as { detail: string }).detail, /LEDGERGATE_LARGE_BODY_BUDGET/);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    assert.equal((await call(`${gateway.url}/v1/queries`, { token: flood, body: { sql: 'SELECT 1 AS one' } })).status, 200, 'small statements never count');
    // On the BigQuery API the same refusal is in BigQuery's words: the reason its clients retry later.
    const jobs = await call(`${gateway.url}/bigquery/v2/projects/demo-project/queries`, { token: flood, body: { query: huge, useLegacySql: false } });
    assert.equal(jobs.status, 429, jobs.text.slice(0, 300));
    assert.equal((jobs.body as { error: { errors: { reason: string }[] } }).error.errors[0]?.reason, 'rateLimitExceeded');
    assert.ok(Number(jobs.headers.get('retry-after')) >= 1);
    assert.equal((await call(`${gateway.url}/v1/queries`, { token: other, body: { sql: huge } })).status, 422, 'another caller has its own budget');

    // Every statement the gateway read is recorded; the refused call never became a request.
    const log = await call(`${gateway.url}/v1/audit/access-log?format=json&principal=flood-agent`, { token: auditor });
    const rows = (log.body as { items: { status: string; sqlLength: number }[] }).items;
    assert.equal(rows.filter((row) => row.sqlLength === huge.length).length, statuses.length - 1);
  });

  it('puts the refused 1 MB statement, whole and hash-chained, into an evidence bundle that verifies offline', async () => {
    const auditor = await gateway.token({ sub: 'audrey', groups: ['auditors'] });
    const download = await call(`${gateway.url}/v1/evidence`, { token: auditor });
    assert.equal(download.status, 200, download.text.slice(0, 300));
    type BundleEvent = { position: number; streamName: string; revision: number; type: string; data: { sql?: string }; metadata: unknown; recordedAt: string; prevHash: string; hash: string };
    const bundle = JSON.parse(download.text) as { events: BundleEvent[] };
    const refused = bundle.events.find((e) => e.type === 'QueryRequested' && e.data.sql === huge);
    assert.ok(refused, 'the 1 MB statement is in the bundle, whole');
    assert.equal(chainHash(refused.prevHash, refused), refused.hash, 'its chain hash covers the whole text');
    const work = mkdtempSync(join(tmpdir(), 'ledgergate-analysis-limits-'));
    try {
      const file = join(work, 'bundle.json');
      writeFileSync(file, download.text);
      const verified = await runCli(['verify', file]);
      assert.equal(verified.code, 0, verified.stderr);
      assert.match(verified.stdout, /verified: intact/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
