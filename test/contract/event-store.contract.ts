/**
 * The EventStore contract: every adapter passes these. Tests only rely on their own uniquely named
 * streams and on positions after the head they found, so they also run against a shared server.
 *
 * The back-pressure test observes paging through the store's own `readAll`: adapters feed
 * subscribeAll by calling `store.readAll`, so replacing it on the instance shows every page read.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LedgergateError, RevisionConflictError } from '../../src/domain/errors.js';
import type { EventStore, ReadAllOptions, RecordedEvent } from '../../src/domain/ports.js';
import {
  authFailed,
  authFailures,
  collectUntil,
  metadataFor,
  sleep,
  suppressedOf,
  uniqueStream,
} from '../support/event-store-fixtures.js';

export interface OpenedStore {
  store: EventStore;
  cleanup(): Promise<void>;
}

export interface EventStoreCapabilities {
  /** SQLite numbers events 1, 2, 3…; EventStoreDB positions are ordered but leave gaps. */
  readonly gapFreePositions: boolean;
  /** How long a caught-up subscription may take to notice an append (poll interval plus slack). */
  readonly liveDelayMs?: number;
}

const isConflict = (error: unknown) =>
  error instanceof RevisionConflictError && error.code === 'revision_conflict';
const isCode = (code: string) => (error: unknown) => error instanceof LedgergateError && error.code === code;

