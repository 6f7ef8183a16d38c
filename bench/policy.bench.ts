/**
 * p50 latency of a policy decision: analysis plus evaluation with the shipped policy, on an analysis
 * cache hit and a miss, for a simple select and a five-table join with CTEs.
 * Goals (issue 3): ≤ 1 ms on a hit, ≤ 5 ms on a miss.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPolyglotAnalyser } from '../src/adapters/analysis/polyglot-analyser.js';
import { evaluatePolicy } from '../src/domain/policy/evaluate.js';
import { parsePolicy } from '../src/domain/policy/parse.js';
import type { Catalog, TableRef } from '../src/domain/ports.js';

const tables: Record<string, readonly string[]> = {
  'demo-project.sales.customers': ['customer_id', 'full_name', 'email', 'phone', 'ssn', 'card_number', 'birth_date', 'city', 'country', 'notes', 'created_at'],
  'demo-project.sales.orders': ['order_id', 'customer_id', 'amount', 'currency', 'status', 'ordered_at'],
  'demo-project.hr.salaries': ['employee_id', 'full_name', 'email', 'ssn', 'salary', 'bank_iban'],
  'demo-project.analytics.page_views': ['view_id', 'host', 'path', 'version', 'viewed_at', 'count'],
};

const catalog: Catalog = {
  async getTable(ref: TableRef) {
    const columns = tables[`${ref.project}.${ref.dataset}.${ref.table}`];
    return columns ? { table: ref, columns: columns.map((name) => ({ name, type: 'STRING' })) } : undefined;
  },
  listDatasets: async () => [],
  listTables: async () => [],
  version: () => 'bench',
};

const simpleSelect = (i: number) => `SELECT order_id, amount FROM sales.orders WHERE order_id = ${i}`;
const fiveTableJoin = (i: number) => `WITH totals AS (SELECT customer_id, SUM(amount) AS total FROM sales.orders GROUP BY customer_id),
  recent AS (SELECT customer_id, MAX(ordered_at) AS last_at FROM \`demo-project.sales.orders\` GROUP BY customer_id)
SELECT c.city, t.total, r.last_at, pv.path, o.order_id
FROM sales.customers c
JOIN totals t ON t.customer_id = c.customer_id
JOIN recent r ON r.customer_id = c.customer_id
JOIN analytics.page_views pv ON pv.host = c.city
JOIN sales.orders o ON o.customer_id = c.customer_id
WHERE o.status = 'paid-${i}' ORDER BY 1`;

function p50(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return Number((sorted[Math.floor(sorted.length / 2)] as number).toFixed(3));
}

export async function run(): Promise<Record<string, number | string>> {
  const parsed = parsePolicy(readFileSync(join(import.meta.dirname, '..', 'policy.yaml'), 'utf8'));
  if (!parsed.ok) throw new Error('policy.yaml is not valid');
  const policy = parsed.policy;
  const analyser = createPolyglotAnalyser({ catalog, cacheSize: 5000 });
  const context = { defaultProject: 'demo-project' };
  const groups = ['ai-agents'];
  const decide = async (sql: string) => {
    const analysis = await analyser.analyse(sql, context);
    return evaluatePolicy(policy, { groups, analysis: { ...analysis, bytesEstimate: 2 ** 20 } });
  };
  const measure = async (sqlFor: (i: number) => string, runs: number, offset: number) => {
    const misses: number[] = [];
    const hits: number[] = [];
    for (let i = 0; i < runs; i++) {
      const sql = sqlFor(offset + i);
      let start = performance.now();
      const first = await decide(sql);
      misses.push(performance.now() - start);
      start = performance.now();
      const again = await decide(sql);
      hits.push(performance.now() - start);
      if (first.effect !== 'allow' || again.rule !== first.rule) throw new Error(`unexpected decision ${first.effect} (${first.rule})`);
    }
    return { miss: p50(misses), hit: p50(hits) };
  };
  // Let the WASM engine and V8 settle before measuring steady state.
  await measure(fiveTableJoin, 100, 100_000);
  await measure(simpleSelect, 100, 100_000);
  const simple = await measure(simpleSelect, 300, 0);
  const joined = await measure(fiveTableJoin, 300, 0);
  return {
    'policy.simpleSelect.missP50Ms': simple.miss,
    'policy.simpleSelect.hitP50Ms': simple.hit,
    'policy.fiveTableJoin.missP50Ms': joined.miss,
    'policy.fiveTableJoin.hitP50Ms': joined.hit,
    'policy.goal': 'hit <= 1 ms, miss <= 5 ms',
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await run());
}
