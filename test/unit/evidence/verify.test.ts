import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openKeyStore } from '../../../src/adapters/evidence/key-store.js';
import { chainHash } from '../../../src/domain/evidence/event-hash.js';
import { verifyBundle } from '../../../src/domain/evidence/verify.js';
import { policyHashA, withTempDir } from './fixtures.js';
import { copyOf, exportBundle, sealedLog, verifyTampered, type TamperableEvent } from './scenario.js';

/** Re-chains every event from index `from` on, as an attacker with write access to the log would. */
function rehashFrom(events: TamperableEvent[], from: number): void {
  for (let i = from; i < events.length; i++) {
    const event = events[i] as TamperableEvent;
    event.prevHash = i === 0 ? event.prevHash : (events[i - 1] as TamperableEvent).hash;
    event.hash = chainHash(event.prevHash, event as never);
  }
}

const indexOf = (events: TamperableEvent[], position: number) => events.findIndex((e) => e.position === position);

describe('evidence bundle verification', () => {
  it('an intact bundle verifies and summarises the period', async () => {
    await withTempDir(async (dir) => {
      const scenario = await sealedLog(dir);
      const bundle = await exportBundle(scenario);
      assert.equal(bundle.events.length, 52);
      const report = await verifyBundle(bundle);
      assert.equal(report.firstFailure, undefined);
      assert.equal(report.ok, true);
      const s = report.summary;
      assert.equal(s.eventCount, 52);
      assert.equal(s.requests, 12);
      assert.deepEqual(s.requestsByDecision, { allow: 6, deny: 3, approve: 3 });
      assert.equal(s.approvals, 3);
      assert.equal(s.maskedColumns, 9);
      assert.deepEqual(s.policyVersions, [policyHashA]);
      assert.equal(s.seals.count, 3);
      assert.equal(s.seals.fullyVerified, 3);
      assert.equal(s.seals.unsealedTail, 1, 'only the last seal event itself is not yet sealed');
      assert.deepEqual(s.keyIds, [scenario.signer.keyId()]);
      assert.deepEqual(s.period, { from: bundle.manifest.from, to: bundle.manifest.to, fromPosition: 1, toPosition: 52 });
    });
  });

  it("an event whose data was edited fails at that event's position, naming its stream and type", async () => {
    await withTempDir(async (dir) => {
      const bundle = copyOf(await exportBundle(await sealedLog(dir)));
      const target = bundle.events[indexOf(bundle.events, 10)] as TamperableEvent;
      target.data.rule = 'rule-edited';
      const report = await verifyTampered(bundle);
      assert.equal(report.ok, false);
      assert.equal(report.firstFailure?.kind, 'event');
      assert.equal(report.firstFailure?.position, 10);
      assert.equal(report.firstFailure?.streamName, target.streamName);
      assert.equal(report.firstFailure?.type, target.type);
      assert.match(report.firstFailure?.message ?? '', /modified/);
    });
  });

  it('an edit with every later hash recomputed still fails, at the seal covering it', async () => {
    await withTempDir(async (dir) => {
      const bundle = copyOf(await exportBundle(await sealedLog(dir)));
      const index = indexOf(bundle.events, 25);
      (bundle.events[index] as TamperableEvent).data.rule = 'rule-edited';
      rehashFrom(bundle.events, index);
      const report = await verifyTampered(bundle);
      assert.equal(report.ok, false);
      assert.equal(report.firstFailure?.kind, 'seal');
      assert.equal(report.firstFailure?.position, 35, 'the seal at 35 covers 18–34');
      assert.match(report.firstFailure?.message ?? '', /Merkle root|lastEventHash/);
      assert.ok(report.failures.some((f) => f.kind === 'manifest' && /lastHash/.test(f.message)));
    });
  });

  it('a deleted event fails at its position', async () => {
    await withTempDir(async (dir) => {
      const bundle = copyOf(await exportBundle(await sealedLog(dir)));
      bundle.events.splice(indexOf(bundle.events, 20), 1);
      const report = await verifyTampered(bundle);
      assert.equal(report.firstFailure?.kind, 'event');
      assert.equal(report.firstFailure?.position, 20);
      assert.match(report.firstFailure?.message ?? '', /missing/);
    });
  });

  it('two swapped events fail at the first of the two positions', async () => {
    await withTempDir(async (dir) => {
      const bundle = copyOf(await exportBundle(await sealedLog(dir)));
      const i = indexOf(bundle.events, 30);
      [bundle.events[i], bundle.events[i + 1]] = [bundle.events[i + 1] as TamperableEvent, bundle.events[i] as TamperableEvent];
      const report = await verifyTampered(bundle);
      assert.equal(report.firstFailure?.kind, 'event');
      assert.equal(report.firstFailure?.position, 30);
    });
  });

  it('swapped events renumbered into order fail at the first of the two, by content', async () => {
    await withTempDir(async (dir) => {
      const bundle = copyOf(await exportBundle(await sealedLog(dir)));
      const i = indexOf(bundle.events, 30);
      const [a, b] = [bundle.events[i] as TamperableEvent, bundle.events[i + 1] as TamperableEvent];
      [a.position, b.position] = [b.position, a.position];
      [bundle.events[i], bundle.events[i + 1]] = [b, a];
      const report = await verifyTampered(bundle);
      assert.equal(report.firstFailure?.position, 30);
      assert.match(report.firstFailure?.message ?? '', /modified/);
    });
  });

  it('an inserted event, even one correctly chained to its predecessor, fails at its position', async () => {
    await withTempDir(async (dir) => {
      const bundle = copyOf(await exportBundle(await sealedLog(dir)));
      const i = indexOf(bundle.events, 40);
      const forged = structuredClone(bundle.events[i] as TamperableEvent);
      forged.data.rule = 'forged';
      forged.hash = chainHash(forged.prevHash, forged as never);
      bundle.events.splice(i, 0, forged);
      const report = await verifyTampered(bundle);
      assert.equal(report.firstFailure?.kind, 'event');
      assert.equal(report.firstFailure?.position, 40);
      assert.match(report.firstFailure?.message ?? '', /appears again|inserted/);
    });
  });

  it('a dropped tail fails on the manifest at the first missing position', async () => {
    await withTempDir(async (dir) => {
      const bundle = copyOf(await exportBundle(await sealedLog(dir)));
      bundle.events.splice(indexOf(bundle.events, 45));
      const report = await verifyTampered(bundle);
      assert.equal(report.firstFailure?.kind, 'manifest');
      assert.equal(report.firstFailure?.position, 45);
      assert.match(report.firstFailure?.message ?? '', /45–52 are missing/);
    });
  });

  it('a changed manifest fails its signature', async () => {
    await withTempDir(async (dir) => {
      const bundle = copyOf(await exportBundle(await sealedLog(dir)));
      bundle.manifest.gatewayVersion = '9.9.9';
      const report = await verifyTampered(bundle);
      assert.equal(report.firstFailure?.kind, 'manifest');
      assert.match(report.firstFailure?.message ?? '', /signature/);
    });
  });

  it('a signature respelt in its unused trailing bits (decoding to the same bytes) fails, for the manifest and for a seal', async () => {
    // An Ed25519 or P-256 signature is 64 bytes: 86 base64url characters whose last carries 2 unused bits.
    const respell = (jws: string): string => {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(jws.at(-1) as string);
      const changed = `${jws.slice(0, -1)}${alphabet[last ^ 1]}`;
      assert.deepEqual(Buffer.from(changed.split('.')[2] as string, 'base64url'), Buffer.from(jws.split('.')[2] as string, 'base64url'), 'same bytes');
      return changed;
    };
    await withTempDir(async (dir) => {
      const bundle = copyOf(await exportBundle(await sealedLog(dir)));
      bundle.manifestSignature = respell(bundle.manifestSignature);
      const report = await verifyTampered(bundle);
      assert.equal(report.firstFailure?.kind, 'manifest');
      assert.match(report.firstFailure?.message ?? '', /canonical base64url/);
    });
    await withTempDir(async (dir) => {
      const bundle = copyOf(await exportBundle(await sealedLog(dir)));
      const seal = bundle.seals[1] as { position: number; data: Record<string, unknown> };
      seal.data.signature = respell(seal.data.signature as string);
      const report = await verifyTampered(bundle);
      assert.equal(report.ok, false);
      assert.ok(report.failures.some((f) => f.kind === 'seal' && /canonical base64url/.test(f.message)), JSON.stringify(report.failures));
    });
  });

  it("a changed member of a bundle key that the thumbprint does not cover (alg, use, a member's name) fails", async () => {
    const edits: ((key: Record<string, unknown>) => void)[] = [
      (key) => (key.alg = 'FS256'),
      (key) => (key.use = 'enc'),
      (key) => {
        key.usf = key.use;
        delete key.use;
      },
    ];
    for (const edit of edits) {
      await withTempDir(async (dir) => {
        const bundle = copyOf(await exportBundle(await sealedLog(dir)));
        edit(bundle.keys.keys[0] as Record<string, unknown>);
        const report = await verifyTampered(bundle);
        assert.equal(report.ok, false);
        assert.match(report.firstFailure?.message ?? '', /key .* in the bundle/);
      });
    }
  });

  it("a seal's tampered root fails naming that seal", async () => {
    await withTempDir(async (dir) => {
      const bundle = copyOf(await exportBundle(await sealedLog(dir)));
      const seal = bundle.seals.find((s) => s.position === 52);
      assert.ok(seal);
      seal.data.merkleRoot = 'f'.repeat(64);
      const report = await verifyTampered(bundle);
      assert.equal(report.firstFailure?.kind, 'seal');
      assert.equal(report.firstFailure?.position, 52);
      assert.match(report.firstFailure?.message ?? '', /seal at position 52/);
      assert.ok(report.failures.some((f) => f.position === 52 && /Merkle root/.test(f.message)));
    });
  });

  it("a seal's signature taken from another seal fails naming that seal", async () => {
    await withTempDir(async (dir) => {
      const bundle = copyOf(await exportBundle(await sealedLog(dir)));
      const [first, second] = bundle.seals;
      assert.ok(first && second);
      second.data.signature = first.data.signature;
      const report = await verifyTampered(bundle);
      assert.equal(report.firstFailure?.kind, 'seal');
      assert.equal(report.firstFailure?.position, second.position);
      assert.match(report.firstFailure?.message ?? '', /signs different content/);
    });
  });

  it('a seal removed from the seal list breaks the seal chain', async () => {
    await withTempDir(async (dir) => {
      const bundle = copyOf(await exportBundle(await sealedLog(dir)));
      const removed = bundle.seals.splice(1, 1)[0];
      const report = await verifyTampered(bundle);
      assert.equal(report.ok, false);
      assert.equal(report.firstFailure?.kind, 'seal');
      assert.ok(report.failures.some((f) => f.position === removed?.position && /missing from the seal list/.test(f.message)));
      assert.ok(report.failures.some((f) => /seal chain broken|seal missing/.test(f.message)));
    });
  });

  it('verifies across a key rotation between seals', async () => {
    await withTempDir(async (dir) => {
      const scenario = await sealedLog(dir, { rotateAfter: 1 });
      const bundle = await exportBundle(scenario);
      const report = await verifyBundle(bundle);
      assert.equal(report.firstFailure, undefined);
      assert.equal(new Set(bundle.seals.map((s) => s.data.keyId)).size, 2);
      assert.equal(report.summary.keyIds.length, 2);
      assert.equal(bundle.keys.keys.length, 2);
    });
  });

  it('fails when the signing keys are foreign to the bundle or to the keys the auditor trusts', async () => {
    await withTempDir(async (dir) => {
      const scenario = await sealedLog(dir);
      const bundle = await exportBundle(scenario);
      const foreign = await openKeyStore({ dataDir: `${dir}/other` });
      const foreignKeys = await foreign.publicKeys();

      const swappedKeys = copyOf(bundle);
      swappedKeys.keys = foreignKeys;
      const report = await verifyTampered(swappedKeys);
      assert.equal(report.firstFailure?.kind, 'seal');
      assert.match(report.firstFailure?.message ?? '', /not among the bundle's keys/);

      const spoofedKid = copyOf(bundle);
      spoofedKid.keys = { keys: [{ ...foreignKeys.keys[0], kid: scenario.signer.keyId() }] };
      assert.match((await verifyTampered(spoofedKid)).firstFailure?.message ?? '', /different key/);

      // A whole log forged and signed by someone else verifies on its own, but not against pinned keys.
      const forged = await exportBundle({ ...scenario, signer: foreign });
      assert.equal((await verifyBundle(forged)).ok, false, 'its seals are still signed by the real key');
      const pinned = await verifyBundle(bundle, { trustedKeys: foreignKeys });
      assert.equal(pinned.ok, false);
      assert.match(pinned.firstFailure?.message ?? '', /not one of the trusted keys/);
      assert.equal((await verifyBundle(bundle, { trustedKeys: await scenario.signer.publicKeys() })).ok, true);
    });
  });

  it('a bundle starting mid-log verifies, with the seals reaching outside it reported as partial', async () => {
    await withTempDir(async (dir) => {
      const scenario = await sealedLog(dir, { unsealedRequests: 2 });
      const bundle = await exportBundle(scenario, { fromPosition: 10, toPosition: 40 });
      assert.equal(bundle.events[0]?.position, 10);
      const report = await verifyBundle(bundle);
      assert.equal(report.firstFailure, undefined);
      assert.equal(report.summary.seals.count, 3, 'seals covering 1–17, 18–34 and 35–51 all touch 10–40');
      assert.equal(report.summary.seals.fullyVerified, 1);
      assert.equal(report.summary.seals.partiallyVerified, 2);
      assert.equal(report.summary.seals.notes.length, 2);
      assert.deepEqual(report.summary.policyVersions, [policyHashA], 'the policy activated before the range is in force');
    });
  });

  it('a log without stored hashes (EventStoreDB) is chained by the sealer and the export, and verifies', async () => {
    await withTempDir(async (dir) => {
      const scenario = await sealedLog(dir, { withoutHashes: true, unsealedRequests: 1 });
      assert.equal(scenario.store.log[0]?.hash, undefined);
      const whole = await exportBundle(scenario);
      assert.equal((await verifyBundle(whole)).firstFailure, undefined);
      const middle = await exportBundle(scenario, { fromPosition: 30 });
      const report = await verifyBundle(middle);
      assert.equal(report.firstFailure, undefined);
      assert.equal(middle.events[0]?.prevHash, whole.events[28]?.hash);

      const tampered = copyOf(whole);
      (tampered.events[5] as TamperableEvent).data.sql = 'SELECT 1';
      assert.equal((await verifyTampered(tampered)).firstFailure?.position, 6);
    });
  });

  it('garbage in place of a bundle fails without throwing', async () => {
    const report = await verifyBundle({} as never);
    assert.equal(report.ok, false);
    assert.equal(report.firstFailure?.kind, 'manifest');
    const report2 = await verifyBundle({ format: 'ledgergate-evidence/1', events: [42, null], seals: 'x', keys: null, manifest: {} } as never);
    assert.equal(report2.ok, false);
    assert.equal(report2.firstFailure?.kind, 'event');
  });
});
