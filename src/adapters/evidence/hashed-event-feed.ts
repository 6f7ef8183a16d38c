/**
 * Feeds a bundle file's events to the verifier with part of the hashing done by a thread pool:
 * events are queued in file order in small batches with the exact text they were parsed from; a
 * batch goes to the pool while the pool keeps up (few batches outstanding), otherwise this thread
 * hashes it itself — so a busy or slow second core costs little, and an idle one takes the hashing.
 * Batches are checked here, in file order, so the chain and position checks stay on this thread and
 * every event's hash is still recomputed (by the pool from the same text, or here) and compared.
 * A failed pool fails verification (`settle` rejects); nothing is skipped.
 */
import type { BundleVerifier } from '../../domain/evidence/verify.js';
import type { ChainHashPool, HashedTexts } from './chain-hash-pool.js';

export interface HashedEventFeed {
  /** `text`: exactly the string `event` was parsed from. */
  add(event: unknown, text: string): void;
  /**
   * Checks the batches that are ready (hashed, or to be hashed here) in order; `all`: sends and
   * checks everything, waiting for the pool. Also waits when too many events are queued.
   */
  settle(all?: boolean): Promise<void>;
}

export interface FeedLimits {
  readonly batchSize: number;
  /** Batches outstanding at the pool beyond which new batches are hashed here. */
  readonly maxAtPool: number;
  /** Batches queued beyond which adding waits for the pool (bounds memory). */
  readonly maxQueued: number;
}

const defaultLimits: FeedLimits = { batchSize: 128, maxAtPool: 6, maxQueued: 64 };

interface Batch {
  readonly events: unknown[];
  /** Undefined for a batch hashed on this thread. */
  readonly answer?: Promise<void>;
  hashed?: HashedTexts;
  failure?: unknown;
}

export function createHashedEventFeed(pool: ChainHashPool, verifier: BundleVerifier, limits: FeedLimits = defaultLimits): HashedEventFeed {
  const queue: Batch[] = [];
  let atPool = 0;
  let events: unknown[] = [];
  let texts: string[] = [];

  const close = (): void => {
    if (events.length === 0) return;
    if (atPool < limits.maxAtPool) {
      atPool += 1;
      const batch: Batch = {
        events,
        answer: pool.hash(texts).then(
          (hashed) => {
            batch.hashed = hashed;
            atPool -= 1;
          },
          (error: unknown) => {
            batch.failure = error ?? new Error('a chain hash thread failed');
            atPool -= 1;
          },
        ),
      };
      queue.push(batch);
    } else {
      queue.push({ events });
    }
    events = [];
    texts = [];
  };

  const check = (batch: Batch): void => {
    if (batch.failure !== undefined) throw batch.failure;
    const { hashed } = batch;
    if (hashed === undefined) for (const event of batch.events) verifier.addEvent(event);
    else for (let i = 0; i < batch.events.length; i++) verifier.addEvent(batch.events[i], hashed.at(i));
  };

  return {
    add(event, text) {
      events.push(event);
      texts.push(text);
      if (events.length >= limits.batchSize) close();
    },
    async settle(all = false) {
      if (all) close();
      while (queue.length > 0) {
        const head = queue[0] as Batch;
        const waiting = head.answer !== undefined && head.hashed === undefined && head.failure === undefined;
        if (waiting) {
          if (!all && queue.length <= limits.maxQueued) return;
          await head.answer;
        }
        queue.shift();
        check(head);
      }
    },
  };
}