export function eventStoreContract(
  name: string,
  open: () => Promise<OpenedStore>,
  capabilities: EventStoreCapabilities = { gapFreePositions: true },
  suiteOptions: { skip?: boolean | string } = {},
): void {
  const liveDelayMs = capabilities.liveDelayMs ?? 600;

  const withStore = (test: (store: EventStore) => Promise<void>) => async () => {
    const { store, cleanup } = await open();
    try {
      await test(store);
    } finally {
      await cleanup();
    }
  };

  /** Every event after `from` that belongs to the given streams, in global order. */
  const readOurs = async (store: EventStore, from: number, streams: readonly string[]) =>
    (await store.readAll({ from, maxCount: 10_000 })).filter((e) => streams.includes(e.streamName));

  describe(`EventStore contract: ${name}`, suiteOptions, () => {
    it('appends events and reads the stream back in order', withStore(async (store) => {
      const stream = uniqueStream('read');
      const result = await store.append(stream, authFailures(3), 'no_stream');
      const events = await store.readStream(stream);
      assert.deepEqual(events.map(suppressedOf), [0, 1, 2]);
      assert.ok(events.every((e) => e.streamName === stream && e.type === 'AuthenticationFailed'));
      assert.deepEqual(events[0]!.data, { reason: 'missing', path: '/v1/queries', suppressed: 0 });
      assert.equal(result.lastPosition, events[2]!.position);
      assert.ok(!Number.isNaN(Date.parse(events[0]!.recordedAt)), 'recordedAt is an ISO time');
    }));

    it('numbers revisions from 0 and reports the next expected revision', withStore(async (store) => {
      const stream = uniqueStream('revisions');
      const first = await store.append(stream, authFailures(2), 'no_stream');
      assert.equal(first.nextExpectedRevision, 1);
      const second = await store.append(stream, authFailures(3, 2), first.nextExpectedRevision);
      assert.equal(second.nextExpectedRevision, 4);
      assert.ok(second.lastPosition > first.lastPosition);
      assert.deepEqual((await store.readStream(stream)).map((e) => e.revision), [0, 1, 2, 3, 4]);
    }));

    it('rejects no_stream when the stream exists, writing nothing', withStore(async (store) => {
      const stream = uniqueStream('nostream');
      await store.append(stream, [authFailed(0)], 'no_stream');
      const head = await store.headPosition();
      await assert.rejects(store.append(stream, [authFailed(1)], 'no_stream'), (error: unknown) => {
        assert.ok(isConflict(error));
        assert.equal((error as RevisionConflictError).actual, 0);
        return true;
      });
      assert.equal((await store.readStream(stream)).length, 1);
      assert.equal(await store.headPosition(), head);
    }));

    it('rejects an exact revision that is stale, ahead, or names a missing stream', withStore(async (store) => {
      const stream = uniqueStream('exact');
      await store.append(stream, authFailures(2), 'no_stream');
      await assert.rejects(store.append(stream, [authFailed(9)], 0), isConflict);
      await assert.rejects(store.append(stream, [authFailed(9)], 5), isConflict);
      await assert.rejects(store.append(uniqueStream('missing'), [authFailed(9)], 0), (error: unknown) => {
        assert.ok(isConflict(error));
        assert.equal((error as RevisionConflictError).actual, 'no_stream');
        return true;
      });
      const ok = await store.append(stream, [authFailed(2)], 1);
      assert.equal(ok.nextExpectedRevision, 2);
      assert.deepEqual((await store.readStream(stream)).map(suppressedOf), [0, 1, 2]);
    }));

    it('appends with any to new and existing streams', withStore(async (store) => {
      const stream = uniqueStream('any');
      assert.equal((await store.append(stream, [authFailed(0)], 'any')).nextExpectedRevision, 0);
      assert.equal((await store.append(stream, [authFailed(1)], 'any')).nextExpectedRevision, 1);
      assert.deepEqual((await store.readStream(stream)).map((e) => e.revision), [0, 1]);
    }));

    it('reads a missing stream as empty', withStore(async (store) => {
      assert.deepEqual(await store.readStream(uniqueStream('never-written')), []);
    }));

    it('orders readAll across streams with increasing positions', withStore(async (store) => {
      const from = await store.headPosition();
      const [a, b] = [uniqueStream('all-a'), uniqueStream('all-b')];
      await store.append(a, authFailures(2, 0), 'no_stream');
      await store.append(b, authFailures(1, 2), 'no_stream');
      await store.append(a, authFailures(2, 3), 1);
      const events = await readOurs(store, from, [a, b]);
      assert.deepEqual(events.map(suppressedOf), [0, 1, 2, 3, 4]);
      assert.deepEqual(events.map((e) => e.streamName), [a, a, b, a, a]);
      for (let i = 1; i < events.length; i++) assert.ok(events[i]!.position > events[i - 1]!.position);
      assert.ok(events[0]!.position > from);
      if (capabilities.gapFreePositions) {
        const all = await store.readAll({ from: 0, maxCount: 10_000 });
        assert.deepEqual(all.map((e) => e.position), all.map((_, i) => i + 1), 'positions are 1, 2, 3, … without gaps');
      }
    }));

    it('pages readAll with from (exclusive) and maxCount', withStore(async (store) => {
      const from = await store.headPosition();
      const stream = uniqueStream('paging');
      await store.append(stream, authFailures(5), 'no_stream');
      const firstPage = await store.readAll({ from, maxCount: 2 });
      assert.equal(firstPage.length, 2);
      const secondPage = await store.readAll({ from: firstPage[1]!.position, maxCount: 2 });
      assert.equal(secondPage.length, 2);
      assert.ok(secondPage[0]!.position > firstPage[1]!.position, 'from is exclusive');
      const rest = await store.readAll({ from: secondPage[1]!.position, maxCount: 100 });
      const ours = [...firstPage, ...secondPage, ...rest].filter((e) => e.streamName === stream);
      assert.deepEqual(ours.map(suppressedOf), [0, 1, 2, 3, 4]);
      assert.deepEqual(await store.readAll({ from: await store.headPosition(), maxCount: 10 }), []);
    }));

    it('reports the head position as the last position written', withStore(async (store) => {
      const before = await store.headPosition();
      assert.ok(Number.isInteger(before) && before >= 0);
      const result = await store.append(uniqueStream('head'), authFailures(3), 'no_stream');
      const head = await store.headPosition();
      assert.equal(head, result.lastPosition);
      assert.ok(head > before);
      if (capabilities.gapFreePositions) assert.equal(head, before + 3);
    }));

    it('delivers history, then live events in order, and stops on unsubscribe', withStore(async (store) => {
      const from = await store.headPosition();
      const stream = uniqueStream('subscribe');
      await store.append(stream, authFailures(3), 'no_stream');
      const ours = (e: RecordedEvent) => e.streamName === stream;
      const collector = collectUntil(store.subscribeAll(from), (got) => got.filter(ours).length >= 5);
      await sleep(50);
      await store.append(stream, authFailures(2, 3), 2);
      const events = (await collector.done).filter(ours);
      assert.deepEqual(events.map(suppressedOf), [0, 1, 2, 3, 4]);
      for (let i = 1; i < events.length; i++) assert.ok(events[i]!.position > events[i - 1]!.position);

      collector.subscription.unsubscribe();
      const countAtUnsubscribe = collector.received.length;
      await store.append(stream, [authFailed(5)], 4);
      await sleep(liveDelayMs);
      assert.equal(collector.received.length, countAtUnsubscribe, 'nothing arrives after unsubscribe');
    }));

    it('reads the next page only after the subscriber took the previous one', withStore(async (store) => {
      const from = await store.headPosition();
      const stream = uniqueStream('backpressure');
      for (let i = 0; i < 25; i++) await store.append(stream, authFailures(10, i * 10), i === 0 ? 'no_stream' : i * 10 - 1);

      let calls = 0;
      let fetched = 0;
      let largestPage = 0;
      const readAll = store.readAll.bind(store);
      store.readAll = async (options: ReadAllOptions) => {
        calls += 1;
        const page = await readAll(options);
        fetched += page.length;
        largestPage = Math.max(largestPage, page.length);
        return page;
      };

      const ours = (e: RecordedEvent) => e.streamName === stream;
      let mostHeld = 0;
      const everything = collectUntil(
        store.subscribeAll(from),
        (got) => {
          // Checked inside next(): how many events had been read but not yet handed over.
          mostHeld = Math.max(mostHeld, fetched - got.length);
          return got.filter(ours).length >= 250;
        },
        10_000,
      );
      const events = (await everything.done).filter(ours);
      everything.subscription.unsubscribe();
      assert.deepEqual(events.map(suppressedOf), Array.from({ length: 250 }, (_, i) => i));
      assert.ok(calls >= 3, `250 events were read in pages (${calls} reads)`);
      assert.ok(largestPage < 250, 'a page never holds the whole backlog');
      assert.ok(mostHeld <= largestPage, `read ahead at most one page (held ${mostHeld}, page ${largestPage})`);

      // A subscriber that stopped after 5 events made the store read one page, not the backlog.
      calls = 0;
      fetched = 0;
      const stopper = collectUntil(store.subscribeAll(from), (got) => got.length >= 5);
      await stopper.done;
      stopper.subscription.unsubscribe();
      await sleep(liveDelayMs);
      assert.equal(calls, 1, 'one page read for a subscriber that took 5 events and left');
      assert.ok(fetched <= largestPage);
    }));

    it('rejects an invalid event with invalid_event and writes nothing of the batch', withStore(async (store) => {
      const stream = uniqueStream('invalid');
      const head = await store.headPosition();
      const invalid = { type: 'AuthenticationFailed', data: { reason: 'missing', suppressed: -1 }, metadata: metadataFor() };
      await assert.rejects(store.append(stream, [authFailed(0), invalid], 'no_stream'), isCode('invalid_event'));
      const unknownType = { type: 'NoSuchEvent', data: {}, metadata: metadataFor() };
      await assert.rejects(store.append(stream, [unknownType], 'any'), isCode('invalid_event'));
      const badMetadata = { ...authFailed(0), metadata: { correlationId: '', occurredAt: 'yesterday', schemaVersion: 0 } };
      await assert.rejects(store.append(stream, [badMetadata], 'any'), isCode('invalid_event'));
      assert.deepEqual(await store.readStream(stream), []);
      assert.equal(await store.headPosition(), head);
    }));

    it('refuses empty appends and reserved ($) or empty stream names', withStore(async (store) => {
      const head = await store.headPosition();
      await assert.rejects(store.append(uniqueStream('empty'), [], 'any'), isCode('invalid_event'));
      await assert.rejects(store.append('$system', [authFailed(0)], 'any'), isCode('invalid_event'));
      await assert.rejects(store.append('', [authFailed(0)], 'any'), isCode('invalid_event'));
      assert.equal(await store.headPosition(), head);
    }));

    it('round-trips metadata exactly', withStore(async (store) => {
      const stream = uniqueStream('metadata');
      const metadata = metadataFor('req-42', {
        causationId: 'cmd-7',
        principal: { subject: 'agent-1', email: 'agent@example.com', actor: 'alice' },
        clientIp: '127.0.0.1',
        userAgent: 'claude-code/1.0',
        sessionId: 'session-9',
        gatewayId: 'gw-a',
      });
      const head = await store.headPosition();
      await store.append(stream, [authFailed(0, metadata)], 'no_stream');
      const [event] = await store.readStream(stream);
      assert.deepEqual(event!.metadata, metadata);
      // Positions are opaque (byte offsets on EventStoreDB): read from a position the store gave out.
      const fromAll = (await store.readAll({ from: head, maxCount: 10 })).find((e) => e.streamName === stream);
      assert.deepEqual(fromAll?.metadata, metadata);
    }));

    it('lets exactly one of two concurrent appends at the same revision win', withStore(async (store) => {
      const stream = uniqueStream('race');
      await store.append(stream, [authFailed(0)], 'no_stream');
      const outcomes = await Promise.allSettled([
        store.append(stream, [authFailed(1)], 0),
        store.append(stream, [authFailed(2)], 0),
      ]);
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      assert.equal(won.length, 1);
      assert.equal(lost.length, 1);
      assert.ok(isConflict(lost[0]!.reason));
      assert.equal((await store.readStream(stream)).length, 2);
    }));
  });
}
