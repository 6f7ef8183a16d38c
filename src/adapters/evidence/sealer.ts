/**
 * The sealer: every `everyEvents` events or `everyMs` milliseconds, it signs a Merkle root over the
 * events since the last seal and appends it as a `Sealed` event to the `evidence-seals` stream.
 *
 * The append names the seal stream's expected revision, so when several gateways share a store only
 * one of them seals a given range; the others get a conflict, re-read the last seal and carry on from
 * there. A seal covers positions [from, to]; its own event lands after `to` and is covered by the next
 * seal, so seals are part of the chain they protect.
 *
 * Seals number events by the evidence sequence (chained-events.ts) and name where the store keeps the
 * last one they cover (`toStorePosition`), so the next seal continues there without counting the log.
 * The sealer chains onto the last seal only after checking its signature with the gateway's keys: a
 * `Sealed` event written by anyone else who can write to the store must not steer what is signed next.
 */
import { decodeProtectedHeader } from 'jose';
import { LedgergateError, RevisionConflictError } from '../../domain/errors.js';
import { createMerkleAccumulator } from '../../domain/evidence/merkle.js';
import { sealBodyOf, sealHash, sealSigningInput, sealStreamName, sealWithSignature, type SealBody } from '../../domain/evidence/seal.js';
import { createSignatureChecker } from '../../domain/evidence/signature-check.js';
import type { Sealed } from '../../domain/events/system-events.js';
import type { EventStore, Signer } from '../../domain/ports.js';
import { defaultSliceMs, genesisAnchor, readChainedEvents, type ChainAnchor } from './chained-events.js';

export interface SealerOptions {
  readonly store: EventStore;
  readonly signer: Signer;
  readonly everyEvents: number;
  readonly everyMs: number;
  readonly clock: () => Date;
  onError(error: unknown): void;
  readonly gatewayId?: string;
  /** How often to look whether a seal is due (default: min(everyMs, 1000)). */
  readonly pollMs?: number;
}

export interface Sealer {
  /** Seals everything not yet sealed (no-op when only seal events are new). */
  sealNow(): Promise<void>;
  stop(): Promise<void>;
}

interface LastSeal {
  readonly data: Sealed;
  readonly revision: number;
  readonly sealedAt: number;
}

const maxAttempts = 5;

