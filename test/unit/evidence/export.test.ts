import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeEvidenceBundle } from '../../../src/adapters/evidence/export.js';
import type { EvidenceBundle } from '../../../src/domain/evidence/bundle.js';
import { verifyBundle } from '../../../src/domain/evidence/verify.js';
import { activatePolicy, appendRequests, policyHashB, withTempDir } from './fixtures.js';
import { exportBundle, sealedLog } from './scenario.js';

describe('evidence bundle export', () => {
  it('writes the members in streaming order: format, events, seals, keys, manifest, manifestSignature', async () => {
    await withTempDir(async (dir) => {
      const scenario = await sealedLog(dir, { batches: 1 });
      const chunks: string[] = [];
      await writeEvidenceBundle({ store: scenario.store, signer: scenario.signer, gatewayVersion: '1.2.3', out: (c) => void chunks.push(c) });
      const bundle = JSON.parse(chunks.join('')) as EvidenceBundle;
      assert.deepEqual(Object.keys(bundle), ['format', 'events', 'seals', 'keys', 'manifest', 'manifestSignature']);
      assert.equal(bundle.manifest.gatewayVersion, '1.2.3');
      assert.equal(bundle.manifest.keyId, scenario.signer.keyId());
      assert.equal(bundle.manifest.eventCount, bundle.events.length);
      assert.equal((await verifyBundle(bundle)).ok, true);
    });
  });

  it('picks the range from times by recordedAt (from inclusive, to exclusive)', async () => {
    await withTempDir(async (dir) => {
      const scenario = await sealedLog(dir);
      const [tenth, twentieth] = [scenario.store.log[9], scenario.store.log[19]];
      assert.ok(tenth && twentieth);
      const bundle = await exportBundle(scenario, { from: new Date(tenth.recordedAt), to: new Date(twentieth.recordedAt) });
      assert.equal(bundle.events[0]?.recordedAt >= tenth.recordedAt, true);
      assert.ok(bundle.events.every((e) => e.recordedAt >= tenth.recordedAt && e.recordedAt < twentieth.recordedAt));
      const before = scenario.store.log.filter((e) => e.recordedAt < tenth.recordedAt).length;
      const inside = scenario.store.log.filter((e) => e.recordedAt >= tenth.recordedAt && e.recordedAt < twentieth.recordedAt).length;
      assert.equal(bundle.manifest.range.fromPosition, before + 1);
      assert.equal(bundle.events.length, inside);
      assert.equal(bundle.manifest.from, new Date(tenth.recordedAt).toISOString());
      assert.equal((await verifyBundle(bundle)).ok, true);
    });
  });

  it('lists the policy in force at the start and those activated inside the range', async () => {
    await withTempDir(async (dir) => {
      const scenario = await sealedLog(dir, { batches: 1 });
      const start = scenario.store.log.length + 1;
      await appendRequests(scenario.store, 2, 'p');
      await activatePolicy(scenario.store, policyHashB);
      const bundle = await exportBundle(scenario, { fromPosition: start });
      assert.deepEqual(bundle.manifest.policyVersions.length, 2);
      assert.equal(bundle.manifest.policyVersions[1], policyHashB);
      assert.equal((await verifyBundle(bundle)).ok, true);
    });
  });

  it('an empty period gives a verifiable empty bundle', async () => {
    await withTempDir(async (dir) => {
      const scenario = await sealedLog(dir, { batches: 1 });
      const bundle = await exportBundle(scenario, { from: new Date('2030-01-01T00:00:00Z') });
      assert.equal(bundle.events.length, 0);
      assert.equal(bundle.manifest.eventCount, 0);
      const report = await verifyBundle(bundle);
      assert.equal(report.firstFailure, undefined);
      assert.equal(report.summary.eventCount, 0);
    });
  });

  it('waits for a slow writable instead of buffering the whole bundle', async () => {
    await withTempDir(async (dir) => {
      const scenario = await sealedLog(dir, { batches: 4, requestsPerBatch: 40 });
      const out = new PassThrough({ highWaterMark: 1024 });
      const received: Buffer[] = [];
      let drains = 0;
      out.on('drain', () => (drains += 1));
      const reading = (async () => {
        for await (const chunk of out) {
          received.push(chunk as Buffer);
          await sleep(1);
        }
      })();
      await writeEvidenceBundle({ store: scenario.store, signer: scenario.signer, gatewayVersion: 'x', out });
      out.end();
      await reading;
      assert.ok(drains > 0, 'the export paused for the reader at least once');
      const bundle = JSON.parse(Buffer.concat(received).toString('utf8')) as EvidenceBundle;
      assert.equal(bundle.events.length, scenario.store.log.length);
      assert.equal((await verifyBundle(bundle)).ok, true);
    });
  });
});
