/**
 * Embedded event store throughput: appends per second with one event per transaction (each one a
 * durable commit, synchronous=FULL) and with batches, concurrent appenders (as concurrent requests
 * append: group commit) with the event loop's busy time per append, and readAll throughput over a
 * large log (JSON parsing and schema validation included, as in production).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventRegistry } from '../src/domain/events/registry.js';
import type { NewEvent } from '../src/domain/ports.js';
import { openSqliteEventStore } from '../src/adapters/eventstore/sqlite-event-store.js';

const registry = createEventRegistry();

const event = (i: number): NewEvent => ({
  type: 'AuthenticationFailed',
  data: { reason: 'missing', path: '/v1/queries', suppressed: i },
  metadata: { correlationId: `c-${i}`, occurredAt: new Date().toISOString(), schemaVersion: 1, gatewayId: 'bench' },
});
const batchOf = (size: number, offset: number) => Array.from({ length: size }, (_, i) => event(offset + i));

/** Appends batches of `batchSize` to rotating streams until `budgetMs` passes (or `maxAppends`). */
async function measureAppends(file: string, batchSize: number, budgetMs: number, maxAppends: number) {
  const store = openSqliteEventStore({ file, registry });
  const revisions = new Map<string, number>();
  let appends = 0;
  const started = performance.now();
  while (appends < maxAppends && performance.now() - started < budgetMs) {
    const stream = `query-${appends % 50}`;
    const result = await store.append(stream, batchOf(batchSize, appends * batchSize), revisions.get(stream) ?? 'no_stream');
    revisions.set(stream, result.nextExpectedRevision);
    appends += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return { appendsPerSecond: appends / seconds, eventsPerSecond: (appends * batchSize) / seconds };
}

/**
 * `appenders` loops, each appending one event to its own stream and awaiting it, for `budgetMs`:
 * appends per second, and how many milliseconds of event-loop time each append cost — time in
 * which no request could be served (a synchronous commit blocks the loop for its fsync).
 */
async function measureConcurrentAppends(file: string, appenders: number, budgetMs: number) {
  const store = openSqliteEventStore({ file, registry });
  await store.append('warm-up', [event(0)], 'no_stream');
  let appends = 0;
  const before = performance.eventLoopUtilization();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: appenders }, async (_, appender) => {
      for (let revision = 0; performance.now() - started < budgetMs; revision++) {
        await store.append(`appender-${appender}`, [event(revision)], revision === 0 ? 'no_stream' : revision - 1);
        appends += 1;
      }
    }),
  );
  const busy = performance.eventLoopUtilization(before);
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return { appendsPerSecond: appends / seconds, loopMsPerAppend: busy.active / appends };
}

async function measureReadAll(file: string, total: number, pageSize: number) {
  const store = openSqliteEventStore({ file, registry });
  for (let written = 0; written < total; written += 1000) {
    await store.append(`bulk-${written}`, batchOf(Math.min(1000, total - written), written), 'no_stream');
  }
  const started = performance.now();
  let from = 0;
  let read = 0;
  for (;;) {
    const page = await store.readAll({ from, maxCount: pageSize });
    if (page.length === 0) break;
    read += page.length;
    from = page[page.length - 1]!.position;
  }
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  if (read !== total) throw new Error(`read ${read} of ${total} events`);
  return read / seconds;
}

export async function run(): Promise<Record<string, number | string>> {
  const dir = await mkdtemp(join(tmpdir(), 'ledgergate-bench-eventstore-'));
  try {
    const single = await measureAppends(join(dir, 'single.db'), 1, 3000, 5000);
    const batch10 = await measureAppends(join(dir, 'batch10.db'), 10, 3000, 2000);
    const batch100 = await measureAppends(join(dir, 'batch100.db'), 100, 3000, 500);
    const concurrent = await measureConcurrentAppends(join(dir, 'concurrent.db'), 16, 3000);
    const readAllEventsPerSecond = await measureReadAll(join(dir, 'read.db'), 100_000, 1000);
    const round = (n: number) => Math.round(n);
    return {
      'eventstore.sqlite.durability': 'WAL, synchronous=FULL; concurrent appends share a transaction (group commit in a writer thread)',
      'eventstore.sqlite.append_1.appends_per_s': round(single.appendsPerSecond),
      'eventstore.sqlite.append_10.appends_per_s': round(batch10.appendsPerSecond),
      'eventstore.sqlite.append_10.events_per_s': round(batch10.eventsPerSecond),
      'eventstore.sqlite.append_100.appends_per_s': round(batch100.appendsPerSecond),
      'eventstore.sqlite.append_100.events_per_s': round(batch100.eventsPerSecond),
      'eventstore.sqlite.append_1_16_appenders.appends_per_s': round(concurrent.appendsPerSecond),
      'eventstore.sqlite.append_1_16_appenders.event_loop_ms_per_append': Number(concurrent.loopMsPerAppend.toFixed(3)),
      'eventstore.sqlite.read_all_100k.events_per_s': round(readAllEventsPerSecond),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await run();
  for (const [name, value] of Object.entries(figures)) console.log(`${name}: ${value}`);
}
