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
import { readChainedEvents, type ChainedEvent } from './chained-events.js';
import { anchorBefore, policyInForceBefore, sealsOverlapping } from './log-search.js';

export type BundleSink = NodeJS.WritableStream | ((chunk: string) => Promise<void> | void);

export interface ExportOptions {
  readonly store: EventStore;
  readonly signer: Signer;
  /** Period start (inclusive), by the store's recordedAt. */
  readonly from?: Date;
  /** Period end (exclusive). */
  readonly to?: Date;
  /** Evidence sequence numbers (inclusive); take precedence over from/to. */
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
  for (const position of [options.fromPosition, options.toPosition]) {
    if (position !== undefined && !Number.isSafeInteger(position)) throw new LedgergateError('invalid_request', 'Evidence range positions must be integers');
  }
  const head = await store.headPosition();
  const allSeals = (await store.readStream(sealStreamName)).filter((event) => event.type === 'Sealed');
  const anchor = await anchorBefore(allSeals, signer, options);
  const wantedFrom = Math.max(1, options.fromPosition ?? 1);
  const wantedTo = options.toPosition ?? Number.MAX_SAFE_INTEGER;
  const startsInRange = (event: ChainedEvent) =>
    event.position >= wantedFrom && (options.fromPosition !== undefined || !options.from || Date.parse(event.recordedAt) >= options.from.getTime());
  const endsRange = (event: ChainedEvent) =>
    event.position > wantedTo || (options.toPosition === undefined && options.to !== undefined && Date.parse(event.recordedAt) >= options.to.getTime());

  const writer = createWriter(options.out);
  await writer.write(`{"format":${JSON.stringify(bundleFormat)},"events":[`);
  let eventCount = 0;
  let first: ChainedEvent | undefined;
  let lastEvent: ChainedEvent | undefined;
  const policyVersions: string[] = [];
  // Where each seal's own event sits in the evidence sequence (seals list it; the verifier matches it).
  const sealStorePositions = new Set(allSeals.map((event) => event.position));
  const sealSequence = new Map<number, number>();
  let ended = false;
  const events = head > anchor.storePosition ? readChainedEvents(store, { anchor, untilStorePosition: head, pageSize, tolerateGaps: true }) : [];
  for await (const event of events) {
    if (sealStorePositions.has(event.storePosition)) sealSequence.set(event.storePosition, event.position);
    if (!ended) {
      if (endsRange(event)) ended = true;
      else if (first === undefined && !startsInRange(event)) continue;
    }
    if (ended) {
      // Past the range: read on only until every seal overlapping it has been located.
      if (sealsOverlapping(allSeals, first, lastEvent).every((seal) => sealSequence.has(seal.position))) break;
      continue;
    }
    if (first === undefined) {
      first = event;
      policyVersions.push(...(await policyInForceBefore(store, event.storePosition)));
    }
    await writer.write(`${eventCount === 0 ? '\n' : ',\n'}${JSON.stringify(bundleEventOf(event))}`);
    eventCount += 1;
    lastEvent = event;
    if (event.type === 'PolicyActivated') {
      const policyHash = (event.data as { policyHash?: unknown }).policyHash;
      if (typeof policyHash === 'string' && !policyVersions.includes(policyHash)) policyVersions.push(policyHash);
    }
  }
  const fromPosition = first?.position ?? wantedFrom;
  const toPosition = lastEvent?.position ?? fromPosition - 1;

  const seals: BundleSeal[] = sealsOverlapping(allSeals, first, lastEvent)
    .filter((event) => sealSequence.has(event.position))
    .map((event) => ({ position: sealSequence.get(event.position) as number, data: event.data as Sealed }));

  const generatedAt = clock().toISOString();
  const manifestFor = (keyId: string): BundleManifest => ({
    range: { fromPosition, toPosition: Math.max(toPosition, fromPosition - 1) },
    from: options.from?.toISOString() ?? first?.recordedAt ?? generatedAt,
    to: options.to?.toISOString() ?? lastEvent?.recordedAt ?? generatedAt,
    eventCount,
    sealCount: seals.length,
    firstHash: first?.hash ?? null,
    lastHash: lastEvent?.hash ?? null,
    firstPrevHash: first?.prevHash ?? null,
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
