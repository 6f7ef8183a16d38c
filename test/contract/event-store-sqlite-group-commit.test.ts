/**
 * The SQLite store's group commit (a writer thread commits every append that arrived meanwhile in one
 * transaction and one fsync): concurrent appends are each durable once acknowledged, a conflicting one
 * is refused alone, and the hash the writer thread computes is exactly chainHash over any data.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { createEventRegistry } from '../../src/domain/events/registry.js';
import { RevisionConflictError } from '../../src/domain/errors.js';
import type { NewEvent, RecordedEvent } from '../../src/domain/ports.js';
import { chainHash, genesisHash } from '../../src/domain/evidence/event-hash.js';
import { openSqliteEventStore } from '../../src/adapters/eventstore/sqlite-event-store.js';
import { startSqliteWriter } from '../../src/adapters/eventstore/sqlite-writer.js';
import { storageFailure } from '../../src/adapters/eventstore/sqlite-errors.js';
import { LedgergateError } from '../../src/domain/errors.js';
import { authFailed, makeTempDir, metadataFor } from '../support/event-store-fixtures.js';
import { runTogether } from '../support/event-store-processes.js';

const registry = createEventRegistry();
let temp: { dir: string; remove(): Promise<void> };
let fileCounter = 0;
const freshFile = () => join(temp.dir, `group-${++fileCounter}.db`);

before(async () => {
  temp = await makeTempDir('sqlite-group-commit');
});
after(async () => {
  await temp.remove();
});

function assertChainIntact(events: readonly RecordedEvent[]): void {
  let prev = genesisHash;
  events.forEach((event, i) => {
    assert.equal(event.position, i + 1, 'positions are gap-free from 1');
    assert.equal(event.prevHash, prev, `prevHash of position ${event.position} is the previous hash`);
    assert.equal(event.hash, chainHash(prev, event), `hash of position ${event.position} recomputes`);
    prev = event.hash!;
  });
}

/** Rows as another connection sees them: committed, not just answered. */
function rowsOnDisk(file: string): { stream_name: string; revision: number; position: number; recorded_at: string }[] {
  const raw = new Database(file, { readonly: true });
  try {
    return raw.prepare('SELECT stream_name, revision, position, recorded_at FROM events ORDER BY position').all() as never;
  } finally {
    raw.close();
  }
}

