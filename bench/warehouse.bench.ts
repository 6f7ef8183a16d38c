/**
 * Embedded warehouse figures: latency of a 100-row select, and the memory a 1M-row result costs when
 * only 1000 rows are kept versus when every row is kept.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoWarehouseFile } from '../src/adapters/warehouse/demo-dataset.js';
import { openDuckDbWarehouse } from '../src/adapters/warehouse/duckdb-warehouse.js';

// customers × orders × 5 = 1,000,000 rows
const millionRows = 'SELECT c.customer_id, o.order_id, o.amount, k FROM sales.customers c CROSS JOIN sales.orders o CROSS JOIN UNNEST([1, 2, 3, 4, 5]) AS k';

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

const rssMiB = (): number => process.memoryUsage().rss / 1024 / 1024;

export async function run(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'ledgergate-bench-'));
  const file = join(dir, 'demo.duckdb');
  await createDemoWarehouseFile(file);
  const warehouse = await openDuckDbWarehouse({ file, projectId: 'demo-project' });
  let job = 0;
  const execute = (sql: string, maxRows: number, maxResultBytes = 1_000_000_000) =>
    warehouse.execute({ jobId: `bench-${++job}`, sql, maxRows, maxResultBytes, timeoutMs: 120_000 });
  try {
    await execute('SELECT 1', 1); // warm-up: transpiler WASM and DuckDB caches
    const latencies: number[] = [];
    for (let i = 0; i < 30; i++) {
      const started = performance.now();
      await execute('SELECT * FROM `demo-project.sales.orders` ORDER BY order_id LIMIT 100', 100);
      latencies.push(performance.now() - started);
    }
    const baseline = rssMiB();
    const limitedStart = performance.now();
    const limited = await execute(millionRows, 1000);
    const limitedMs = performance.now() - limitedStart;
    const limitedRss = rssMiB() - baseline;
    const allStart = performance.now();
    const all = await execute(millionRows, 2_000_000);
    const allMs = performance.now() - allStart;
    const allRss = rssMiB() - baseline;
    return {
      select100_p50_ms: Number(percentile(latencies, 50).toFixed(1)),
      select100_p95_ms: Number(percentile(latencies, 95).toFixed(1)),
      rows1m_maxRows1000_total_rows: limited.totalRows,
      rows1m_maxRows1000_ms: Math.round(limitedMs),
      rows1m_maxRows1000_rss_delta_mib: Math.round(limitedRss),
      rows1m_all_kept_rows: all.rows.length,
      rows1m_all_ms: Math.round(allMs),
      rows1m_all_rss_delta_mib: Math.round(allRss),
    };
  } finally {
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await run());
}
