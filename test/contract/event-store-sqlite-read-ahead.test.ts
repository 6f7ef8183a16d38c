/**
 * The SQLite store's rebuild read reads the next page on a thread of its own while the caller folds
 * the current one (sqlite-read-ahead.ts). Whatever the page size, and with appends landing while a
 * page is being read ahead, a caller paging through the log gets every event exactly once, in order,
 * with the data readAll gives: a page read ahead is used only when it is full and is exactly the page
 * asked for. The thread is an operating-system thread of this process; it goes away once the reader
 * has caught up and when the store closes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/adapters/eventstore/sqlite-event-store.js';
import { isLedgergateError } from '../../src/domain/errors.js';
import { createEventRegistry } from '../../src/domain/events/registry.js';
import type { FoldableEvent, RecordedEvent } from '../../src/domain/ports.js';
import { unreadByReadModels } from '../../src/projections/unread-data.js';
import { makeTempDir, sleep } from '../support/event-store-fixtures.js';
import { richLifecycle } from '../support/rich-lifecycles.js';

/** Threads of this process, as the kernel counts them. */
const threadCount = (): number => Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);

async function threadsSettleAt(expected: number): Promise<number> {
  for (let waited = 0; waited < 5000 && threadCount() !== expected; waited += 20) await sleep(20);
  return threadCount();
}

let lifecycleNumber = 0;
async function appendLifecycles(store: SqliteEventStore, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const { stream, events } = richLifecycle(lifecycleNumber++);
    await store.append(stream, events, 'no_stream');
  }
}

/** What the rebuild read must hand over for a full event: its data minus the members declared unread. */
function expectedData(event: RecordedEvent): unknown {
  const unread = unreadByReadModels[event.type];
  if (unread === undefined || unread === '*') return event.data;
  const expected = { ...(event.data as Record<string, unknown>) };
  for (const member of unread) delete expected[member];
  return expected;
}

function assertSameLog(read: readonly FoldableEvent[], log: readonly RecordedEvent[]): void {
  assert.deepEqual(read.map((e) => e.position), log.map((e) => e.position), 'every event once, in order');
  read.forEach((event, i) => {
    const full = log[i] as RecordedEvent;
    assert.deepEqual([event.streamName, event.type, event.metadata.occurredAt], [full.streamName, full.type, full.metadata.occurredAt]);
    assert.deepEqual(event.data, expectedData(full));
  });
}

type Step =
  | { kind: 'read'; otherSize: boolean }
  | { kind: 'readElsewhere'; at: number }
  | { kind: 'append'; lifecycles: number }
  | { kind: 'pause' };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('read' as const), otherSize: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('readElsewhere' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('append' as const), lifecycles: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'pause' as const }) },
);

describe('SQLite store: the rebuild read reads ahead', () => {
  it('hands over every event exactly once, in order, whatever the page size and the appends landing meanwhile', async () => {
    const temp = await makeTempDir('sqlite-read-ahead');
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 6 }), fc.array(stepArbitrary, { maxLength: 25 }), async (pageSize, initial, steps) => {
          const store = openSqliteEventStore({ file: join(temp.dir, `events-${run++}.sqlite`), registry: createEventRegistry() });
          const read = store.readForProjections;
          assert.ok(read);
          try {
            await appendLifecycles(store, initial);
            const got: FoldableEvent[] = [];
            let from = 0;
            // Every page is exactly the page readAll gives at that moment (nothing is appended meanwhile):
            // a page read ahead is never shorter, older, elsewhere or of another size than the one asked for.
            const pageAt = async (at: number, size: number) => {
              const page = await read({ from: at, maxCount: size, unread: unreadByReadModels });
              assertSameLog(page, await store.readAll({ from: at, maxCount: size }));
              return page;
            };
            const readPage = async (size: number) => {
              const page = await pageAt(from, size);
              got.push(...page);
              from = page.at(-1)?.position ?? from;
              return page.length;
            };
            for (const step of steps) {
              if (step.kind === 'append') await appendLifecycles(store, step.lifecycles);
              // Long enough for the thread (tens of milliseconds to start) to have read ahead before the next append.
              else if (step.kind === 'pause') await sleep(80);
              else if (step.kind === 'readElsewhere') await pageAt(Math.floor(step.at * (await store.headPosition())), pageSize);
              // A read of another size drops the page read ahead: it is not that page.
              else await readPage(step.otherSize ? pageSize + 1 : pageSize);
            }
            while ((await readPage(pageSize)) > 0);
            assertSameLog(got, await store.readAll({ from: 0, maxCount: 100_000 }));
          } finally {
            await store.close();
          }
        }),
        { numRuns: 30 },
      );
    } finally {
      await temp.remove();
    }
  });

  it('does not hand over a short page read ahead once more events have been committed after it', async () => {
    const temp = await makeTempDir('sqlite-read-ahead-short');
    const store = openSqliteEventStore({ file: join(temp.dir, 'events.sqlite'), registry: createEventRegistry() });
    const read = store.readForProjections;
    assert.ok(read);
    try {
      await appendLifecycles(store, 2);
      const head = await store.headPosition();
      const size = head - 2;
      // A full page leaves two events: the page read ahead after it holds those two only.
      assert.equal((await read({ from: 0, maxCount: size, unread: unreadByReadModels })).length, size);
      await sleep(300);
      await appendLifecycles(store, 2);
      const next = await read({ from: size, maxCount: size, unread: unreadByReadModels });
      assertSameLog(next, await store.readAll({ from: size, maxCount: size }));
      assert.equal(next.length, size, 'the events committed since are on the page');
    } finally {
      await store.close();
      await temp.remove();
    }
  });

  it('runs a thread only while there is a backlog, and none after the reader caught up or the store closed', async () => {
    const temp = await makeTempDir('sqlite-read-ahead-thread');
    const store = openSqliteEventStore({ file: join(temp.dir, 'events.sqlite'), registry: createEventRegistry() });
    try {
      await appendLifecycles(store, 8);
      const idle = threadCount();
      const read = store.readForProjections;
      assert.ok(read);
      const first = await read({ from: 0, maxCount: 5, unread: unreadByReadModels });
      assert.equal(first.length, 5);
      assert.equal(threadCount(), idle + 1, 'a full page starts the thread that reads the next');
      let from = 5;
      for (let page = await read({ from, maxCount: 5 }); page.length > 0; page = await read({ from, maxCount: 5 })) from = page.at(-1)?.position ?? from;
      assert.equal(await threadsSettleAt(idle), idle, 'caught up: the thread is gone');

      await read({ from: 0, maxCount: 5 });
      assert.equal(threadCount(), idle + 1);
      await store.close();
      assert.ok(threadCount() < idle, 'closed: neither the writer nor the read-ahead thread is left');
      await assert.rejects(read({ from: 5, maxCount: 5 }), (error) => isLedgergateError(error) && error.code === 'store_unavailable');
    } finally {
      await store.close();
      await temp.remove();
    }
  });
});