describe('SQLite event store: group commit', () => {
  it('commits concurrent appends to different streams together, refusing only the one whose expected revision is stale', async () => {
    const file = freshFile();
    let readings = 0;
    const store = openSqliteEventStore({ file, registry, clock: () => new Date(Date.UTC(2030, 0, 1, 0, 0, readings++)) });
    await store.append('query-taken', [authFailed(0)], 'no_stream');
    await store.append('query-moving', [authFailed(0)], 'no_stream');

    const count = 20;
    const appends = Array.from({ length: count }, (_, i) => store.append(`query-g${i}`, [authFailed(i), authFailed(i + 100)], 'no_stream'));
    const stale = store.append('query-taken', [authFailed(1)], 'no_stream');
    const exact = store.append('query-moving', [authFailed(1)], 0);
    const settled = await Promise.allSettled([...appends, stale, exact]);

    const refused = settled.filter((s) => s.status === 'rejected');
    assert.equal(refused.length, 1, 'exactly one append refused');
    assert.ok(settled[count]?.status === 'rejected' && settled[count].reason instanceof RevisionConflictError, 'the stale one');
    const exactOutcome = settled[count + 1];
    assert.deepEqual(exactOutcome?.status === 'fulfilled' && exactOutcome.value, { nextExpectedRevision: 1, lastPosition: 2 * count + 3 });

    const onDisk = rowsOnDisk(file);
    assert.equal(onDisk.length, 2 + 2 * count + 1, 'every accepted event is committed, the refused one is not');
    const batch = onDisk.slice(2);
    assert.equal(new Set(batch.map((row) => row.recorded_at)).size, 1, 'appends issued together were committed in one transaction');
    for (let i = 0; i < count; i++) {
      const ours = onDisk.filter((row) => row.stream_name === `query-g${i}`);
      assert.deepEqual(ours.map((row) => row.revision), [0, 1]);
      const answered = settled[i]!.status === 'fulfilled' ? (settled[i] as PromiseFulfilledResult<{ lastPosition: number }>).value : undefined;
      assert.equal(answered?.lastPosition, ours[1]!.position, 'each append reports the position it got');
    }
    assertChainIntact(await store.readAll({ from: 0, maxCount: 1000 }));
    await store.close();
  });

  it('keeps the per-stream order of appends issued while a commit is in flight', async () => {
    const store = openSqliteEventStore({ file: freshFile(), registry });
    const first = store.append('query-order', [authFailed(0)], 'no_stream');
    await new Promise((resolve) => setImmediate(resolve));
    // The first batch is now with the writer thread; these queue for the next ones.
    const later = Array.from({ length: 5 }, (_, i) => store.append('query-order', [authFailed(i + 1)], i));
    const results = await Promise.all([first, ...later]);
    assert.deepEqual(results.map((r) => r.nextExpectedRevision), [0, 1, 2, 3, 4, 5]);
    const events = await store.readStream('query-order');
    assert.deepEqual(events.map((e) => (e.data as { suppressed: number }).suppressed), [0, 1, 2, 3, 4, 5]);
    await store.close();
  });

  it('leaves every acknowledged append on disk when the process is killed right after the acknowledgements', async () => {
    const file = freshFile();
    const setup = openSqliteEventStore({ file, registry });
    await setup.append('crash-taken', [authFailed(0, metadataFor('crash'))], 'no_stream');
    await setup.close();

    const count = 30;
    const [result] = await runTogether([['group', file, 'crash', String(count)]]);
    assert.equal(result?.outcome, 'killed-after-report');
    assert.equal(result?.taken, 'revision_conflict', 'the stale append was refused');
    const positions = result?.positions as (number | null)[];
    assert.equal(positions.filter((p) => p !== null).length, count, 'every other append was acknowledged');

    const onDisk = rowsOnDisk(file);
    for (let i = 0; i < count; i++) {
      const row = onDisk.find((r) => r.stream_name === `crash-${i}`);
      assert.equal(row?.position, positions[i], `acknowledged append ${i} is on disk at the position it was given`);
    }
    assert.equal(onDisk.filter((r) => r.stream_name === 'crash-taken').length, 1, 'the refused append left nothing');
    const reopened = openSqliteEventStore({ file, registry });
    assertChainIntact(await reopened.readAll({ from: 0, maxCount: 1000 }));
    await reopened.close();
  });

  it('hashes exactly as chainHash does, for any JSON the rows of a delivered result can hold', async () => {
    const store = openSqliteEventStore({ file: freshFile(), registry });
    const text = fc.string({ unit: 'binary', maxLength: 12 });
    // Keys where ordering or lookup is easy to get wrong: inherited names, integer-like keys (which
    // objects enumerate first), and characters whose UTF-16 order differs from their code point order.
    const awkward = fc.constantFrom('__proto__', 'constructor', 'toString', '10', '2', 'B', 'a', 'é', '😀', 'ｚ', '"__proto__"');
    const key = fc.oneof(text, awkward);
    const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }), awkward);
    const row = fc.dictionary(key, value, { maxKeys: 4 });
    const delivered = (rows: Record<string, unknown>[], requestId: string): NewEvent => ({
      type: 'ResultDelivered',
      data: { requestId, columns: [{ name: 'c', type: 'JSON' }], rows, rowCount: rows.length, truncated: false, bytesProcessed: 0, resultHash: 'a'.repeat(64) },
      metadata: metadataFor(requestId),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(row, { maxLength: 3 }), { minLength: 1, maxLength: 4 }), async (batches) => {
        run += 1;
        const requestId = `r-${run}`;
        // Issued together, so several appends share one writer-thread transaction.
        await Promise.all(batches.map((rows, i) => store.append(`query-p${run}-${i}`, [delivered(rows, requestId)], 'no_stream')));
      }),
      { numRuns: 40 },
    );
    const events = await store.readAll({ from: 0, maxCount: 10_000 });
    assert.ok(events.length >= 40);
    assertChainIntact(events);
    await store.close();
  });

  it('reports a writer thread that cannot open its file as the store being unavailable, for every append waiting on it', async () => {
    // A directory cannot be opened as a database: the thread starts, fails to open, and says why.
    const writer = startSqliteWriter({ file: temp.dir, busyTimeoutMs: 100 }, () => new Date());
    const append = { stream: 'query-x', streamCanonical: '"query-x"', expected: 'any' as const, events: [] };
    const outcomes = await Promise.allSettled([writer.append(append), writer.append({ ...append, stream: 'query-y' })]);
    for (const outcome of outcomes) {
      assert.equal(outcome.status, 'rejected');
      const mapped = storageFailure(temp.dir, (outcome as PromiseRejectedResult).reason);
      assert.ok(mapped instanceof LedgergateError && mapped.code === 'store_unavailable', String(mapped));
    }
    await writer.close();
  });
});

