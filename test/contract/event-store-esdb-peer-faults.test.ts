/**
 * What the EventStoreDB adapter must do on a real server's wire that the shared contract cannot show:
 * a log shared with other applications, reads that must not stay open, payloads over the server's
 * append limit, and the faults a cluster produces (leader changes, outages, stalls, refusals).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createEventRegistry } from '../../src/domain/events/registry.js';
import { LedgergateError, RevisionConflictError } from '../../src/domain/errors.js';
import { openEsdbEventStore } from '../../src/adapters/eventstore/esdb-event-store.js';
import { startEsdbPeer, type EsdbPeer } from '../support/esdb-peer.js';
import { authFailed, authFailures, collectUntil, metadataFor, sleep, suppressedOf, uniqueStream } from '../support/event-store-fixtures.js';

const registry = createEventRegistry();
const isCode = (code: string) => (error: unknown) => error instanceof LedgergateError && error.code === code;

describe('EventStoreDB adapter on the wire-level peer', () => {
  let peer: EsdbPeer;
  before(async () => {
    peer = await startEsdbPeer({ systemProjections: true });
  });
  after(() => peer.close());
  const open = (extra: Partial<Parameters<typeof openEsdbEventStore>[0]> = {}) =>
    openEsdbEventStore({ connectionString: peer.connectionString, registry, subscription: { pollIntervalMs: 50 }, ...extra });

  it('skips other applications\' events, system events and link events in every read', async () => {
    const store = open();
    try {
      const head = await store.headPosition();
      const stream = uniqueStream('shared');
      peer.appendForeign('orders-9', 'OrderPlaced', { orderId: 9 });
      await store.append(stream, [authFailed(0)], 'no_stream');
      peer.appendForeign('query-imposter', 'QueryRequested', { not: 'ours' });
      peer.appendForeign('billing-1', 'Binary', Buffer.from([1, 2, 3]));
      peer.appendForeign(stream, 'OtherAppNote', { note: 'same stream name' });
      const page = await store.readAll({ from: head, maxCount: 100 });
      assert.deepEqual(page.map((e) => e.streamName), [stream]);
      assert.equal(await store.headPosition(), page[0]!.position, 'head is the last event of ours, not a foreign one');
      assert.deepEqual((await store.readStream(stream)).map(suppressedOf), [0]);
      const live = collectUntil(store.subscribeAll(head), (got) => got.length >= 2);
      peer.appendForeign('orders-10', 'OrderPlaced', { orderId: 10 });
      await store.append(stream, [authFailed(1)], 'any');
      assert.deepEqual((await live.done).map(suppressedOf), [0, 1]);
      live.subscription.unsubscribe();
    } finally {
      await store.close();
    }
  });

  it('leaves no read open: headPosition many times, then close returns promptly', async () => {
    const store = open();
    await store.append(uniqueStream('head'), authFailures(3), 'no_stream');
    for (let i = 0; i < 40; i++) peer.appendForeign(`other-${i}`, 'Noise', { i });
    for (let i = 0; i < 20; i++) await store.headPosition();
    await sleep(50);
    assert.equal(peer.stats.openReads, 0, 'every read call has ended');
    const started = Date.now();
    await store.close();
    assert.ok(Date.now() - started < 2000, 'dispose did not wait on open calls');
  });

  it('stores a payload over the 1 MiB append limit by content hash and reads it back whole', async () => {
    const store = open();
    try {
      const stream = uniqueStream('big');
      const big = { type: 'PolicyRejected', data: { source: 'x', errors: Array.from({ length: 3000 }, (_, i) => `error ${i} ${'y'.repeat(600)}`) }, metadata: metadataFor() };
      assert.ok(JSON.stringify(big.data).length > 1024 * 1024);
      await store.append(stream, [big], 'no_stream');
      const [event] = await store.readStream(stream);
      assert.deepEqual(event!.data, big.data);
      assert.ok(peer.records().every((r) => r.data.length + r.metadata.length <= 1024 * 1024));
      const fromAll = (await store.readAll({ from: 0, maxCount: 10_000 })).filter((e) => e.streamName === stream);
      assert.deepEqual(fromAll.map((e) => e.data), [big.data], 'content parts are not events of ours');
    } finally {
      await store.close();
    }
  });

  it('retries an append whose answer was lost without writing it twice (deterministic event ids)', async () => {
    for (const batchAppend of [true, false]) {
      const own = await startEsdbPeer({ batchAppend });
      const store = openEsdbEventStore({ connectionString: own.connectionString, registry });
      try {
        const stream = uniqueStream('lost');
        own.injectFault('lost-answer', { target: 'append' });
        await store.append(stream, authFailures(2), 'no_stream');
        assert.deepEqual((await store.readStream(stream)).map(suppressedOf), [0, 1]);
        own.injectFault('lost-answer', { target: 'append' });
        await store.append(stream, [authFailed(5)], 'any');
        assert.deepEqual((await store.readStream(stream)).map(suppressedOf), [0, 1, 5]);
      } finally {
        await store.close();
        await own.close();
      }
    }
  });

  it('survives UNAVAILABLE and NOT_LEADER, reports ACCESS_DENIED and UNKNOWN as what they are', async () => {
    const store = open();
    try {
      const stream = uniqueStream('faults');
      peer.injectFault('unavailable', { target: 'append' });
      await store.append(stream, [authFailed(0)], 'no_stream');
      peer.injectFault('not-leader', { target: 'read' });
      assert.equal((await store.readStream(stream)).length, 1);
      peer.injectFault('access-denied', { count: 2, target: 'read' });
      await assert.rejects(store.readStream(stream), isCode('invalid_config'));
      peer.clearFaults();
      peer.injectFault('unknown', { count: 2, target: 'read' });
      await assert.rejects(store.readAll({ from: 0, maxCount: 5 }), isCode('internal'));
      peer.clearFaults();
      peer.injectFault('unavailable', { count: 2, target: 'read' });
      await assert.rejects(store.headPosition(), isCode('store_unavailable'));
      peer.clearFaults();
      assert.ok((await store.headPosition()) > 0, 'works again once the server answers');
    } finally {
      peer.clearFaults();
      await store.close();
    }
  });

  it('gives a stalled read or append a deadline', async () => {
    const store = open({ deadlineMs: 300 });
    try {
      peer.injectFault('stall', { count: 2, target: 'read' });
      const started = Date.now();
      await assert.rejects(store.readAll({ from: 0, maxCount: 5 }), isCode('store_unavailable'));
      assert.ok(Date.now() - started < 3000);
      peer.injectFault('stall', { count: 2, target: 'append' });
      await assert.rejects(store.append(uniqueStream('stall'), [authFailed(0)], 'no_stream'), isCode('store_unavailable'));
    } finally {
      peer.clearFaults();
      await store.close();
    }
  });

  it('treats a conflicting append as a conflict even when the client does not throw (result.success)', async () => {
    const store = openEsdbEventStore({ connectionString: `${peer.connectionString}&throwOnAppendFailure=false`, registry });
    try {
      const stream = uniqueStream('nothrow');
      await store.append(stream, [authFailed(0)], 'no_stream');
      await assert.rejects(store.append(stream, [authFailed(1)], 'no_stream'), (e: unknown) => e instanceof RevisionConflictError);
      assert.equal((await store.readStream(stream)).length, 1);
    } finally {
      await store.close();
    }
  });

  it('uses BatchAppend when the server offers it and Append when it does not', async () => {
    for (const batchAppend of [true, false]) {
      const own = await startEsdbPeer({ batchAppend });
      const store = openEsdbEventStore({ connectionString: own.connectionString, registry });
      try {
        await store.append(uniqueStream('path'), [authFailed(0)], 'no_stream');
        assert.equal(own.stats.batchAppends > 0, batchAppend);
        assert.equal(own.stats.appends > 0, !batchAppend);
      } finally {
        await store.close();
        await own.close();
      }
    }
  });
});
