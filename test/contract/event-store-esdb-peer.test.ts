/**
 * The EventStore contract over real gRPC against the wire-level EventStoreDB peer (test/support/esdb-peer.ts),
 * once per append path the client has (BatchAppend on current servers, Append on servers without it),
 * with system events, `$ce-` link events and another application's events interleaved in `$all`.
 */
import { after, before } from 'node:test';
import { createEventRegistry } from '../../src/domain/events/registry.js';
import { openEsdbEventStore } from '../../src/adapters/eventstore/esdb-event-store.js';
import { eventStoreContract } from './event-store.contract.js';
import { startEsdbPeer, type EsdbPeer } from '../support/esdb-peer.js';

const registry = createEventRegistry();

for (const batchAppend of [true, false]) {
  let peer: EsdbPeer;
  before(async () => {
    peer = await startEsdbPeer({ batchAppend, systemProjections: true });
    peer.appendForeign('orders-1', 'OrderPlaced', { orderId: 1 });
    peer.appendForeign('billing-7', 'InvoiceBinary', Buffer.from([0, 1, 2, 3]));
  });
  after(() => peer.close());
  eventStoreContract(
    `EventStoreDB peer (${batchAppend ? 'BatchAppend' : 'Append'})`,
    async () => {
      const store = openEsdbEventStore({ connectionString: peer.connectionString, registry, subscription: { pollIntervalMs: 50 } });
      // Another application keeps writing into the same database while the gateway works.
      peer.appendForeign('orders-2', 'OrderPlaced', { orderId: 2 });
      return { store, cleanup: () => store.close() };
    },
    { gapFreePositions: false, liveDelayMs: 300 },
  );
}
