/** Runs the EventStore contract against every adapter that can run here. */
import { join } from 'node:path';
import { createEventRegistry } from '../../src/domain/events/registry.js';
import { openSqliteEventStore } from '../../src/adapters/eventstore/sqlite-event-store.js';
import { openEsdbEventStore } from '../../src/adapters/eventstore/esdb-event-store.js';
import { eventStoreContract } from './event-store.contract.js';
import { makeTempDir } from '../support/event-store-fixtures.js';

const registry = createEventRegistry();

eventStoreContract('SQLite', async () => {
  const temp = await makeTempDir('sqlite-contract');
  const store = openSqliteEventStore({ file: join(temp.dir, 'events.db'), registry });
  return {
    store,
    async cleanup() {
      await store.close();
      await temp.remove();
    },
  };
});

const esdbConnectionString = process.env.ESDB_CONNECTION_STRING;
eventStoreContract(
  'EventStoreDB',
  async () => {
    const store = openEsdbEventStore({ connectionString: esdbConnectionString ?? '', registry });
    return { store, cleanup: () => store.close() };
  },
  { gapFreePositions: false, liveDelayMs: 800 },
  { skip: !process.env.ESDB_CONNECTION_STRING && 'needs ESDB_CONNECTION_STRING (an EventStoreDB server)' },
);
