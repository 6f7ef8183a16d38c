/**
 * Projection rebuild alone: all six persisted read models folded from an existing log into a fresh
 * read-model file, wall-clock and CPU (`process.cpuUsage`, every thread of this process) per event.
 * Made for comparing two builds against the SAME log, alternately, on a shared machine.
 *
 *   node --import tsx bench/rebuild.bench.ts make <dir> [events]   records real request lifecycles
 *       with the gateway process and clones them (new ids) into <dir>/data/events.sqlite (default 200k)
 *   node --import tsx bench/rebuild.bench.ts time <events.sqlite> [runs]   times a fresh rebuild
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore } from '../src/adapters/eventstore/sqlite-event-store.js';
import { silentLogger } from '../src/adapters/logging/silent-logger.js';
import { createEventRegistry } from '../src/domain/events/registry.js';
import type { EventStore } from '../src/domain/ports.js';
import { openReadModelDb } from '../src/projections/read-model-db.js';
import { createReadModels } from '../src/projections/read-models.js';
import { startProjectionRunner } from '../src/projections/runner.js';

/** The store with the main thread's CPU time spent inside its reads counted (the rest is folding and writing). */
function timedReads(store: EventStore): { store: EventStore; cpuMs: () => number } {
  let micros = 0;
  const timed = <A, R>(read: (options: A) => Promise<R>) => async (options: A): Promise<R> => {
    const before = process.cpuUsage();
    try {
      return await read(options);
    } finally {
      const used = process.cpuUsage(before);
      micros += used.user + used.system;
    }
  };
  const readForProjections = store.readForProjections?.bind(store);
  return {
    store: { ...store, readAll: timed(store.readAll.bind(store)), ...(readForProjections ? { readForProjections: timed(readForProjections) } : {}) },
    cpuMs: () => micros / 1000,
  };
}

export async function timeRebuild(file: string): Promise<{ events: number; wallPerS: number; cpuPerS: number; seconds: number; readCpuShare: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'ledgergate-rebuild-bench-'));
  const opened = openSqliteEventStore({ file, registry: createEventRegistry() });
  const { store, cpuMs } = timedReads(opened);
  try {
    const head = await store.headPosition();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const readModelDb = openReadModelDb({ file: join(dir, 'read-models.sqlite') });
    const { projections, status } = createReadModels(readModelDb);
    const pageSize = process.env.REBUILD_PAGE_SIZE ? Number(process.env.REBUILD_PAGE_SIZE) : undefined;
    const runner = await startProjectionRunner({ store, readModels: readModelDb, projections, status, logger: silentLogger, ...(pageSize ? { pageSize } : {}) });
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    runner.stop();
    readModelDb.close();
    const cpuSeconds = (used.user + used.system) / 1e6;
    return { events: head, seconds, wallPerS: head / seconds, cpuPerS: head / cpuSeconds, readCpuShare: cpuMs() / 1000 / cpuSeconds };
  } finally {
    await opened.close();
    rmSync(dir, { recursive: true, force: true });
  }
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
    for (let run = 0; run < (count ? Number(count) : 1); run++) {
      const r = await timeRebuild(where);
      console.log(JSON.stringify({ events: r.events, seconds: Number(r.seconds.toFixed(2)), wall_events_per_s: Math.round(r.wallPerS), cpu_events_per_s: Math.round(r.cpuPerS), read_cpu_share: Number(r.readCpuShare.toFixed(2)), load1: Number(loadavg()[0]?.toFixed(2)) }));
    }
  } else {
    console.error('usage: rebuild.bench.ts make <dir> [events] | time <events.sqlite> [runs]');
    process.exitCode = 2;
  }
}
