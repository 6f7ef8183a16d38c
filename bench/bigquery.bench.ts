/**
 * Round-trip latency of a 100-row query through the BigQuery adapter (jobs.insert + getQueryResults
 * via the real Google client) against the local fake REST server.
 */
import { performance } from 'node:perf_hooks';
import { openBigQueryWarehouse } from '../src/adapters/warehouse/bigquery-warehouse.js';
import { cannedEngine } from '../test/support/fake-bigquery/canned-engine.js';
import { staticTokenAuthClient } from '../test/support/fake-bigquery/fake-auth.js';
import { allTypesRow, allTypesSchema } from '../test/support/fake-bigquery/fixtures.js';
import { startFakeBigQuery } from '../test/support/fake-bigquery/server.js';

const PROJECT = 'bench-project';
const WARMUP = 20;
const ITERATIONS = 300;

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const round = (ms: number): number => Math.round(ms * 1000) / 1000;

export async function run(): Promise<Record<string, number | string>> {
  process.env.GCE_METADATA_HOST ??= '127.0.0.1:1';
  const rows = Array.from({ length: 100 }, () => allTypesRow);
  const engine = cannedEngine([{ datasetId: 'bench', tableId: 'wide', schema: allTypesSchema, rows }], { projectId: PROJECT });
  const fake = await startFakeBigQuery({ projectId: PROJECT, engine });
  const warehouse = await openBigQueryWarehouse({
    projectId: PROJECT,
    apiEndpoint: fake.url,
    authClient: staticTokenAuthClient(),
    retry: { maxRetries: 0 },
  });
  const once = async (i: number): Promise<number> => {
    const started = performance.now();
    const result = await warehouse.execute({
      jobId: `bench_${i}`,
      sql: 'SELECT * FROM bench.wide',
      maxRows: 1000,
      maxResultBytes: 50 * 1024 * 1024,
      timeoutMs: 10_000,
    });
    if (result.rows.length !== 100) throw new Error(`expected 100 rows, got ${result.rows.length}`);
    return performance.now() - started;
  };
  try {
    for (let i = 0; i < WARMUP; i += 1) await once(-1 - i);
    const samples: number[] = [];
    for (let i = 0; i < ITERATIONS; i += 1) samples.push(await once(i));
    samples.sort((a, b) => a - b);
    const dryRunStarted = performance.now();
    for (let i = 0; i < 50; i += 1) await warehouse.dryRun!('SELECT * FROM bench.wide');
    return {
      'bigquery.query100.iterations': ITERATIONS,
      'bigquery.query100.columns': allTypesSchema.length,
      'bigquery.query100.p50_ms': round(percentile(samples, 50)),
      'bigquery.query100.p99_ms': round(percentile(samples, 99)),
      'bigquery.query100.mean_ms': round(samples.reduce((a, b) => a + b, 0) / samples.length),
      'bigquery.dryrun.mean_ms': round((performance.now() - dryRunStarted) / 50),
      'bigquery.note': 'real @google-cloud/bigquery client → local fake REST server on 127.0.0.1; 3 HTTP round trips per query (jobs.insert, getQueryResults, jobs.get for warnings and script child jobs)',
    };
  } finally {
    await warehouse.close();
    await fake.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await run());
}
