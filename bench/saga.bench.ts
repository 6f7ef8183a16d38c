/**
 * What the gateway adds around a warehouse job: the same SELECT timed through warehouse.execute alone
 * and through a full submit (analysis, policy, event appends, the saga's claim and outcome, masking)
 * on the demo warehouse, in process. And the memory a 1M-row result costs through the whole path
 * with the default maxRows: the saga keeps 1000 rows, so RSS must stay near its baseline.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createDemoWarehouseFile } from '../src/adapters/warehouse/demo-dataset.js';
import { openDuckDbWarehouse } from '../src/adapters/warehouse/duckdb-warehouse.js';
import { loadConfig } from '../src/config.js';
import { startGateway } from '../src/gateway.js';
import { silentLogger } from '../src/adapters/logging/silent-logger.js';

const repoRoot = resolve(import.meta.dirname, '..');
// customers × orders × 5 = 1,000,000 rows, all readable by ai-agents under the shipped policy
const millionRows = 'SELECT c.customer_id, o.order_id, o.amount, k FROM sales.customers c CROSS JOIN sales.orders o CROSS JOIN UNNEST([1, 2, 3, 4, 5]) AS k';
const rounds = 40;

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rssMiB = (): number => process.memoryUsage().rss / 1024 / 1024;
const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

export async function run(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'ledgergate-saga-bench-'));
  const file = join(dir, 'demo.duckdb');
  await createDemoWarehouseFile(file);
  const warehouse = await openDuckDbWarehouse({ file, projectId: 'demo-project' });
  const config = loadConfig({ LEDGERGATE_DATA_DIR: join(dir, 'data'), LEDGERGATE_PORT: '0', LEDGERGATE_POLICY: join(repoRoot, 'policy.yaml') }, repoRoot);
  const gateway = await startGateway(config, { warehouse, logger: silentLogger });
  const caller = { principal: { subject: 'bench-agent', issuer: 'https://bench.test', groups: ['ai-agents'] } };
  const sqlFor = (i: number) => `SELECT order_id, amount, currency FROM \`demo-project.sales.orders\` WHERE customer_id = ${1 + (i % 200)} ORDER BY order_id`;
  try {
    // Warm-up: transpiler WASM, analyser, DuckDB and SQLite caches.
    for (let i = 0; i < 5; i++) {
      await warehouse.execute({ jobId: `warm-${i}`, sql: sqlFor(i), maxRows: 1000, maxResultBytes: 10 * 2 ** 20, timeoutMs: 60_000 });
      await gateway.queries.submit(caller, { sql: sqlFor(i), channel: 'rest' });
    }
    const alone: number[] = [];
    const through: number[] = [];
    for (let i = 0; i < rounds; i++) {
      let started = performance.now();
      await warehouse.execute({ jobId: `alone-${i}`, sql: sqlFor(i), maxRows: 1000, maxResultBytes: 10 * 2 ** 20, timeoutMs: 60_000 });
      alone.push(performance.now() - started);
      started = performance.now();
      const view = await gateway.queries.submit(caller, { sql: sqlFor(i), channel: 'rest' });
      through.push(performance.now() - started);
      if (view.status !== 'succeeded') throw new Error(`bench query ended ${view.status}: ${JSON.stringify(view.error)}`);
    }

    global.gc?.();
    const baseline = rssMiB();
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB())), 5);
    const started = performance.now();
    const big = await gateway.queries.submit(caller, { sql: millionRows, channel: 'rest', waitSeconds: 120 });
    const bigMs = performance.now() - started;
    clearInterval(sampler);
    peak = Math.max(peak, rssMiB());
    if (big.status !== 'succeeded') throw new Error(`1M-row query ended ${big.status}: ${JSON.stringify(big.error)}`);

    return {
      saga_rounds: rounds,
      warehouse_execute_median_ms: round(median(alone)),
      full_submit_median_ms: round(median(through)),
      gateway_overhead_median_ms: round(median(through) - median(alone)),
      gateway_overhead_mean_ms: round(through.reduce((a, b) => a + b, 0) / rounds - alone.reduce((a, b) => a + b, 0) / rounds),
      million_row_rows_kept: big.rowCount ?? 0,
      million_row_truncated: String(big.truncated),
      million_row_ms: round(bigMs, 0),
      million_row_rss_baseline_mib: round(baseline, 1),
      million_row_rss_peak_growth_mib: round(peak - baseline, 1),
    };
  } finally {
    await gateway.stop({ drainMs: 2_000 });
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await run());
}
