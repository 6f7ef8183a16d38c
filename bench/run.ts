/**
 * `npm run bench`: the whole suite in one run — gateway vs bare passthrough (latency, 16-client
 * throughput, memory, projection rebuild) plus every component bench under bench/*.bench.ts. Prints a
 * table with the machine it ran on and writes bench/results/latest.json.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Figures = Record<string, number | string>;

const benchDir = import.meta.dirname;
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  loadAverageAtStart: loadavg().map((n) => Number(n.toFixed(2))),
  date: new Date().toISOString(),
};

const only = process.argv.slice(2);
const files = readdirSync(benchDir)
  .filter((name) => name.endsWith('.bench.ts'))
  .sort((a, b) => (a === 'gateway.bench.ts' ? -1 : b === 'gateway.bench.ts' ? 1 : a.localeCompare(b)))
  .filter((name) => only.length === 0 || only.some((part) => name.includes(part)));

const results: Record<string, Figures | { error: string }> = {};
for (const file of files) {
  const started = performance.now();
  process.stderr.write(`bench: ${file} …\n`);
  try {
    const module = (await import(pathToFileURL(join(benchDir, file)).href)) as { run?: () => Promise<Figures> };
    if (typeof module.run !== 'function') continue;
    results[file] = await module.run();
  } catch (error) {
    results[file] = { error: error instanceof Error ? error.message.split('\n')[0] ?? 'error' : String(error) };
  }
  process.stderr.write(`bench: ${file} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

const targets = (gateway: Figures | { error: string } | undefined) => {
  if (!gateway || 'error' in gateway) return {};
  const num = (key: string) => Number(gateway[key]);
  return {
    'added p50 <= 3 ms': num('gateway.added_latency.p50_ms') <= 3,
    'throughput >= half the passthrough': num('gateway.throughput_ratio') >= 0.5,
    'RSS under load <= 300 MB': num('gateway.rss_peak_under_load_mib') <= 300,
    'projection rebuild >= 100k events/s': num('projection.rebuild.events_per_s') >= 100_000,
  };
};
const verdicts = targets(results['gateway.bench.ts']);

const lines = [`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}, load ${machine.loadAverageAtStart.join(' ')}`, ''];
for (const [file, figures] of Object.entries(results)) {
  lines.push(`## ${file}`);
  for (const [key, value] of Object.entries(figures)) lines.push(`  ${key.padEnd(48)} ${String(value)}`);
}
lines.push('', '## targets');
for (const [target, met] of Object.entries(verdicts)) lines.push(`  ${target.padEnd(48)} ${met ? 'met' : 'MISSED'}`);
process.stdout.write(`${lines.join('\n')}\n`);

const outDir = join(benchDir, 'results');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify({ machine, results, targets: verdicts }, null, 2)}\n`);
process.stdout.write(`written: ${join(outDir, 'latest.json')}\n`);
