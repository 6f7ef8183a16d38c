/**
 * The sealer: every `everyEvents` events or `everyMs` milliseconds, it signs a Merkle root over the
 * events since the last seal and appends it as a `Sealed` event to the `evidence-seals` stream.
 *
 * The append names the seal stream's expected revision, so when several gateways share a store only
 * one of them seals a given range; the others get a conflict, re-read the last seal and carry on from
 * there. A seal covers positions [from, to]; its own event lands after `to` and is covered by the next
 * seal, so seals are part of the chain they protect.
 */
import { decodeProtectedHeader } from 'jose';
import { LedgergateError, RevisionConflictError } from '../../domain/errors.js';
import { genesisHash } from '../../domain/evidence/event-hash.js';
import { createMerkleAccumulator } from '../../domain/evidence/merkle.js';
import { sealHash, sealSigningInput, sealStreamName, sealWithSignature, type SealBody } from '../../domain/evidence/seal.js';
import type { Sealed } from '../../domain/events/system-events.js';
import type { EventStore, Signer } from '../../domain/ports.js';
import { readChainedEvents } from './chained-events.js';

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
  let queue: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const startedAt = clock().getTime();

  const reload = async (): Promise<void> => {
    const seals = await store.readStream(sealStreamName);
    const event = seals.filter((e) => e.type === 'Sealed').at(-1);
    last = event
      ? { data: event.data as Sealed, revision: event.revision, sealedAt: Date.parse(event.metadata.occurredAt) }
      : undefined;
    loaded = true;
  };

  const sealOnce = async (): Promise<void> => {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      if (!loaded) await reload();
      const from = last ? last.data.toPosition + 1 : 1;
      const to = await store.headPosition();
      if (to < from) return;
      const body = await sealBodyFor(from, to);
      if (!body) return;
      const signature = await signer.sign(sealSigningInput(body));
      // A rotation between reading the key id and signing would make the seal name the wrong key.
      if (decodeProtectedHeader(signature).kid !== body.keyId) continue;
      const data = sealWithSignature(body, signature);
      try {
        const result = await store.append(
          sealStreamName,
          [{ type: 'Sealed', data, metadata: metadataFor(from, to) }],
          last ? last.revision : 'no_stream',
        );
        last = { data, revision: result.nextExpectedRevision, sealedAt: clock().getTime() };
        return;
      } catch (error) {
        if (!(error instanceof RevisionConflictError)) throw error;
        loaded = false; // another gateway sealed first: start again from its seal
      }
    }
    throw new LedgergateError('store_unavailable', `Sealing kept conflicting after ${maxAttempts} attempts`);
  };

  /** Undefined when the range holds nothing but earlier seals (sealing it would only seal seals). */
  const sealBodyFor = async (from: number, to: number): Promise<SealBody | undefined> => {
    const merkle = createMerkleAccumulator();
    let lastEventHash = '';
    let substantive = 0;
    const events = readChainedEvents(store, {
      fromPosition: from,
      toPosition: to,
      knownPrevHash: last ? last.data.lastEventHash : genesisHash,
      verifyStoredHashes: true,
    });
    for await (const event of events) {
      merkle.addHex(event.hash);
      lastEventHash = event.hash;
      if (event.type !== 'Sealed') substantive += 1;
    }
    if (substantive === 0) return undefined;
    const base = { fromPosition: from, toPosition: to, count: merkle.size, merkleRoot: merkle.rootHex(), lastEventHash, keyId: signer.keyId() };
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

  const isDue = async (): Promise<boolean> => {
    if (!loaded) await reload();
    const pending = (await store.headPosition()) - (last ? last.data.toPosition : 0);
    if (pending <= 0) return false;
    const since = clock().getTime() - (last?.sealedAt ?? startedAt);
    return pending >= options.everyEvents || since >= options.everyMs;
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
