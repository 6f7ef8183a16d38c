/**
 * Soak test (not in CI): starts a gateway on embedded defaults and sends the bench query at a fixed
 * rate for N minutes, then reports per minute: requests, errors, p50/p99 latency and the gateway's RSS.
 *
 *   node --import tsx scripts/soak.ts [--minutes 10] [--rate 20]
 *
 * Writes the figures to bench/results/soak.json as well.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchSql, createClient, percentile, rssMiBOf } from '../bench/gateway.bench.js';
import { startGatewayProcess } from '../test/support/gateway-process.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, rate: { type: 'string', default: '20' } } });
const minutes = Number(values.minutes);
const rate = Number(values.rate);
if (!(minutes > 0) || !(rate > 0)) throw new Error('--minutes and --rate must be positive numbers');

interface Minute {
  minute: number;
  sent: number;
  ok: number;
  errors: number;
  statuses: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  rssMiB: number;
}

const gateway = await startGatewayProcess({
  env: { LEDGERGATE_LOG_LEVEL: 'warn', LEDGERGATE_RATE_LIMIT: '1000000', LEDGERGATE_RATE_LIMIT_ADDRESS: '10000000' },
  timeoutMs: 180_000,
});
const token = await gateway.token({ sub: 'soak-agent', groups: ['ai-agents'], ttlSeconds: Math.ceil(minutes * 60 + 600) });
const target = { url: `${gateway.url}/v1/queries`, body: JSON.stringify({ sql: benchSql }), headers: { authorization: `Bearer ${token}` } };
const client = createClient(64);
const report: Minute[] = [];
const startRss = rssMiBOf(gateway.child.pid);
process.stdout.write(`soak: ${rate} req/s for ${minutes} min against ${gateway.url} (gateway RSS at start ${startRss.toFixed(1)} MiB)\n`);

try {
  for (let minute = 1; minute <= minutes; minute++) {
    const times: number[] = [];
    const statuses: Record<string, number> = {};
    let sent = 0;
    const inFlight: Promise<void>[] = [];
    const minuteStart = performance.now();
    // Open loop: requests leave on schedule whether or not earlier ones have answered.
    for (let i = 0; i < rate * 60; i++) {
      const due = minuteStart + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      sent += 1;
      inFlight.push(
        client.send(target).then(
          (answer) => {
            statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
            if (answer.status === 200) times.push(answer.ms);
          },
          () => {
            statuses.network = (statuses.network ?? 0) + 1;
          },
        ),
      );
    }
    await Promise.all(inFlight);
    const ok = statuses['200'] ?? 0;
    const row: Minute = { minute, sent, ok, errors: sent - ok, statuses, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), rssMiB: rssMiBOf(gateway.child.pid) };
    report.push(row);
    process.stdout.write(`minute ${minute}: sent ${sent} ok ${ok} errors ${row.errors} p50 ${row.p50Ms.toFixed(1)} ms p99 ${row.p99Ms.toFixed(1)} ms rss ${row.rssMiB.toFixed(1)} MiB\n`);
  }
} finally {
  client.close();
  const code = await gateway.stop();
  gateway.cleanup();
  const totalErrors = report.reduce((sum, m) => sum + m.errors, 0);
  const first = report[0];
  const last = report[report.length - 1];
  const summary = {
    rate,
    minutes,
    startRssMiB: startRss,
    totalSent: report.reduce((sum, m) => sum + m.sent, 0),
    totalErrors,
    rssGrowthMiB: first && last ? last.rssMiB - first.rssMiB : Number.NaN,
    p50DriftMs: first && last ? last.p50Ms - first.p50Ms : Number.NaN,
    gatewayExitCode: code,
    perMinute: report,
  };
  const dir = resolve(import.meta.dirname, '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'soak.json'), `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(`soak done: ${summary.totalSent} requests, ${totalErrors} errors, RSS growth ${summary.rssGrowthMiB.toFixed(1)} MiB (minute 1 → ${minutes}), p50 drift ${summary.p50DriftMs.toFixed(1)} ms, exit ${code}\n`);
}
