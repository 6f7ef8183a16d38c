/**
 * Evidence on EventStoreDB, over real gRPC against the wire-level peer: byte-offset positions, system,
 * link and other applications' events interleaved. The shared evidence contract, then what only a
 * shared database shows: a changed event after its seal, and a forged seal.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEsdbEventStore } from '../../src/adapters/eventstore/esdb-event-store.js';
import { openKeyStore } from '../../src/adapters/evidence/key-store.js';
import { startSealer } from '../../src/adapters/evidence/sealer.js';
import { writeEvidenceBundle } from '../../src/adapters/evidence/export.js';
import { createEventRegistry } from '../../src/domain/events/registry.js';
import type { EvidenceBundle } from '../../src/domain/evidence/bundle.js';
import { sealStreamName } from '../../src/domain/evidence/seal.js';
import { verifyBundle } from '../../src/domain/evidence/verify.js';
import { evidenceContract } from './evidence-contract.js';
import { startEsdbPeer, type EsdbPeer } from '../support/esdb-peer.js';
import { appendRequests } from '../unit/evidence/fixtures.js';
import { metadataFor } from '../support/event-store-fixtures.js';

const registry = createEventRegistry();

describe('evidence on the EventStoreDB peer', () => {
  let peer: EsdbPeer;
  before(async () => {
    peer = await startEsdbPeer({ systemProjections: true });
  });
  after(() => peer.close());

  // Each contract test gets a fresh peer of its own, so "every event of the store" means this test's.
  evidenceContract('EventStoreDB peer', async () => {
    const own = await startEsdbPeer({ systemProjections: true });
    own.appendForeign('orders-1', 'OrderPlaced', { orderId: 1 });
    const store = openEsdbEventStore({ connectionString: own.connectionString, registry });
    const noise = setInterval(() => own.appendForeign('orders-2', 'OrderShipped', { at: Date.now() }), 5);
    return {
      store,
      async cleanup() {
        clearInterval(noise);
        await own.close();
      },
    };
  });

  it('a changed event after its seal fails verification at that event; a forged seal stops the sealer', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ledgergate-evidence-esdb-'));
    const store = openEsdbEventStore({ connectionString: peer.connectionString, registry });
    const errors: unknown[] = [];
    try {
      const signer = await openKeyStore({ dataDir });
      const sealer = startSealer({ store, signer, everyEvents: 1e9, everyMs: 1e9, pollMs: 1e9, clock: () => new Date(), onError: (e) => errors.push(e) });
      await appendRequests(store, 2, 't0-');
      peer.appendForeign('orders-3', 'OrderPlaced', { orderId: 3 });
      await sealer.sealNow();
      const exported = async () => {
        let text = '';
        await writeEvidenceBundle({ store, signer, gatewayVersion: 'contract', out: (chunk) => void (text += chunk) });
        return JSON.parse(text) as EvidenceBundle;
      };
      assert.equal((await verifyBundle(await exported())).firstFailure, undefined);

      // Someone with write access changes what an agent asked for (the store keeps its position).
      const target = peer.records().find((r) => r.type === 'QueryRequested')!;
      const original = JSON.parse(target.data.toString()) as Record<string, unknown>;
      peer.tamper(target.position, { ...original, sql: 'SELECT 1 AS harmless' });
      const changed = await verifyBundle(await exported());
      assert.equal(changed.ok, false);
      assert.equal(changed.firstFailure?.kind, 'seal');
      assert.match(changed.firstFailure?.message ?? '', /Merkle root|lastEventHash/);
      peer.tamper(target.position, original);

      // A Sealed event written with someone else's key must not become the sealer's anchor.
      const [genuine] = (await store.readStream(sealStreamName)).slice(-1);
      const forgedSeal = { ...(genuine!.data as Record<string, unknown>), fromPosition: 1, toPosition: 999, count: 999 };
      await store.append(sealStreamName, [{ type: 'Sealed', data: forgedSeal, metadata: metadataFor('forged') }], genuine!.revision);
      await appendRequests(store, 1, 't1-');
      await assert.rejects(sealer.sealNow(), /not signed by this gateway's keys/);
      await sealer.stop();
    } finally {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
