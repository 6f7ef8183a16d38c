/**
 * Feeds a bundle file's events to the verifier with their chain hashes computed by a thread pool:
 * events are queued in file order with the exact text they were parsed from, the texts go to the pool
 * a batch at a time, and each batch is checked here, in order, once its hashes are back — so the chain
 * and position checks stay on this thread and every event's hash is still recomputed and compared.
 * A failed pool fails `settle` (the caller's verification), never skips a check.
 */
import type { BundleVerifier } from '../../domain/evidence/verify.js';
import type { ChainHashPool, HashedTexts } from './chain-hash-pool.js';

export interface HashedEventFeed {
  /** `text`: exactly the string `event` was parsed from. */
  add(event: unknown, text: string): void;
  /** Checks queued batches until at most `inFlight` are left (0: sends and checks everything). */
  settle(inFlight: number): Promise<void>;
}

interface Batch {
  readonly events: unknown[];
  readonly hashed: Promise<HashedTexts>;
}

export function createHashedEventFeed(pool: ChainHashPool, verifier: BundleVerifier, batchSize = 1024): HashedEventFeed {
  const queue: Batch[] = [];
  let events: unknown[] = [];
  let texts: string[] = [];
  const send = (): void => {
    if (events.length === 0) return;
    const hashed = pool.hash(texts);
    // Awaited in order below; a batch behind a failed one must not surface as an unhandled rejection.
    hashed.catch(() => undefined);
    queue.push({ events, hashed });
    events = [];
    texts = [];
  };
  return {
    add(event, text) {
      events.push(event);
      texts.push(text);
      if (events.length >= batchSize) send();
    },
    async settle(inFlight) {
      if (inFlight === 0) send();
      while (queue.length > inFlight) {
        const batch = queue.shift() as Batch;
        const hashed = await batch.hashed;
        for (let i = 0; i < batch.events.length; i++) verifier.addEvent(batch.events[i], hashed.at(i));
      }
    },
  };
}
