/** The EventStoreDB adapter without a server: bad settings and an unreachable server map to clear errors. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { createEventRegistry } from '../../src/domain/events/registry.js';
import { LedgergateError } from '../../src/domain/errors.js';
import { openEsdbEventStore } from '../../src/adapters/eventstore/esdb-event-store.js';
import { authFailed, collectUntil } from '../support/event-store-fixtures.js';
import { createFeedHealth } from '../../src/adapters/eventstore/pull-subscription.js';

const registry = createEventRegistry();

/** A 127.0.0.1 port that nothing listens on: bind port 0, note it, close it again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const isUnavailable = (error: unknown) => error instanceof LedgergateError && error.code === 'store_unavailable';

describe('EventStoreDB adapter without a server', () => {
  it('refuses a malformed connection string with invalid_config', () => {
    assert.throws(
      () => openEsdbEventStore({ connectionString: 'http://127.0.0.1:2113', registry }),
      (error: unknown) => error instanceof LedgergateError && error.code === 'invalid_config' && /connection string/.test(error.message),
    );
  });

  it('answers store_unavailable for every operation when the server is unreachable', async () => {
    const store = openEsdbEventStore({ connectionString: `esdb://127.0.0.1:${await closedPort()}?tls=false`, registry });
    try {
      await assert.rejects(store.append('query-offline', [authFailed(0)], 'no_stream'), isUnavailable);
      await assert.rejects(store.readStream('query-offline'), isUnavailable);
      await assert.rejects(store.readAll({ from: 0 }), isUnavailable);
      await assert.rejects(store.headPosition(), isUnavailable);
    } finally {
      await store.close();
    }
  });

  it('keeps the live feed waiting (and says so) while the server is unreachable, instead of ending it', async () => {
    const health = createFeedHealth();
    const store = openEsdbEventStore({
      connectionString: `esdb://127.0.0.1:${await closedPort()}?tls=false`,
      registry,
      subscription: { health, initialBackoffMs: 20, maxBackoffMs: 50 },
    });
    try {
      const feed = collectUntil(store.subscribeAll(0), () => true, 1500);
      await assert.rejects(feed.done, /timed out/, 'no error ends the feed; it is still waiting for the server');
      assert.ok(health.retries >= 1, `the feed retried (${health.retries})`);
    } finally {
      await store.close();
    }
  });

  it('validates events before contacting the server', async () => {
    const store = openEsdbEventStore({ connectionString: `esdb://127.0.0.1:${await closedPort()}?tls=false`, registry });
    try {
      const invalid = { ...authFailed(0), data: { reason: 'missing' } };
      await assert.rejects(store.append('query-offline', [invalid], 'any'), (e: unknown) => e instanceof LedgergateError && e.code === 'invalid_event');
    } finally {
      await store.close();
    }
  });
});
