/**
 * Reading the chain (what the sealer does before every seal: each event since the last seal read and
 * its hash recomputed) hands the event loop back every few milliseconds of work, within a page as well
 * as between pages, so requests are served between slices instead of waiting for a whole page of
 * delivered results to be parsed and hashed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { genesisAnchor, readChainedEvents } from '../../../src/adapters/evidence/chained-events.js';
import { createMemoryEventStore } from '../../support/memory-event-store.js';
import { lifecycle } from '../../support/request-lifecycles.js';

async function storeWith(requests: number) {
  const store = createMemoryEventStore();
  for (let n = 0; n < requests; n++) {
    const { stream, events } = lifecycle(n);
    await store.append(stream, events, 'no_stream');
  }
  return store;
}

describe('reading the evidence chain in slices', () => {
  it('lets the event loop turn once a slice of work has passed, within a page, whatever the cost per event', async () => {
    const store = await storeWith(12);
    const total = (await store.readAll({ from: 0, maxCount: 10_000 })).length;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 10 }), async (msPerEvent, sliceMs) => {
        // A clock that advances msPerEvent per look: the reader looks once per event it hands over.
        let clock = 0;
        const now = () => (clock += msPerEvent);
        // Events handed over each time the event loop got a turn (a setImmediate ran).
        const handedAtTurns: number[] = [];
        let handed = 0;
        let reading = true;
        const watch = () => {
          handedAtTurns.push(handed);
          if (reading) setImmediate(watch);
        };
        setImmediate(watch);
        for await (const event of readChainedEvents(store, { anchor: genesisAnchor, pageSize: 10_000, sliceMs, now })) {
          assert.ok(event.hash.length > 0);
          handed += 1;
        }
        reading = false;
        assert.equal(handed, total);
        // Between two turns, no more events than fit in one slice (plus the one that crossed it).
        const most = Math.ceil(sliceMs / msPerEvent) + 1;
        for (let i = 1; i < handedAtTurns.length; i++) {
          const run = (handedAtTurns[i] as number) - (handedAtTurns[i - 1] as number);
          assert.ok(run <= most, `${run} events between two turns, slice ${sliceMs} ms at ${msPerEvent} ms per event`);
        }
        assert.ok(handedAtTurns.length >= Math.floor((total * msPerEvent) / (sliceMs + msPerEvent)), 'turns all along the read');
      }),
      { numRuns: 25 },
    );
  });

  it('rests between slices only while other work waits on the event loop (the sealer), and goes at full speed when it is idle', async () => {
    const store = await storeWith(12);
    // Work costs 1 ms per event on this clock; a busy neighbour's every turn costs 5 ms on it.
    let clock = 0;
    const read = async (busy: boolean): Promise<{ events: number; ms: number }> => {
      let reading = true;
      const neighbour = () => {
        clock += 5;
        if (reading) setImmediate(neighbour);
      };
      if (busy) setImmediate(neighbour);
      const started = performance.now();
      let events = 0;
      for await (const event of readChainedEvents(store, { anchor: genesisAnchor, pageSize: 10_000, sliceMs: 10, restMs: 30, now: () => clock })) {
        assert.ok(event.hash);
        clock += 1;
        events += 1;
      }
      reading = false;
      return { events, ms: performance.now() - started };
    };
    const idle = await read(false);
    const busy = await read(true);
    assert.equal(idle.events, busy.events);
    // At least one slice per ten events, each followed by a 30 ms rest when the neighbour was busy.
    const slices = Math.floor(busy.events / 11);
    assert.ok(busy.ms >= slices * 30, `busy: ${busy.ms} ms for ${slices} slices`);
    assert.ok(idle.ms < slices * 30, `idle: ${idle.ms} ms, no rests`);
  });
});