export function startSealer(options: SealerOptions): Sealer {
  const { store, signer, clock } = options;
  let last: LastSeal | undefined;
  let loaded = false;
  let counted: { through: number; events: number } | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const startedAt = clock().getTime();

  const reload = async (): Promise<void> => {
    const seals = await store.readStream(sealStreamName);
    const event = seals.filter((e) => e.type === 'Sealed').at(-1);
    if (event) await checkSignature(event.data as Sealed);
    last = event
      ? { data: event.data as Sealed, revision: event.revision, sealedAt: Date.parse(event.metadata.occurredAt) }
      : undefined;
    loaded = true;
    counted = undefined;
  };

  const checkSignature = async (seal: Sealed): Promise<void> => {
    const problem = await createSignatureChecker(await signer.publicKeys()).check(seal.signature, sealSigningInput(sealBodyOf(seal)), seal.keyId);
    if (problem) {
      throw new LedgergateError('internal', `The last seal in ${sealStreamName} is not signed by this gateway's keys (${problem}); refusing to seal onto it`, {
        toPosition: seal.toPosition,
      });
    }
  };

  const anchorOf = (seal: Sealed | undefined): ChainAnchor =>
    seal ? { sequence: seal.toPosition, storePosition: seal.toStorePosition ?? seal.toPosition, hash: seal.lastEventHash } : genesisAnchor;

  const sealOnce = async (): Promise<void> => {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      if (!loaded) await reload();
      const anchor = anchorOf(last?.data);
      const head = await store.headPosition();
      if (head <= anchor.storePosition) return;
      const body = await sealBodyFor(anchor, head);
      if (!body) return;
      const signature = await signer.sign(sealSigningInput(body));
      // A rotation between reading the key id and signing would make the seal name the wrong key.
      if (decodeProtectedHeader(signature).kid !== body.keyId) continue;
      const data = sealWithSignature(body, signature);
      try {
        const result = await store.append(
          sealStreamName,
          [{ type: 'Sealed', data, metadata: metadataFor(body.fromPosition, body.toPosition) }],
          last ? last.revision : 'no_stream',
        );
        last = { data, revision: result.nextExpectedRevision, sealedAt: clock().getTime() };
        counted = undefined;
        return;
      } catch (error) {
        if (!(error instanceof RevisionConflictError)) throw error;
        loaded = false; // another gateway sealed first: start again from its seal
      }
    }
    throw new LedgergateError('store_unavailable', `Sealing kept conflicting after ${maxAttempts} attempts`);
  };

  /** Undefined when the range holds nothing but earlier seals (sealing it would only seal seals). */
  const sealBodyFor = async (anchor: ChainAnchor, head: number): Promise<SealBody | undefined> => {
    const merkle = createMerkleAccumulator();
    let lastEventHash = '';
    let toPosition = anchor.sequence;
    let toStorePosition = anchor.storePosition;
    let substantive = 0;
    // A fifth of a busy event loop at most while it reads: requests are served between its slices and
    // rests (chained-events.ts); an idle gateway seals at full speed. Pages of 200: a page's events stay
    // alive while the sealer rests, and delivered results are parsed whole to be hashed.
    const events = readChainedEvents(store, { anchor, untilStorePosition: head, verifyStoredHashes: true, restMs: 4 * defaultSliceMs, pageSize: 200 });
    for await (const event of events) {
      merkle.addHex(event.hash);
      lastEventHash = event.hash;
      toPosition = event.position;
      toStorePosition = event.storePosition;
      if (event.type !== 'Sealed') substantive += 1;
    }
    if (substantive === 0) return undefined;
    const fromPosition = anchor.sequence + 1;
    const base = { fromPosition, toPosition, count: merkle.size, merkleRoot: merkle.rootHex(), lastEventHash, toStorePosition, keyId: signer.keyId() };
    return last ? { ...base, previousSealHash: sealHash(last.data) } : base;
  };

  const metadataFor = (from: number, to: number) => ({
    correlationId: `seal-${from}-${to}`,
    occurredAt: clock().toISOString(),
    schemaVersion: 1,
    ...(options.gatewayId ? { gatewayId: options.gatewayId } : {}),
  });

  const enqueue = (work: () => Promise<void>): Promise<void> => {
    const run = queue.then(work);
    queue = run.catch(() => undefined);
    return run;
  };

  /** Events written since the last seal, counted incrementally (never more than everyEvents read per look). */
  const isDue = async (): Promise<boolean> => {
    if (!loaded) await reload();
    const anchor = anchorOf(last?.data);
    const head = await store.headPosition();
    if (head <= anchor.storePosition) return false;
    const since = clock().getTime() - (last?.sealedAt ?? startedAt);
    if (since >= options.everyMs) return true;
    counted ??= { through: anchor.storePosition, events: 0 };
    let first = true;
    while (counted.through < head && counted.events < options.everyEvents) {
      // Requests waiting on the event loop go between pages (a page may hold a 1 MB event).
      if (!first) await new Promise<void>((resolve) => setImmediate(resolve));
      first = false;
      const page = await store.readAll({ from: counted.through, maxCount: Math.min(1000, options.everyEvents - counted.events) });
      if (page.length === 0) break;
      counted = { through: (page.at(-1) as { position: number }).position, events: counted.events + page.length };
    }
    return counted.events >= options.everyEvents;
  };

  let ticking = false;
  const timer = setInterval(() => {
    if (ticking || stopped) return;
    ticking = true;
    enqueue(async () => {
      if (await isDue()) await sealOnce();
    })
      .catch((error: unknown) => options.onError(error))
      .finally(() => {
        ticking = false;
      });
  }, options.pollMs ?? Math.min(options.everyMs, 1000));
  timer.unref();

  return {
    sealNow: () => enqueue(sealOnce),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await queue;
    },
  };
}
