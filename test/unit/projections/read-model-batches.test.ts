/**
 * Batching is invisible in the rows: whatever pages the log is cut into, and wherever the gateway
 * restarts (fresh appliers, checkpoints read back), the read-model tables end up exactly as after
 * one pass over the whole log.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { RecordedEvent } from '../../../src/domain/ports.js';
import { silentLogger } from '../../../src/adapters/logging/silent-logger.js';
import { openReadModelDb, type ReadModelDb } from '../../../src/projections/read-model-db.js';
import { createReadModels } from '../../../src/projections/read-models.js';
import { startProjectionRunner } from '../../../src/projections/runner.js';
import { createMemoryEventStore } from '../../support/memory-event-store.js';
import { projected } from '../../support/read-models.js';
import { lifecycle } from '../../support/request-lifecycles.js';

async function recordedLog(requests: number): Promise<RecordedEvent[]> {
  const store = createMemoryEventStore();
  for (let n = 0; n < requests; n++) {
    const { stream, events } = lifecycle(n);
    await store.append(stream, events, 'no_stream');
  }
  return store.readAll({ from: 0, maxCount: 100_000 });
}

/** Every read-model table's rows (checkpoints included), in a stable order. */
function dump(readModelDb: ReadModelDb): Record<string, string[]> {
  const tables = readModelDb.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  return Object.fromEntries(tables.map((table) => [table, (readModelDb.db.prepare(`SELECT * FROM "${table}"`).all() as unknown[]).map((row) => JSON.stringify(row)).sort()]));
}

describe('read models in batches', () => {
  it('any cut of the log into pages and restarts yields the same rows as one pass', async () => {
    const log = await recordedLog(42);
    const onePass = dump(projected(log, { pageSize: log.length }).readModelDb);
    assert.ok(onePass.access_log && onePass.access_log.length === 42);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.uniqueArray(fc.integer({ min: 1, max: log.length - 1 }), { maxLength: 5 }), (pageSize, cuts) => {
        const readModelDb = openReadModelDb({ file: ':memory:' });
        // Each cut is a restart: new appliers that resume from the checkpoints they read back.
        const bounds = [0, ...[...cuts].sort((a, b) => a - b), log.length];
        for (let i = 0; i + 1 < bounds.length; i++) projected(log.slice(0, bounds[i + 1]).slice(bounds[i]), { pageSize, readModelDb });
        assert.deepEqual(dump(readModelDb), onePass);
        readModelDb.close();
      }),
      { numRuns: 40 },
    );
  });

  it('the catch-up before serving yields the same rows as one pass, whatever its read, flush and transaction sizes', async () => {
    // The catch-up reads an eighth of a page at a time, writes its folds' caches out every half page
    // and commits every four pages: requests straddle all three boundaries for some page size.
    const requests = 42;
    const store = createMemoryEventStore();
    for (let n = 0; n < requests; n++) {
      const { stream, events } = lifecycle(n);
      await store.append(stream, events, 'no_stream');
    }
    const log = await store.readAll({ from: 0, maxCount: 100_000 });
    const onePass = dump(projected(log, { pageSize: log.length }).readModelDb);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 64 }), async (pageSize) => {
        const readModelDb = openReadModelDb({ file: ':memory:' });
        const { projections, status } = createReadModels(readModelDb);
        const runner = await startProjectionRunner({ store, readModels: readModelDb, projections, status, logger: silentLogger, pageSize });
        runner.stop();
        assert.deepEqual(dump(readModelDb), onePass, `page size ${pageSize}`);
        readModelDb.close();
      }),
      { numRuns: 30 },
    );
  });

  it('a page replayed after a restart (events at or before the checkpoint) changes nothing', async () => {
    const log = await recordedLog(14);
    const readModelDb = openReadModelDb({ file: ':memory:' });
    projected(log, { pageSize: 7, readModelDb });
    const once = dump(readModelDb);
    projected(log, { pageSize: 5, readModelDb });
    assert.deepEqual(dump(readModelDb), once);
  });
});
