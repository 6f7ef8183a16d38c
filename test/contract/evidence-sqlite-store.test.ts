import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore } from '../../src/adapters/eventstore/sqlite-event-store.js';
import { createEventRegistry } from '../../src/domain/events/registry.js';
import { evidenceContract } from './evidence-contract.js';

evidenceContract('sqlite store', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ledgergate-evidence-sqlite-'));
  const store = openSqliteEventStore({ file: join(dir, 'events.db'), registry: createEventRegistry() });
  return { store, cleanup: () => rm(dir, { recursive: true, force: true }) };
});
