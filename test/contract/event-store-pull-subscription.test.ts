/** The pull loop behind every store's subscribeAll, driven by an in-memory source that logs its reads. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ReadAllOptions, RecordedEvent } from '../../src/domain/ports.js';
import { createFeedHealth, feedLagSeconds, pullSubscription, StoreSignals } from '../../src/adapters/eventstore/pull-subscription.js';
import { LedgergateError } from '../../src/domain/errors.js';
import { collectUntil, metadataFor, sleep } from '../support/event-store-fixtures.js';

function memorySource(initial: number) {
  const events: RecordedEvent[] = [];
  const log: string[] = [];
  const add = (count: number) => {
    for (let i = 0; i < count; i++) {
      const position = events.length + 1;
      events.push({
        streamName: 's',
        revision: position - 1,
        position,
        type: 'AuthenticationFailed',
        data: { reason: 'missing', path: '/', suppressed: position },
        metadata: metadataFor(),
        recordedAt: new Date(0).toISOString(),
      });
    }
  };
  add(initial);
  let failWith: Error | undefined;
  let failuresLeft = 1;
  return {
    events,
    log,
    add,
    failNextRead: (error: Error, times = 1) => {
      failWith = error;
      failuresLeft = times;
    },
    source: {
      async readAll({ from, maxCount }: ReadAllOptions) {
        log.push(`read>${from}`);
        if (failWith) {
          const error = failWith;
          if (--failuresLeft <= 0) failWith = undefined;
          throw error;
        }
        return events.filter((e) => e.position > from).slice(0, maxCount ?? 1000);
      },
    },
  };
}

describe('pull subscription', () => {
  it('reads the next page only after every event of the previous page was delivered', async () => {
    const memory = memorySource(7);
    const sub = collectUntil(pullSubscription(memory.source, new StoreSignals(), 0, { pageSize: 3 }), (got) => {
      memory.log.push(`got ${got.at(-1)!.position}`);
      return got.length >= 7;
    });
    await sub.done;
    sub.subscription.unsubscribe();
    assert.deepEqual(memory.log.slice(0, 10), [
      'read>0', 'got 1', 'got 2', 'got 3',
      'read>3', 'got 4', 'got 5', 'got 6',
      'read>6', 'got 7',
    ]);
    // The last page was short, so the loop is caught up and sleeps instead of reading again at once.
    assert.deepEqual(memory.log.slice(10), []);
  });

  it('starts after the given position', async () => {
    const memory = memorySource(5);
    const sub = collectUntil(pullSubscription(memory.source, new StoreSignals(), 3), (got) => got.length >= 2);
    assert.deepEqual((await sub.done).map((e) => e.position), [4, 5]);
    sub.subscription.unsubscribe();
  });

  it('wakes a caught-up subscription on the append signal without waiting for the poll', async () => {
    const memory = memorySource(1);
    const signals = new StoreSignals();
    const sub = collectUntil(pullSubscription(memory.source, signals, 0, { pollIntervalMs: 60_000 }), (g) => g.length >= 3, 2000);
    await sleep(20);
    memory.add(2);
    signals.appended();
    assert.deepEqual((await sub.done).map((e) => e.position), [1, 2, 3]);
    sub.subscription.unsubscribe();
  });

  it('finds appends made elsewhere by polling', async () => {
    const memory = memorySource(0);
    const sub = collectUntil(pullSubscription(memory.source, new StoreSignals(), 0, { pollIntervalMs: 20 }), (g) => g.length >= 1, 2000);
    await sleep(30);
    memory.add(1);
    assert.deepEqual((await sub.done).map((e) => e.position), [1]);
    sub.subscription.unsubscribe();
  });

  it('stops reading once unsubscribed, even mid-page', async () => {
    const memory = memorySource(10);
    const received: RecordedEvent[] = [];
    const subscription = pullSubscription(memory.source, new StoreSignals(), 0, { pageSize: 5, pollIntervalMs: 10 }).subscribe(
      (event) => {
        received.push(event);
        if (received.length === 2) subscription.unsubscribe();
      },
    );
    await sleep(60);
    assert.deepEqual(memory.log, ['read>0']);
    assert.deepEqual(received.map((e) => e.position), [1, 2]);
  });

  it('passes a read failure to the subscriber', async () => {
    const memory = memorySource(0);
    memory.failNextRead(new Error('disk on fire'));
    const sub = collectUntil(pullSubscription(memory.source, new StoreSignals(), 0), () => false, 2000);
    await assert.rejects(sub.done, /disk on fire/);
  });

  it('completes when the store closes', async () => {
    const memory = memorySource(0);
    const signals = new StoreSignals();
    let completed = false;
    pullSubscription(memory.source, signals, 0).subscribe({ complete: () => (completed = true) });
    await sleep(10);
    signals.close();
    assert.ok(completed);
    let completedAfterClose = false;
    pullSubscription(memory.source, signals, 0).subscribe({ complete: () => (completedAfterClose = true) });
    assert.ok(completedAfterClose, 'subscribing to a closed store completes at once');
  });

  it('resumes after transient failures from the last delivered position, backing off, and reports it', async () => {
    const memory = memorySource(4);
    const health = createFeedHealth();
    const signals = new StoreSignals();
    const sub = collectUntil(pullSubscription(memory.source, signals, 0, { pageSize: 2, pollIntervalMs: 20, initialBackoffMs: 20, health }), (got) => got.length >= 6, 5000);
    await sleep(60);
    memory.failNextRead(new LedgergateError('store_unavailable', 'leader changed'), 3);
    const failedAt = Date.now();
    // The caught-up loop meets the failure at its next poll (20 ms); a loaded machine may take longer.
    for (let waited = 0; health.failing === 0 && waited < 2000; waited += 5) await sleep(5);
    assert.equal(health.failing, 1, 'the feed reports that it is retrying');
    memory.add(2);
    const got = await sub.done;
    sub.subscription.unsubscribe();
    assert.deepEqual(got.map((e) => e.position), [1, 2, 3, 4, 5, 6], 'nothing lost, nothing twice');
    assert.equal(health.retries, 3);
    assert.equal(health.failing, 0);
    assert.ok(Date.now() - failedAt >= 20 + 40 + 80 - 30, 'waits grow between attempts');
    const retried = memory.log.filter((entry) => entry === 'read>4');
    assert.ok(retried.length >= 4, `re-read from the last delivered position (${retried.join(', ')})`);
    assert.equal(feedLagSeconds({ ...health, failing: 1 }, Date.parse(new Date(0).toISOString()) + 5000), 5);
    signals.close();
  });
});
