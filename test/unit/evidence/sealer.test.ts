import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { openKeyStore } from '../../../src/adapters/evidence/key-store.js';
import { startSealer } from '../../../src/adapters/evidence/sealer.js';
import { LedgergateError } from '../../../src/domain/errors.js';
import { genesisHash } from '../../../src/domain/evidence/event-hash.js';
import { merkleRootOfHashes } from '../../../src/domain/evidence/merkle.js';
import { sealHash, sealStreamName } from '../../../src/domain/evidence/seal.js';
import type { Sealed } from '../../../src/domain/events/system-events.js';
import { appendRequests, steppingClock, withTempDir } from './fixtures.js';
import { createMemoryEventStore } from '../../support/memory-event-store.js';
import { manualSealer } from './scenario.js';

const sealsOf = async (store: ReturnType<typeof createMemoryEventStore>) =>
  (await store.readStream(sealStreamName)).map((e) => ({ position: e.position, data: e.data as Sealed }));

describe('evidence sealer', () => {
  it('seals the events since the last seal: range, count, Merkle root, last hash, previous seal', async () => {
    await withTempDir(async (dir) => {
      const clock = steppingClock();
      const store = createMemoryEventStore({ clock });
      const signer = await openKeyStore({ dataDir: dir });
      const sealer = manualSealer(store, signer, clock);
      await appendRequests(store, 2); // 4 + 3 events
      await sealer.sealNow();
      await appendRequests(store, 1, 'x'); // 4 events
      await sealer.sealNow();
      await sealer.stop();

      const [first, second] = await sealsOf(store);
      assert.ok(first && second);
      assert.deepEqual([first.data.fromPosition, first.data.toPosition, first.data.count, first.position], [1, 7, 7, 8]);
      assert.equal(first.data.merkleRoot, merkleRootOfHashes(store.log.slice(0, 7).map((e) => e.hash as string)));
      assert.equal(first.data.lastEventHash, store.log[6]?.hash);
      assert.equal(first.data.previousSealHash, undefined);
      assert.equal(first.data.keyId, signer.keyId());
      assert.deepEqual([second.data.fromPosition, second.data.toPosition, second.data.count], [8, 12, 5], 'the first seal event is covered by the next');
      assert.equal(second.data.previousSealHash, sealHash(first.data));
      assert.notEqual(store.log[0]?.prevHash, undefined);
      assert.equal(store.log[0]?.prevHash, genesisHash);
    });
  });

  it('does not seal when nothing but its own last seal is new, nor an empty log', async () => {
    await withTempDir(async (dir) => {
      const clock = steppingClock();
      const store = createMemoryEventStore({ clock });
      const sealer = manualSealer(store, await openKeyStore({ dataDir: dir }), clock);
      await sealer.sealNow();
      assert.equal(store.log.length, 0);
      await appendRequests(store, 1);
      await sealer.sealNow();
      await sealer.sealNow();
      await sealer.sealNow();
      await sealer.stop();
      assert.equal((await sealsOf(store)).length, 1);
    });
  });

  it('two gateways sealing the same store at once never seal the same range twice', async () => {
    await withTempDir(async (dir) => {
      const clock = steppingClock();
      const store = createMemoryEventStore({ clock });
      const signer = await openKeyStore({ dataDir: dir });
      const a = manualSealer(store, signer, clock);
      const b = manualSealer(store, signer, clock);
      for (let round = 0; round < 4; round++) {
        await appendRequests(store, 2, `round${round}-`);
        await Promise.all([a.sealNow(), b.sealNow(), a.sealNow()]);
      }
      await Promise.all([a.stop(), b.stop()]);
      const seals = await sealsOf(store);
      assert.ok(seals.length >= 4);
      for (let i = 1; i < seals.length; i++) {
        const [previous, current] = [seals[i - 1], seals[i]];
        assert.equal(current?.data.fromPosition, (previous?.data.toPosition ?? 0) + 1, 'contiguous, no overlap');
        assert.equal(current?.data.previousSealHash, sealHash(previous?.data as Sealed));
      }
    });
  });

  it('seals on its own once everyEvents events are waiting', async () => {
    await withTempDir(async (dir) => {
      const clock = steppingClock();
      const store = createMemoryEventStore({ clock });
      const errors: unknown[] = [];
      const sealer = startSealer({
        store, signer: await openKeyStore({ dataDir: dir }), everyEvents: 5, everyMs: 1e9, pollMs: 5, clock, onError: (e) => errors.push(e),
      });
      await appendRequests(store, 1); // 4 events: not yet due
      await sleep(60);
      assert.equal((await sealsOf(store)).length, 0);
      await appendRequests(store, 1, 'y'); // 8 waiting
      for (let i = 0; i < 100 && (await sealsOf(store)).length === 0; i++) await sleep(10);
      await sealer.stop();
      assert.deepEqual(errors, []);
      assert.equal((await sealsOf(store))[0]?.data.toPosition, 8);
    });
  });

  it('seals on its own once everyMs has passed since the last seal', async () => {
    await withTempDir(async (dir) => {
      let now = Date.parse('2024-03-01T00:00:00Z');
      const clock = () => new Date(now);
      const store = createMemoryEventStore({ clock });
      const sealer = startSealer({
        store, signer: await openKeyStore({ dataDir: dir }), everyEvents: 1e6, everyMs: 60_000, pollMs: 5, clock, onError: () => {},
      });
      await appendRequests(store, 1);
      await sleep(40);
      assert.equal((await sealsOf(store)).length, 0, 'not before a minute has passed');
      now += 61_000;
      for (let i = 0; i < 100 && (await sealsOf(store)).length === 0; i++) await sleep(10);
      await sealer.stop();
      assert.equal((await sealsOf(store)).length, 1);
    });
  });

  it('refuses to sign a log whose stored chain was tampered with, and reports it through onError', async () => {
    await withTempDir(async (dir) => {
      const clock = steppingClock();
      const store = createMemoryEventStore({ clock });
      const signer = await openKeyStore({ dataDir: dir });
      await appendRequests(store, 2);
      const victim = store.log[3] as { data: Record<string, unknown> };
      victim.data = { ...victim.data, rule: 'edited in the database' };
      const sealer = manualSealer(store, signer, clock);
      await assert.rejects(sealer.sealNow(), (e: unknown) => e instanceof LedgergateError && /position 4/.test(e.message));
      const errors: unknown[] = [];
      const timed = startSealer({ store, signer, everyEvents: 1, everyMs: 1e9, pollMs: 5, clock, onError: (e) => errors.push(e) });
      for (let i = 0; i < 100 && errors.length === 0; i++) await sleep(10);
      await Promise.all([sealer.stop(), timed.stop()]);
      assert.ok(errors[0] instanceof LedgergateError);
      assert.equal((await sealsOf(store)).length, 0);
    });
  });
});
