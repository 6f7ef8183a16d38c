/**
 * Writes an evidence bundle as JSON text, streaming: events go out page by page as they are read, the
 * manifest is computed on the way and written last, so memory stays bounded however long the period.
 * Key order: format, events, seals, keys, manifest, manifestSignature (one event per line).
 */
import { once } from 'node:events';
import { decodeProtectedHeader } from 'jose';
import { LedgergateError } from '../../domain/errors.js';
import { bundleEventOf, bundleFormat, manifestSigningInput, type BundleManifest, type BundleSeal } from '../../domain/evidence/bundle.js';
import { sealStreamName } from '../../domain/evidence/seal.js';
import type { Sealed } from '../../domain/events/system-events.js';
import type { EventStore, Signer } from '../../domain/ports.js';
import { readChainedEvents } from './chained-events.js';
import { firstPositionAtOrAfter, policyInForceBefore } from './log-search.js';

export type BundleSink = NodeJS.WritableStream | ((chunk: string) => Promise<void> | void);

export interface ExportOptions {
  readonly store: EventStore;
  readonly signer: Signer;
  /** Period start (inclusive), by the store's recordedAt. */
  readonly from?: Date;
  /** Period end (exclusive). */
  readonly to?: Date;
  /** Inclusive; take precedence over from/to. */
  readonly fromPosition?: number;
  readonly toPosition?: number;
  readonly gatewayVersion: string;
  readonly out: BundleSink;
  readonly clock?: () => Date;
  readonly pageSize?: number;
}

export interface ExportResult {
  readonly manifest: BundleManifest;
}

const flushAt = 64 * 1024;

export async function writeEvidenceBundle(options: ExportOptions): Promise<ExportResult> {
  const { store, signer } = options;
  const clock = options.clock ?? (() => new Date());
  const pageSize = options.pageSize ?? 1000;
  const head = await store.headPosition();
  const fromPosition = Math.max(1, options.fromPosition ?? (options.from ? await firstPositionAtOrAfter(store, options.from, head) : 1));
  const toPosition = Math.min(head, options.toPosition ?? (options.to ? (await firstPositionAtOrAfter(store, options.to, head)) - 1 : head));
  if (!Number.isSafeInteger(fromPosition) || !Number.isSafeInteger(toPosition)) {
    throw new LedgergateError('invalid_request', 'Evidence range positions must be integers');
  }

  const allSeals = (await store.readStream(sealStreamName)).filter((event) => event.type === 'Sealed');
  const sealData = allSeals.map((event) => event.data as Sealed);
  const policyVersions = await policyInForceBefore(store, fromPosition, pageSize);
  const writer = createWriter(options.out);

  await writer.write(`{"format":${JSON.stringify(bundleFormat)},"events":[`);
  let eventCount = 0;
  let firstHash: string | null = null;
  let firstPrevHash: string | null = null;
  let lastHash: string | null = null;
  let firstTime: string | undefined;
  let lastTime: string | undefined;
  if (toPosition >= fromPosition) {
    const events = readChainedEvents(store, { fromPosition, toPosition, pageSize, seals: sealData, tolerateGaps: true });
    for await (const event of events) {
      await writer.write(`${eventCount === 0 ? '\n' : ',\n'}${JSON.stringify(bundleEventOf(event))}`);
      if (eventCount === 0) {
        firstHash = event.hash;
        firstPrevHash = event.prevHash;
        firstTime = event.recordedAt;
      }
      eventCount += 1;
      lastHash = event.hash;
      lastTime = event.recordedAt;
      if (event.type === 'PolicyActivated') {
        const policyHash = (event.data as { policyHash?: unknown }).policyHash;
        if (typeof policyHash === 'string' && !policyVersions.includes(policyHash)) policyVersions.push(policyHash);
      }
    }
  }

  const seals: BundleSeal[] = allSeals
    .filter((event) => {
      const seal = event.data as Sealed;
      return seal.toPosition >= fromPosition && seal.fromPosition <= toPosition;
    })
    .map((event) => ({ position: event.position, data: event.data as Sealed }));

  const generatedAt = clock().toISOString();
  const manifestFor = (keyId: string): BundleManifest => ({
    range: { fromPosition, toPosition: Math.max(toPosition, fromPosition - 1) },
    from: options.from?.toISOString() ?? firstTime ?? generatedAt,
    to: options.to?.toISOString() ?? lastTime ?? generatedAt,
    eventCount,
    sealCount: seals.length,
    firstHash,
    lastHash,
    firstPrevHash,
    policyVersions,
    gatewayVersion: options.gatewayVersion,
    generatedAt,
    keyId,
  });
  let manifest = manifestFor(signer.keyId());
  let manifestSignature = await signer.sign(manifestSigningInput(manifest));
  // A key rotation between naming the key and signing: sign again under the key that is now current.
  for (let attempt = 0; attempt < 3 && decodeProtectedHeader(manifestSignature).kid !== manifest.keyId; attempt++) {
    manifest = manifestFor(signer.keyId());
    manifestSignature = await signer.sign(manifestSigningInput(manifest));
  }
  // Keys are read after signing, so they include every key that signed anything in this bundle.
  await writer.write(`\n],\n"seals":${JSON.stringify(seals)},\n"keys":${JSON.stringify(await signer.publicKeys())}`);
  await writer.write(`,\n"manifest":${JSON.stringify(manifest)},\n"manifestSignature":${JSON.stringify(manifestSignature)}}\n`);
  await writer.end();
  return { manifest };
}

/** Batches small writes and honours back-pressure, so a slow reader slows the export, not the heap. */
function createWriter(out: BundleSink): { write(text: string): Promise<void>; end(): Promise<void> } {
  let buffer = '';
  const flush = async (): Promise<void> => {
    if (buffer.length === 0) return;
    const chunk = buffer;
    buffer = '';
    if (typeof out === 'function') {
      await out(chunk);
    } else if (!out.write(chunk)) {
      await once(out as NodeJS.EventEmitter, 'drain');
    }
  };
  return {
    async write(text) {
      buffer += text;
      if (buffer.length >= flushAt) await flush();
    },
    end: flush,
  };
}
