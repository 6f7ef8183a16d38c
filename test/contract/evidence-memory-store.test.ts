import { evidenceContract } from './evidence-contract.js';
import { createMemoryEventStore } from '../support/memory-event-store.js';

evidenceContract('memory store (hash chained on append)', async () => ({ store: createMemoryEventStore(), cleanup: async () => {} }));
evidenceContract('memory store without hashes (chained by the sealer)', async () => ({
  store: createMemoryEventStore({ withoutHashes: true }),
  cleanup: async () => {},
}));
