/**
 * The evidence contract every EventStore adapter passes: what the sealer appends and the exporter
 * writes from that store verifies offline, and tampering with the store's log is caught. Run it for
 * an adapter with `evidenceContract('sqlite', async () => ({ store, cleanup }))`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openKeyStore } from '../../src/adapters/evidence/key-store.js';
import { startSealer } from '../../src/adapters/evidence/sealer.js';
import { writeEvidenceBundle } from '../../src/adapters/evidence/export.js';
import type { EvidenceBundle } from '../../src/domain/evidence/bundle.js';
import { sealStreamName } from '../../src/domain/evidence/seal.js';
import { verifyBundle } from '../../src/domain/evidence/verify.js';
import type { EventStore } from '../../src/domain/ports.js';
import { appendRequests } from '../unit/evidence/fixtures.js';

export interface StoreUnderTest {
  readonly store: EventStore;
  cleanup(): Promise<void>;
}

export function evidenceContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`evidence contract: ${name}`, () => {
    const scenario = async <T>(work: (store: EventStore, dataDir: string) => Promise<T>): Promise<T> => {
      const dataDir = await mkdtemp(join(tmpdir(), 'ledgergate-evidence-contract-'));
      const { store, cleanup } = await open();
      try {
        return await work(store, dataDir);
      } finally {
        await store.close().catch(() => undefined);
        await cleanup();
        await rm(dataDir, { recursive: true, force: true });
      }
    };

    it('seals, exports and verifies; a second sealer on the same store never double-seals', async () => {
      await scenario(async (store, dataDir) => {
        const signer = await openKeyStore({ dataDir });
        const options = { store, signer, everyEvents: 1e9, everyMs: 1e9, pollMs: 1e9, clock: () => new Date(), onError: () => {} };
        const [a, b] = [startSealer(options), startSealer(options)];
        for (let round = 0; round < 3; round++) {
          await appendRequests(store, 3, `c${round}-`);
          await Promise.all([a.sealNow(), b.sealNow()]);
        }
        await Promise.all([a.stop(), b.stop()]);
        const seals = await store.readStream(sealStreamName);
        assert.equal(seals.length, 3);

        let text = '';
        await writeEvidenceBundle({ store, signer, gatewayVersion: 'contract', out: (chunk) => void (text += chunk) });
        const bundle = JSON.parse(text) as EvidenceBundle;
        const report = await verifyBundle(bundle);
        assert.equal(report.firstFailure, undefined);
        assert.equal(report.summary.seals.fullyVerified, 3);
        const everything = await store.readAll({ from: 0, maxCount: 100_000 });
        assert.equal(bundle.events.length, everything.length, 'every event of the store is in the bundle');
        assert.deepEqual(bundle.events.map((e) => e.position), everything.map((_, i) => i + 1), 'numbered by the evidence sequence');
      });
    });

    it('exports a part of the log by evidence number and by period; each verifies', async () => {
      await scenario(async (store, dataDir) => {
        const signer = await openKeyStore({ dataDir });
        const sealer = startSealer({ store, signer, everyEvents: 1e9, everyMs: 1e9, pollMs: 1e9, clock: () => new Date(), onError: () => {} });
        await appendRequests(store, 3, 'p0-');
        await sealer.sealNow();
        await new Promise((resolve) => setTimeout(resolve, 20));
        const middle = new Date();
        await new Promise((resolve) => setTimeout(resolve, 20));
        await appendRequests(store, 3, 'p1-');
        await sealer.sealNow();
        await appendRequests(store, 2, 'p2-');
        await sealer.stop();
        const exportText = async (range: { fromPosition?: number; toPosition?: number; from?: Date }) => {
          let text = '';
          await writeEvidenceBundle({ store, signer, gatewayVersion: 'contract', ...range, out: (chunk) => void (text += chunk) });
          return JSON.parse(text) as EvidenceBundle;
        };
        const byNumber = await exportText({ fromPosition: 5, toPosition: 12 });
        assert.deepEqual(byNumber.events.map((e) => e.position), [5, 6, 7, 8, 9, 10, 11, 12]);
        assert.equal((await verifyBundle(byNumber)).firstFailure, undefined);
        const byPeriod = await exportText({ from: middle });
        assert.ok(byPeriod.events.length > 0 && byPeriod.events.every((e) => Date.parse(e.recordedAt) >= middle.getTime()));
        const report = await verifyBundle(byPeriod);
        assert.equal(report.firstFailure, undefined);
        assert.ok(report.summary.seals.count >= 1);
      });
    });
  });
}
