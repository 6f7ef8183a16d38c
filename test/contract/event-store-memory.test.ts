/** The EventStore contract, run against the in-memory store the unit tests use, so the double is as strict as the adapters. */
import { createMemoryEventStore } from '../support/memory-event-store.js';
import { eventStoreContract } from './event-store.contract.js';

eventStoreContract('in-memory (test double)', async () => {
  const store = createMemoryEventStore();
  return { store, cleanup: () => store.close() };
});
