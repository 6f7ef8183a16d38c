/**
 * Persisted read models (issue 19): how fast the six projections fold a large log into the read-model
 * database, and what a restart of the real gateway process costs with 1M events already in the log
 * AND already projected (checkpoints at head) against an empty log — start-up time (spawn to serving)
 * and resident memory right after start.
 *
 * The 1M-event log is made of the gateway's own recorded request lifecycles, cloned with new request
 * ids and written straight through the SQLite event-store adapter in big batches. Its rebuild is timed
 * in three fresh processes (the median is the rebuild figure), it is projected once in-process, and the gateway is started once to seal it (as a gateway that
 * recorded those events would have), before the timed restart.
 *
 * Run alone: node --import tsx bench/read-models.bench.ts [events]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore } from '../src/adapters/eventstore/sqlite-event-store.js';
import { silentLogger } from '../src/adapters/logging/silent-logger.js';
import { createEventRegistry } from '../src/domain/events/registry.js';
import type { NewEvent, RecordedEvent } from '../src/domain/ports.js';
import { openReadModelDb } from '../src/projections/read-model-db.js';
import { createReadModels } from '../src/projections/read-models.js';
import { startProjectionRunner } from '../src/projections/runner.js';
import type { GatewayProcess } from '../test/support/gateway-process.js';
import { buildForStart, startAsNpmStart } from './npm-start.js';
import { rssMiBOf } from './gateway.bench.js';
import { medianRun, timeRebuildInFreshProcesses } from './rebuild.bench.js';

const registry = createEventRegistry();
const round = (n: number, digits = 2) => Number(n.toFixed(digits));

/**
 * Spawn to "serving at", and the peak RSS over the first 8 s of serving: an idle gateway's RSS still
 * climbs for seconds after it serves (analysis workers, JIT), so both starts are sampled alike.
 */
async function timedStart(dataDir: string): Promise<{ gateway: GatewayProcess; seconds: number; rssMiB: number }> {
  const started = performance.now();
  const gateway = await startAsNpmStart({ dataDir, timeoutMs: 240_000 });
  const seconds = (performance.now() - started) / 1000;
  let rssMiB = 0;
  for (let i = 0; i < 8; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    rssMiB = Math.max(rssMiB, rssMiBOf(gateway.child.pid));
  }
  return { gateway, seconds, rssMiB };
}

/** A handful of real requests (allowed with a small result, denied), to clone. */
export async function recordRequests(gateway: GatewayProcess): Promise<void> {
  const token = await gateway.token({ sub: 'bench-agent', groups: ['ai-agents'] });
  const sqls = ['SELECT * FROM analytics.page_views LIMIT 5', 'SELECT 1 AS one', 'DROP TABLE sales.customers'];
  for (let i = 0; i < 21; i++) {
    const res = await fetch(`${gateway.url}/v1/queries`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-session-id': `bench-${i % 4}` },
      body: JSON.stringify({ sql: sqls[i % sqls.length], wait: 30 }),
    });
    await res.arrayBuffer();
  }
}

