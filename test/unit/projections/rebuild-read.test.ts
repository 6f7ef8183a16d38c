/**
 * A rebuild reads less than `readAll` (EventStore.readForProjections): no schema re-check, and none of
 * the data every fold leaves unread (unread-data.ts). These tests hold the folds to that declaration
 * and show that the rebuilt tables are the same whichever read fed them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { openSqliteEventStore } from '../../../src/adapters/eventstore/sqlite-event-store.js';
import { silentLogger } from '../../../src/adapters/logging/silent-logger.js';
import { createEventRegistry } from '../../../src/domain/events/registry.js';
import type { EventStore, FoldableEvent, Logger, RecordedEvent, UnreadData } from '../../../src/domain/ports.js';
import { applyPage, type TrackedProjection } from '../../../src/projections/apply-page.js';
import { openReadModelDb, type ReadModelDb } from '../../../src/projections/read-model-db.js';
import { createReadModels, readModelProjections } from '../../../src/projections/read-models.js';
import { startProjectionRunner } from '../../../src/projections/runner.js';
import { unreadByAll, unreadByReadModels } from '../../../src/projections/unread-data.js';
import { createMemoryEventStore } from '../../support/memory-event-store.js';
import { richLifecycle } from '../../support/rich-lifecycles.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledgergate-rebuild-read-'));
  dirs.push(dir);
  return dir;
};

async function record(store: EventStore, requests: number): Promise<void> {
  for (let n = 0; n < requests; n++) {
    const { stream, events } = richLifecycle(n);
    await store.append(stream, events, 'no_stream');
  }
}

/** Every read-model table's rows (checkpoints included), in a stable order. */
function dump(readModelDb: ReadModelDb): Record<string, string[]> {
  const tables = readModelDb.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  return Object.fromEntries(tables.map((table) => [table, (readModelDb.db.prepare(`SELECT * FROM "${table}"`).all() as unknown[]).map((row) => JSON.stringify(row)).sort()]));
}

/** Folds the events through the six read models; every error a fold raises is collected. */
function fold(events: readonly FoldableEvent[]): { tables: Record<string, string[]>; errors: string[] } {
  const readModelDb = openReadModelDb({ file: ':memory:' });
  const errors: string[] = [];
  const logger: Logger = { ...silentLogger, error: (message, fields) => void errors.push(`${message} ${JSON.stringify(fields)}`) };
  const tracked: TrackedProjection[] = readModelProjections.map((definition) => {
    definition.create(readModelDb.db);
    return { definition, applier: definition.applier(readModelDb.db), position: 0, ready: true };
  });
  for (let start = 0; start < events.length; start += 25) applyPage(readModelDb, events.slice(start, start + 25), tracked, logger);
  const tables = dump(readModelDb);
  readModelDb.close();
  return { tables, errors };
}

/** The event with every member declared unread replaced by a getter that throws. */
function tripwired(event: RecordedEvent, unread: UnreadData): FoldableEvent {
  const members = unread[event.type];
  if (members === undefined) return event;
  const touched = (what: string) => () => {
    throw new Error(`a fold read ${what} of ${event.type}, declared unread`);
  };
  if (members === '*') return { streamName: event.streamName, position: event.position, type: event.type, metadata: event.metadata, get data(): unknown { return touched('the data')(); } };
  const data = { ...(event.data as Record<string, unknown>) };
  for (const member of members) Object.defineProperty(data, member, { get: touched(member), enumerable: true });
  return { ...event, data };
}

describe('the rebuild read', () => {
  it('no fold reads the data the read models declare unread (tables unchanged, no fold error)', async () => {
    const memory = createMemoryEventStore();
    await record(memory, 28);
    const log = await memory.readAll({ from: 0, maxCount: 10_000 });
    const plain = fold(log);
    assert.deepEqual(plain.errors, []);
    assert.equal(plain.tables.access_log?.length, 28);
    const guarded = fold(log.map((event) => tripwired(event, unreadByReadModels)));
    assert.deepEqual(guarded.errors, [], 'a fold touched data declared unread');
    assert.deepEqual(guarded.tables, plain.tables);
  });

  it('the SQLite store\'s rebuild read and readAll rebuild the same tables, whatever the page size', async () => {
    const file = join(freshDir(), 'events.sqlite');
    const store = openSqliteEventStore({ file, registry: createEventRegistry() });
    await record(store, 21);
    assert.ok(store.readForProjections, 'the SQLite store offers the rebuild read');
    const { readForProjections: _, ...withoutRebuildRead } = store;
    const rebuild = async (source: EventStore, pageSize: number) => {
      const readModelDb = openReadModelDb({ file: ':memory:' });
      const { projections, status } = createReadModels(readModelDb);
      const runner = await startProjectionRunner({ store: source, readModels: readModelDb, projections, status, logger: silentLogger, pageSize });
      runner.stop();
      const tables = dump(readModelDb);
      readModelDb.close();
      return tables;
    };
    const fromReadAll = await rebuild(withoutRebuildRead, 1000);
    assert.equal(fromReadAll.access_log?.length, 21);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 60 }), async (pageSize) => assert.deepEqual(await rebuild(store, pageSize), fromReadAll)),
      { numRuns: 8 },
    );
    await store.close();
  });

  it('leaves out only what every projection being fed leaves unread', () => {
    assert.deepEqual(unreadByAll(readModelProjections.map((p) => p.unreadData)), unreadByReadModels);
    assert.deepEqual(unreadByAll([unreadByReadModels, undefined]), {}, 'a projection that declares nothing gets everything');
    assert.deepEqual(unreadByAll([]), {});
    assert.deepEqual(
      unreadByAll([
        { ResultDelivered: '*', QueryAnalysed: ['statements', 'tables'], PolicyEvaluated: ['reasons'] },
        { ResultDelivered: ['rows'], QueryAnalysed: '*', PolicyEvaluated: ['perStatement'] },
      ]),
      { ResultDelivered: ['rows'], QueryAnalysed: ['statements', 'tables'] },
    );
  });
});
