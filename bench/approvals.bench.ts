/**
 * Time from the last approval to the waiting agent receiving its result: the agent long-polls
 * `GET /v1/queries/{id}?wait=10` on a pending INSERT; the clock starts when a data owner's
 * `POST /v1/queries/{id}/decisions` is sent and stops when the long-poll answers with the result
 * (the saga ran the query on the demo warehouse in between). Goal: p50 ≤ 50 ms.
 * Two kinds of approved request: a SELECT that filters on a masked column (protectedPredicates:
 * approve) shows the approval path itself; an INSERT adds DuckDB's durable write commit.
 *
 * Run alone: node --import tsx bench/approvals.bench.ts
 */
import { call, type GatewayProcess } from '../test/support/gateway-process.js';
import { buildForStart, startAsNpmStart } from './npm-start.js';

const samples = 30;
const warmup = 3;

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const round = (ms: number): number => Math.round(ms * 10) / 10;

type Sql = (i: number) => string;
const protectedSelect: Sql = (i) => `SELECT customer_id FROM sales.customers WHERE email LIKE '${String.fromCharCode(97 + (i % 26))}%' LIMIT 5`;
const insertOrder: Sql = (i) =>
  `INSERT INTO sales.orders (order_id, customer_id, amount, currency, status, ordered_at) VALUES (${800_000 + i}, 1, 1.00, 'EUR', 'paid', TIMESTAMP '2024-01-01 00:00:00')`;

async function measure(gateway: GatewayProcess, agent: string, owner: string, sqlOf: Sql): Promise<{ toResult: number[]; decision: number[] }> {
  const toResult: number[] = [];
  const decision: number[] = [];
  for (let i = 0; i < warmup + samples; i++) {
    const submitted = await call(`${gateway.url}/v1/queries`, { token: agent, body: { sql: sqlOf(i) } });
    if (submitted.status !== 202) throw new Error(`submit answered ${submitted.status}: ${submitted.text}`);
    const id = (submitted.body as { id: string }).id;
    const waiting = call(`${gateway.url}/v1/queries/${id}?wait=10`, { token: agent });
    // Let the long-poll reach the gateway and park before the approval is sent.
    await new Promise((r) => setTimeout(r, 30));
    const started = performance.now();
    const decided = call(`${gateway.url}/v1/queries/${id}/decisions`, { token: owner, body: { decision: 'approve' } }).then((answer) => {
      if (answer.status !== 200) throw new Error(`decision answered ${answer.status}: ${answer.text}`);
      return performance.now() - started;
    });
    const result = await waiting;
    const elapsed = performance.now() - started;
    const decisionMs = await decided;
    const status = (result.body as { status?: string }).status;
    if (status !== 'succeeded') throw new Error(`long-poll ended with ${status ?? result.status}: ${result.text}`);
    if (i >= warmup) {
      toResult.push(elapsed);
      decision.push(decisionMs);
    }
  }
  return { toResult, decision };
}

export async function run(): Promise<Record<string, number | string>> {
  buildForStart();
  const gateway = await startAsNpmStart({ timeoutMs: 120_000 });
  try {
    const agent = await gateway.token({ sub: 'bench-agent', groups: ['ai-agents'] });
    const owner = await gateway.token({ sub: 'bench-owner', groups: ['data-owners'] });
    const select = await measure(gateway, agent, owner, protectedSelect);
    const insert = await measure(gateway, agent, owner, insertOrder);
    return {
      requestsPerKind: samples,
      selectApprovalToResultP50Ms: round(percentile(select.toResult, 50)),
      selectApprovalToResultP95Ms: round(percentile(select.toResult, 95)),
      insertApprovalToResultP50Ms: round(percentile(insert.toResult, 50)),
      insertApprovalToResultP95Ms: round(percentile(insert.toResult, 95)),
      decisionPostP50Ms: round(percentile([...select.decision, ...insert.decision], 50)),
      goal: 'approvalToResult p50 <= 50 ms',
    };
  } finally {
    await gateway.stop();
    gateway.cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await run());
}
