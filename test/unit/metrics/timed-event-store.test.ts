/**
 * The append-timing decorator the gateway wraps its store in must not hide the store's rebuild read:
 * without it the gateway's projection runner would silently fall back to readAll (correct, slower).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { openSqliteEventStore } from '../../../src/adapters/eventstore/sqlite-event-store.js';
import { withAppendTiming } from '../../../src/adapters/metrics/timed-event-store.js';
import { createEventRegistry } from '../../../src/domain/events/registry.js';
import { makeTempDir } from '../../support/event-store-fixtures.js';
import { createMemoryEventStore } from '../../support/memory-event-store.js';
import { lifecycle } from '../../support/request-lifecycles.js';

const histogram = () => new Histogram({ name: 'append_seconds', help: 'append latency', labelNames: ['outcome'], registers: [new Registry()] });

describe('append timing decorator', () => {
  const temps: { remove(): Promise<void> }[] = [];
  after(() => Promise.all(temps.map((t) => t.remove())));

  it('passes the SQLite store\'s rebuild read through, and adds none to a store without one', async () => {
    const temp = await makeTempDir('timed-store');
    temps.push(temp);
    const sqlite = openSqliteEventStore({ file: join(temp.dir, 'events.sqlite'), registry: createEventRegistry() });
    const timed = withAppendTiming(sqlite, histogram());
    const { stream, events } = lifecycle(0);
    await timed.append(stream, events, 'no_stream');
    assert.ok(timed.readForProjections);
    const read = await timed.readForProjections({ from: 0, maxCount: 100 });
    assert.deepEqual(read.map((e) => e.type), events.map((e) => e.type));
    await sqlite.close();
    assert.equal(withAppendTiming(createMemoryEventStore(), histogram()).readForProjections, undefined);
  });
});