/** Appends cloned lifecycles (new request ids) until the log holds `total` events. */
export async function cloneToSize(file: string, total: number): Promise<number> {
  const store = openSqliteEventStore({ file, registry });
  try {
    const byStream = new Map<string, RecordedEvent[]>();
    for (const event of await store.readAll({ from: 0, maxCount: 5000 })) {
      if (!event.streamName.startsWith('query-')) continue;
      byStream.set(event.streamName, [...(byStream.get(event.streamName) ?? []), event]);
    }
    const lifecycles = [...byStream.values()];
    if (lifecycles.length === 0) throw new Error('no recorded request lifecycles to clone');
    let written = await store.headPosition();
    for (let n = 0; written < total; ) {
      const batch: { stream: string; events: NewEvent[] }[] = [];
      for (let inBatch = 0; inBatch < 5000 && written + inBatch < total; n++) {
        const lifecycle = lifecycles[n % lifecycles.length] as RecordedEvent[];
        const oldId = (lifecycle[0] as RecordedEvent).streamName.slice('query-'.length);
        const newId = `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
        const events = lifecycle.map((e) => JSON.parse(JSON.stringify({ type: e.type, data: e.data, metadata: e.metadata }).replaceAll(oldId, newId)) as NewEvent);
        batch.push({ stream: `query-${newId}`, events });
        inBatch += events.length;
      }
      // Issued together, the store's group commit writes the whole batch in one transaction.
      await Promise.all(batch.map(({ stream, events }) => store.append(stream, events, 'no_stream')));
      written = await store.headPosition();
    }
    return written;
  } finally {
    await store.close();
  }
}

/** Folds everything new in the log into the data directory's read models, as the gateway would at start. */
export async function projectOnce(dataDir: string, file: string): Promise<{ events: number; seconds: number }> {
  const store = openSqliteEventStore({ file, registry });
  const readModelDb = openReadModelDb({ dataDir });
  const { projections, status } = createReadModels(readModelDb);
  const from = Math.min(...projections.map((p) => readModelDb.checkpoint(p.name)?.position ?? 0));
  const head = await store.headPosition();
  const started = performance.now();
  const runner = await startProjectionRunner({ store, readModels: readModelDb, projections, status, logger: silentLogger });
  const seconds = (performance.now() - started) / 1000;
  runner.stop();
  readModelDb.close();
  await store.close();
  return { events: head - from, seconds };
}

/** Waits until the last seal covers the log's head (bounded), as a gateway that lived through it would have. */
export async function waitForSeals(file: string, head: number, budgetMs: number): Promise<boolean> {
  const deadline = Date.now() + budgetMs;
  while (Date.now() < deadline) {
    const store = openSqliteEventStore({ file, registry });
    const last = (await store.readStream('evidence-seals')).at(-1);
    await store.close();
    const covered = (last?.data as { toStorePosition?: number } | undefined)?.toStorePosition ?? 0;
    if (covered >= head - 1000) return true;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  return false;
}

export async function run(total = 1_000_000): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'ledgergate-read-models-bench-'));
  const dataDir = join(dir, 'data');
  const emptyDir = join(dir, 'empty');
  const file = join(dataDir, 'events.sqlite');
  try {
    buildForStart();
    // Cold first starts (module caches, key and demo files) are not timed.
    const recorder = await startAsNpmStart({ dataDir, timeoutMs: 240_000 });
    await recordRequests(recorder);
    await recorder.stop();
    await (await startAsNpmStart({ dataDir: emptyDir, timeoutMs: 240_000 })).stop();

    const head = await cloneToSize(file, total);
    // The rebuild figure: fresh processes, as a restart that finds its read models missing does it.
    const rebuilt = medianRun(timeRebuildInFreshProcesses(file, 3));
    const projected = await projectOnce(dataDir, file);
    // The read models' share of a restart: open them and resume with every checkpoint at head.
    const resumed = await projectOnce(dataDir, file);
    const warm = await startAsNpmStart({ dataDir, timeoutMs: 240_000 });
    const sealed = await waitForSeals(file, head, 180_000);
    await warm.stop();

    // Alternated, twice: an idle gateway's RSS swings by tens of MiB from start to start.
    const empty: { seconds: number; rssMiB: number }[] = [];
    const full: { seconds: number; rssMiB: number }[] = [];
    for (let round = 0; round < 2; round++) {
      for (const [into, where] of [[empty, emptyDir], [full, dataDir]] as const) {
        const started = await timedStart(where);
        await started.gateway.stop();
        into.push({ seconds: started.seconds, rssMiB: started.rssMiB });
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
    const events = `${Math.round(head / 1000)}k_events_projected`;
    return {
      'log.events': head,
      'log.size_mib': round(statSync(file).size / 2 ** 20, 1),
      'read_models.size_mib': round(statSync(join(dataDir, 'read-models.sqlite')).size / 2 ** 20, 1),
      'projection.rebuild.events': rebuilt.median.events,
      'projection.rebuild.events_per_s': rebuilt.median.wall_events_per_s,
      'projection.rebuild.events_per_s, three fresh processes': rebuilt.all,
      'projection.rebuild.in_bench_process.events_per_s': Math.round(projected.events / projected.seconds),
      'projection.resume_at_head.ms': round(resumed.seconds * 1000, 1),
      'start.empty_log.seconds': empty.map((r) => round(r.seconds)).join(' / '),
      'start.empty_log.rss_peak_mib': empty.map((r) => round(r.rssMiB, 0)).join(' / '),
      [`start.${events}.seconds`]: full.map((r) => round(r.seconds)).join(' / '),
      [`start.${events}.rss_peak_mib`]: full.map((r) => round(r.rssMiB, 0)).join(' / '),
      'start.rss_growth_mib (median vs median)': round(median(full.map((r) => r.rssMiB)) - median(empty.map((r) => r.rssMiB)), 0),
      'log.sealed_before_restart': String(sealed),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await run(process.argv[2] ? Number(process.argv[2]) : undefined));
}
