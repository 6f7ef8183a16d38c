/**
 * Projection rebuild alone: all six persisted read models folded from an existing log into a fresh
 * read-model file: events per second of wall-clock time, of CPU time over every thread
 * (`process.cpuUsage`), and of the event loop's own CPU time (/proc; the rebuild's critical path, the
 * figure to compare on a shared machine). Made for comparing two builds against the SAME log,
 * alternately. `npm run bench` runs it in fresh processes with npm start's heap settings.
 *
 *   node --import tsx bench/rebuild.bench.ts make <dir> [events]   records real request lifecycles
 *       with the gateway process and clones them (new ids) into <dir>/data/events.sqlite (default 200k)
 *   node --import tsx bench/rebuild.bench.ts time <events.sqlite> [runs]   times a fresh rebuild
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore } from '../src/adapters/eventstore/sqlite-event-store.js';
import { silentLogger } from '../src/adapters/logging/silent-logger.js';
import { createEventRegistry } from '../src/domain/events/registry.js';
import { openReadModelDb } from '../src/projections/read-model-db.js';
import { createReadModels } from '../src/projections/read-models.js';
import { startProjectionRunner } from '../src/projections/runner.js';
import { startEnvironment, startNodeFlags } from './npm-start.js';

/** CPU seconds of this process's main thread (the event loop), from /proc: utime + stime in clock ticks. */
function mainThreadCpuSeconds(): number {
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export async function timeRebuild(file: string): Promise<{ events: number; wallPerS: number; cpuPerS: number; mainCpuPerS: number; seconds: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'ledgergate-rebuild-bench-'));
  const store = openSqliteEventStore({ file, registry: createEventRegistry() });
  try {
    const head = await store.headPosition();
    const cpu = process.cpuUsage();
    const mainCpu = mainThreadCpuSeconds();
    const started = performance.now();
    const readModelDb = openReadModelDb({ file: join(dir, 'read-models.sqlite') });
    const { projections, status } = createReadModels(readModelDb);
    const pageSize = process.env.REBUILD_PAGE_SIZE ? Number(process.env.REBUILD_PAGE_SIZE) : undefined;
    const runner = await startProjectionRunner({ store, readModels: readModelDb, projections, status, logger: silentLogger, ...(pageSize ? { pageSize } : {}) });
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const mainCpuSeconds = mainThreadCpuSeconds() - mainCpu;
    runner.stop();
    readModelDb.close();
    const cpuSeconds = (used.user + used.system) / 1e6;
    return { events: head, seconds, wallPerS: head / seconds, cpuPerS: head / cpuSeconds, mainCpuPerS: head / mainCpuSeconds };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface RebuildRun {
  events: number;
  seconds: number;
  wall_events_per_s: number;
  cpu_events_per_s: number;
  main_thread_cpu_events_per_s: number;
  load1: number;
}

/**
 * Times `runs` rebuilds of the log, each in a fresh Node process with `npm start`'s heap settings (its
 * node flags and environment, and the gateway's own V8 flags, src/v8-memory-flags.ts), as the gateway
 * rebuilds when it finds a read-model file missing or out of date: not in a bench process whose heap
 * holds a load test's figures, nor with a young generation the gateway does not have.
 */
export function timeRebuildInFreshProcesses(file: string, runs: number): RebuildRun[] {
  const results: RebuildRun[] = [];
  for (let run = 0; run < runs; run++) {
    const output = execFileSync(process.execPath, [...startNodeFlags(), '--import', 'tsx', join(import.meta.dirname, 'rebuild.bench.ts'), 'time', file, '1'], {
      encoding: 'utf8',
      timeout: 600_000,
      env: { ...process.env, ...startEnvironment(), LEDGERGATE_REBUILD_BENCH_GATEWAY_FLAGS: '1' },
    });
    const line = output.trim().split('\n').at(-1) ?? '';
    results.push(JSON.parse(line) as RebuildRun);
  }
  return results;
}

/** The median run by events per second (wall), and every run's figure for the record. */
export function medianRun(runs: readonly RebuildRun[]): { median: RebuildRun; all: string } {
  const sorted = [...runs].sort((a, b) => a.wall_events_per_s - b.wall_events_per_s);
  return { median: sorted[Math.floor(sorted.length / 2)] as RebuildRun, all: runs.map((r) => r.wall_events_per_s).join(' / ') };
}

async function make(dir: string, total: number): Promise<void> {
  const { startGatewayProcess } = await import('../test/support/gateway-process.js');
  const { recordRequests, cloneToSize } = await import('./read-models.bench.js');
  const dataDir = join(dir, 'data');
  const recorder = await startGatewayProcess({ dataDir, timeoutMs: 240_000 });
  await recordRequests(recorder);
  await recorder.stop();
  const head = await cloneToSize(join(dataDir, 'events.sqlite'), total);
  console.log({ file: join(dataDir, 'events.sqlite'), events: head });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [mode, where, count] = process.argv.slice(2);
  if (mode === 'make' && where) await make(where, count ? Number(count) : 200_000);
  else if (mode === 'time' && where) {
    // As main.ts does first (a fresh process started by timeRebuildInFreshProcesses).
    if (process.env.LEDGERGATE_REBUILD_BENCH_GATEWAY_FLAGS === '1') await import('../src/v8-memory-flags.js');
    for (let run = 0; run < (count ? Number(count) : 1); run++) {
      const r = await timeRebuild(where);
      console.log(JSON.stringify({ events: r.events, seconds: Number(r.seconds.toFixed(2)), wall_events_per_s: Math.round(r.wallPerS), cpu_events_per_s: Math.round(r.cpuPerS), main_thread_cpu_events_per_s: Math.round(r.mainCpuPerS), load1: Number(loadavg()[0]?.toFixed(2)) }));
    }
  } else {
    console.error('usage: rebuild.bench.ts make <dir> [events] | time <events.sqlite> [runs]');
    process.exitCode = 2;
  }
}
