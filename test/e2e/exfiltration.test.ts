/**
 * The exfiltration corpus against the real gateway (one process, shipped policy, embedded demo
 * warehouse): every attempt ends the way the policy says, and no seeded protected value — nor its
 * reversal, base64 or separator-free form — appears in any response, the access log (JSONL and CSV),
 * the session replay or an evidence export. Non-protected columns come back exact, and the detectors
 * flag nothing on benign data.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { demoPiiSamples, demoTables } from '../../src/adapters/warehouse/demo-dataset.js';
import type { CellValue } from '../../src/domain/ports.js';
import { benignQueries, exfiltrationCorpus, utilityQueries, type ExfiltrationAttempt, type ExfiltrationOutcome } from '../support/exfiltration-corpus.js';
import { call, startGatewayProcess, type GatewayProcess, type HttpAnswer } from '../support/gateway-process.js';

const corpusSession = 'exfiltration-corpus';
const benignSession = 'exfiltration-benign';
const utilitySession = 'exfiltration-utility';

interface QueryBody {
  id: string;
  status: string;
  queryStatus?: string;
  detail?: string;
  columns?: { name: string; type: string; masked?: string }[];
  rows?: Record<string, CellValue>[];
  truncated?: boolean;
}

interface Ran {
  readonly outcome: ExfiltrationOutcome | 'other';
  readonly body: QueryBody;
  /** Every response body this attempt produced (submit, approval, polls). */
  readonly texts: string[];
}

interface ReplayEvent {
  type: string;
  data: Record<string, unknown>;
}

const reverse = (text: string): string => [...text].reverse().join('');
const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64').replace(/=+$/, '');

const prefixLength = 8;

/** Needles grouped by their first characters, so a text is scanned once whatever the number of needles. */
class NeedleIndex {
  private readonly byPrefix = new Map<string, string[]>();
  add(needle: string): void {
    assert.ok(needle.length >= prefixLength, `needle too short to scan for: ${needle.length}`);
    const prefix = needle.slice(0, prefixLength);
    const list = this.byPrefix.get(prefix) ?? [];
    if (!list.includes(needle)) list.push(needle);
    this.byPrefix.set(prefix, list);
  }
  find(text: string): string[] {
    const found: string[] = [];
    for (let i = 0; i + prefixLength <= text.length; i++) {
      const candidates = this.byPrefix.get(text.slice(i, i + prefixLength));
      if (candidates) for (const needle of candidates) if (text.startsWith(needle, i)) found.push(needle);
    }
    return found;
  }
}

interface ForbiddenForms {
  /** Matched case-insensitively (needles lower case). */
  readonly plain: NeedleIndex;
  /** base64, matched exactly. */
  readonly encoded: NeedleIndex;
}

/** Each seeded value in every form the scan looks for: as is, reversed, base64, separator-free. */
function forbiddenForms(): ForbiddenForms {
  const pii = demoPiiSamples();
  const values = [...pii.emails, ...pii.phones, ...pii.ssns, ...pii.cardNumbers, ...pii.ibans, ...pii.notesPii];
  assert.ok(values.length > 1000, 'the demo data seeds protected values');
  const plain = new NeedleIndex();
  const encoded = new NeedleIndex();
  for (const value of values) {
    const compact = value.includes('@') ? value : value.replace(/[^A-Za-z0-9]/g, '');
    for (const form of [value, reverse(value), compact, reverse(compact)]) plain.add(form.toLowerCase());
    for (const form of [base64(value), base64(compact)]) encoded.add(form);
  }
  return { plain, encoded };
}

const forms = forbiddenForms();

function findLeaks(text: string): string[] {
  return [...forms.plain.find(text.toLowerCase()), ...forms.encoded.find(text).map((form) => `base64:${form}`)];
}

/** Bounded parallelism: the gateway and its DuckDB share two cores with the test. */
async function inBatches<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

