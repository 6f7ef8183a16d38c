/** A live replica takes over the in-flight requests whose replica stopped writing to them (lease expired). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTakeover } from '../../../src/app/replica-takeover.js';
import { createMemoryEventStore } from '../../support/memory-event-store.js';
import { authFailed, metadataFor } from '../../support/event-store-fixtures.js';

import { silentLogger as silent } from '../../../src/adapters/logging/silent-logger.js';

describe('replica takeover', () => {
  it('resumes only requests in flight whose last event, from another replica, is older than the lease', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const store = createMemoryEventStore({ clock: () => new Date(now) });
    const write = (id: string, gatewayId: string) =>
      // Any event will do: the lease reads only who wrote a request's last event, and when.
      store.append(`query-${id}`, [authFailed(0, metadataFor(id, { gatewayId }))], 'any');
    await write('dead-replica', 'gw-dead');
    await write('own', 'gw-here');
    await write('finished', 'gw-dead');
    now += 50_000;
    await write('alive-replica', 'gw-alive');
    now += 20_000; // dead-replica, own and finished are 70 s idle; alive-replica 20 s

    const resumed: string[] = [];
    const takeover = startTakeover({
      store,
      inFlight: () => ['dead-replica', 'own', 'alive-replica', 'never-written'],
      resume: (id) => resumed.push(id),
      gatewayId: 'gw-here',
      leaseMs: 60_000,
      intervalMs: 1e9,
      now: () => now,
      logger: silent,
    });
    try {
      assert.deepEqual(await takeover.sweep(), ['dead-replica']);
      assert.deepEqual(resumed, ['dead-replica']);
      now += 45_000;
      resumed.length = 0;
      assert.deepEqual(await takeover.sweep(), ['dead-replica', 'alive-replica'], 'a replica that stopped writing loses its lease too');
    } finally {
      takeover.stop();
    }
  });
});