describe('exfiltration corpus through the real gateway', { timeout: 480_000 }, () => {
  let gateway: GatewayProcess;
  let agent: string;
  let owner: string;
  let auditor: string;
  const ran = new Map<string, Ran>();
  const benign = new Map<string, QueryBody>();
  const utility = new Map<string, QueryBody>();

  async function finish(first: HttpAnswer, texts: string[]): Promise<QueryBody> {
    let body = first.body as QueryBody;
    for (let polls = 0; body.status === 'running' || body.status === 'pending_approval'; polls++) {
      assert.ok(polls < 20, `query ${body.id} did not finish`);
      const again = await call(`${gateway.url}/v1/queries/${body.id}?wait=20`, { token: agent });
      texts.push(again.text);
      body = again.body as QueryBody;
    }
    return body;
  }

  async function runAttempt(attempt: ExfiltrationAttempt): Promise<Ran> {
    const texts: string[] = [];
    const submitted = await call(`${gateway.url}/v1/queries`, {
      token: agent,
      // 300 rows cover every customer; fewer stored rows keep the run short.
      body: { sql: attempt.sql, reason: `corpus ${attempt.id}`, maxRows: 300, wait: 20 },
      headers: { 'X-Session-Id': corpusSession },
    });
    texts.push(submitted.text);
    let body = submitted.body as QueryBody;
    let approved = false;
    if (submitted.status === 202 && body.status === 'pending_approval') {
      const decided = await call(`${gateway.url}/v1/queries/${body.id}/decisions`, { token: owner, body: { decision: 'approve', comment: 'corpus' } });
      texts.push(decided.text);
      assert.equal(decided.status, 200, `${attempt.id}: ${decided.text}`);
      approved = true;
    }
    body = await finish(submitted, texts);
    const status = body.queryStatus ?? body.status;
    const outcome: Ran['outcome'] =
      status === 'succeeded' ? (approved ? 'approved-rows' : 'rows') : status === 'denied' ? 'denied' : status === 'failed' ? 'failed' : 'other';
    return { outcome, body, texts };
  }

  before(async () => {
    gateway = await startGatewayProcess({ timeoutMs: 120_000 });
    agent = await gateway.token({ sub: 'agent-exfil', email: 'agent-exfil@example.com', groups: ['ai-agents'] });
    owner = await gateway.token({ sub: 'owner-1', email: 'owner-1@example.com', groups: ['data-owners'] });
    auditor = await gateway.token({ sub: 'audrey', groups: ['auditors'] });
    const results = await inBatches(exfiltrationCorpus, 4, runAttempt);
    exfiltrationCorpus.forEach((attempt, i) => ran.set(attempt.id, results[i] as Ran));
    for (const [name, sql] of Object.entries(benignQueries)) {
      const answer = await call(`${gateway.url}/v1/queries`, {
        token: agent,
        body: { sql, maxRows: 1000, wait: 20 },
        headers: { 'X-Session-Id': benignSession },
      });
      benign.set(name, await finish(answer, []));
    }
    for (const [name, sql] of Object.entries(utilityQueries)) {
      const answer = await call(`${gateway.url}/v1/queries`, {
        token: agent,
        body: { sql, maxRows: 2000, wait: 20 },
        headers: { 'X-Session-Id': utilitySession },
      });
      utility.set(name, await finish(answer, []));
    }
  });
  after(async () => {
    await gateway?.stop();
    gateway?.cleanup();
  });

  it('holds at least 60 distinct attempts whose SQL carries no seeded value', () => {
    assert.ok(exfiltrationCorpus.length >= 60, `${exfiltrationCorpus.length} attempts`);
    assert.equal(new Set(exfiltrationCorpus.map((a) => a.id)).size, exfiltrationCorpus.length);
    for (const attempt of exfiltrationCorpus) assert.deepEqual(findLeaks(attempt.sql), [], attempt.id);
  });

  it('has a scan that finds a seeded value in each of its forms', () => {
    const pii = demoPiiSamples();
    const ssn = pii.ssns[3] as string;
    const iban = pii.ibans[5] as string;
    for (const text of [`x ${ssn} y`, reverse(ssn), `n=${ssn.replace(/-/g, '')};`, base64(ssn), `"${(pii.emails[7] as string).toUpperCase()}"`, iban.toLowerCase(), reverse(iban)]) {
      assert.ok(findLeaks(text).length > 0, `the scan misses ${text}`);
    }
    assert.deepEqual(findLeaks('order 123-45 amount 2024-01-01T00:00:00Z host app.example.com [REDACTED] ****1234'), []);
  });

  it('ends every attempt the way the shipped policy says (runs, needs approval, denied, fails)', () => {
    const wrong = exfiltrationCorpus
      .filter((attempt) => ran.get(attempt.id)?.outcome !== attempt.outcome)
      .map((attempt) => `${attempt.id}: expected ${attempt.outcome}, got ${ran.get(attempt.id)?.outcome} ${JSON.stringify(ran.get(attempt.id)?.body).slice(0, 300)}`);
    assert.deepEqual(wrong, []);
  });

  it('masks at least one column of every attempt that returned rows without approval', () => {
    const unmasked = exfiltrationCorpus
      .filter((attempt) => attempt.outcome === 'rows')
      .filter((attempt) => !(ran.get(attempt.id)?.body.columns ?? []).some((column) => column.masked !== undefined))
      .map((attempt) => attempt.id);
    assert.deepEqual(unmasked, []);
  });

  it('puts no protected value in any response body', () => {
    const leaks: string[] = [];
    for (const [id, result] of ran) {
      for (const text of result.texts) for (const leak of findLeaks(text)) leaks.push(`${id}: ${leak}`);
      // A value split over columns is put back together here: SUBSTR(ssn, 1, 3), SUBSTR(ssn, 5, 2), …
      for (const row of result.body.rows ?? []) {
        const cells = Object.values(row).map((cell) => (typeof cell === 'object' ? JSON.stringify(cell) : String(cell)));
        for (const joined of [cells.join(''), cells.join('-'), cells.join(' ')]) for (const leak of findLeaks(joined)) leaks.push(`${id} (joined): ${leak}`);
      }
    }
    assert.deepEqual(leaks, []);
  });

  it('puts no protected value in the access log (JSONL and CSV), the session replay or the evidence export', async () => {
    const jsonl = await call(`${gateway.url}/v1/audit/access-log?format=jsonl`, { token: auditor });
    const csv = await call(`${gateway.url}/v1/audit/access-log?format=csv`, { token: auditor });
    const replay = await call(`${gateway.url}/v1/sessions/${corpusSession}`, { token: auditor });
    const evidence = await call(`${gateway.url}/v1/evidence`, { token: auditor }).catch((error: unknown) => {
      throw new Error(`evidence export failed: ${String(error)}\n${gateway.output().slice(-3000)}`);
    });
    for (const answer of [jsonl, csv, replay, evidence]) assert.equal(answer.status, 200, answer.text.slice(0, 300));
    assert.match(evidence.text.trimEnd(), /\}$/, 'the evidence bundle is complete');
    assert.equal(jsonl.text.trim().split('\n').length, exfiltrationCorpus.length + Object.keys(benignQueries).length + Object.keys(utilityQueries).length);
    const events = (replay.body as { events: ReplayEvent[] }).events;
    assert.equal(events.filter((e) => e.type === 'QueryRequested').length, exfiltrationCorpus.length);
    assert.ok(events.some((e) => e.type === 'ResultDelivered') && events.some((e) => e.type === 'ExecutionFailed'));
    assert.ok(evidence.text.length > 100_000, 'the export holds the delivered results');
    for (const [name, answer] of Object.entries({ jsonl, csv, replay, evidence })) {
      assert.deepEqual(findLeaks(answer.text), [], name);
    }
  });

  it('never echoes a value in a warehouse error: the message is withheld, in the response and the log', async () => {
    const failed = exfiltrationCorpus.filter((attempt) => attempt.outcome === 'failed');
    const valueErrors = failed.filter((attempt) => attempt.category === 'error');
    assert.ok(valueErrors.length >= 5);
    for (const attempt of valueErrors) {
      const { body } = ran.get(attempt.id) as Ran;
      assert.match(String(body.detail), /withheld/, attempt.id);
      assert.doesNotMatch(String(body.detail), /\d{3}-\d{2}-\d{4}|@|\d{6,}|[A-Z]{2}\d{2}[A-Z0-9]{4}/, attempt.id);
    }
    const cast = ran.get('cast-ssn-int') as Ran;
    assert.match(String(cast.body.detail), /could not be converted to INT64 \(source column ssn\)/);
    const replay = await call(`${gateway.url}/v1/sessions/${corpusSession}`, { token: auditor });
    const failures = (replay.body as { events: ReplayEvent[] }).events.filter((e) => e.type === 'ExecutionFailed');
    assert.equal(failures.length, failed.length);
    const valueErrorIds = new Set(valueErrors.map((attempt) => ran.get(attempt.id)?.body.id));
    for (const failure of failures.filter((f) => valueErrorIds.has(String(f.data.requestId)))) assert.match(String(failure.data.message), /withheld/);
    for (const failure of failures) assert.deepEqual(findLeaks(JSON.stringify(failure.data)), []);
  });

  it('returns non-protected columns exact and unmasked', () => {
    const tables = new Map(demoTables().map((table) => [`${table.dataset}.${table.table}`, table]));
    const expectRows = (name: keyof typeof benignQueries, table: string, columns: readonly string[]) => {
      const demo = tables.get(table);
      assert.ok(demo);
      const body = benign.get(name) as QueryBody;
      assert.equal(body.status, 'succeeded', JSON.stringify(body).slice(0, 300));
      assert.deepEqual(body.columns?.map((c) => [c.name, c.masked]), columns.map((c) => [c, undefined]));
      const indexes = columns.map((column) => demo.columns.findIndex((c) => c.name === column));
      const expected = demo.rows.map((row) => Object.fromEntries(columns.map((column, i) => [column, row[indexes[i] as number] ?? null])));
      assert.equal(body.truncated, false);
      assert.deepEqual(body.rows, expected);
    };
    expectRows('orders', 'sales.orders', ['order_id', 'customer_id', 'amount', 'currency', 'status', 'ordered_at']);
    expectRows('pageViews', 'analytics.page_views', ['view_id', 'session_id', 'hostname', 'path', 'app_version', 'viewed_at', 'view_count']);
    expectRows('places', 'sales.customers', ['customer_id', 'city', 'country']);
  });

  it('records a ResultMasked event per result; on benign data no column is masked and no detector fires', async () => {
    const replay = await call(`${gateway.url}/v1/sessions/${benignSession}`, { token: auditor });
    assert.equal(replay.status, 200, replay.text.slice(0, 300));
    const masked = (replay.body as { events: ReplayEvent[] }).events.filter((e) => e.type === 'ResultMasked');
    assert.equal(masked.length, Object.keys(benignQueries).length);
    for (const event of masked) {
      assert.deepEqual(event.data.detectorHits, []);
      assert.deepEqual(event.data.maskedColumns, []);
      assert.match(String(event.data.resultHash), /^[0-9a-f]{64}$/);
    }
    const corpus = await call(`${gateway.url}/v1/sessions/${corpusSession}`, { token: auditor });
    const corpusMasked = (corpus.body as { events: ReplayEvent[] }).events.filter((e) => e.type === 'ResultMasked');
    const starEvent = corpusMasked.find((e) => e.data.requestId === ran.get('star')?.body.id);
    assert.ok(starEvent, 'SELECT * has a ResultMasked event');
    const columns = starEvent.data.maskedColumns as { column: string; rule: string; sources: string[]; reason: string }[];
    assert.deepEqual(
      columns.map((c) => [c.column, c.rule]),
      [['full_name', 'hash'], ['email', 'email'], ['phone', 'last4'], ['ssn', 'redact'], ['card_number', 'last4'], ['birth_date', 'year'], ['notes', 'redact']],
    );
    assert.deepEqual(columns.find((c) => c.column === 'ssn')?.sources, ['demo-project.sales.customers.ssn']);
  });

  it('returns the utility set (joins, aggregates, windows over unprotected columns) in clear and exact', async () => {
    const tables = new Map(demoTables().map((table) => [`${table.dataset}.${table.table}`, table]));
    const records = (name: string): Record<string, CellValue>[] => {
      const table = tables.get(name);
      assert.ok(table);
      return table.rows.map((row) => Object.fromEntries(table.columns.map((column, i) => [column.name, row[i] ?? null])));
    };
    const orders = records('sales.orders');
    const customers = new Map(records('sales.customers').map((c) => [c.customer_id, c]));
    for (const [name, body] of utility) {
      assert.equal(body.status, 'succeeded', `${name}: ${JSON.stringify(body).slice(0, 300)}`);
      assert.deepEqual(body.columns?.filter((c) => c.masked !== undefined), [], name);
      assert.ok((body.rows ?? []).length > 0, name);
    }
    const joined = orders.map((o) => ({ order_id: o.order_id, amount: o.amount, city: customers.get(o.customer_id)?.city, country: customers.get(o.customer_id)?.country }));
    assert.deepEqual(utility.get('join')?.rows, joined);
    assert.deepEqual(utility.get('joinUsing')?.rows, joined.map(({ order_id, city }) => ({ order_id, city })));
    const seen = new Map<CellValue, number>();
    const perCustomer = new Map<CellValue, number>();
    for (const o of orders) perCustomer.set(o.customer_id, (perCustomer.get(o.customer_id) ?? 0) + 1);
    const windowed = orders.map((o) => {
      const nth = (seen.get(o.customer_id) ?? 0) + 1;
      seen.set(o.customer_id, nth);
      return { order_id: o.order_id, customer_id: o.customer_id, nth, per_customer: perCustomer.get(o.customer_id) };
    });
    assert.deepEqual(utility.get('window')?.rows, windowed);
    const byCountry = new Map<CellValue, number>();
    for (const o of orders) byCountry.set(customers.get(o.customer_id)?.country ?? null, (byCountry.get(customers.get(o.customer_id)?.country ?? null) ?? 0) + 1);
    assert.deepEqual(
      utility.get('aggregate')?.rows?.map((row) => [row.country, row.orders]),
      [...byCountry].sort(([a], [b]) => String(a).localeCompare(String(b))),
    );
    const replay = await call(`${gateway.url}/v1/sessions/${utilitySession}`, { token: auditor });
    const masked = (replay.body as { events: ReplayEvent[] }).events.filter((e) => e.type === 'ResultMasked');
    assert.equal(masked.length, Object.keys(utilityQueries).length);
    for (const event of masked) {
      assert.deepEqual(event.data.maskedColumns, []);
      assert.deepEqual(event.data.detectorHits, []);
    }
  });

  it('records why a result was masked whole when its columns did not pair with the analysis', async () => {
    const corpus = await call(`${gateway.url}/v1/sessions/${corpusSession}`, { token: auditor });
    const events = (corpus.body as { events: ReplayEvent[] }).events.filter((e) => e.type === 'ResultMasked');
    const twoX = events.find((e) => e.data.requestId === ran.get('pair-two-x')?.body.id);
    assert.ok(twoX, 'SELECT email AS x, ssn AS x has a ResultMasked event');
    const columns = twoX.data.maskedColumns as { column: string; rule: string; reason: string }[];
    assert.equal(columns.length, 2);
    for (const column of columns) assert.deepEqual([column.rule, column.reason], ['redact', 'unpaired-columns']);
  });
});
