/**
 * Feeds a bundle file's events to the verifier with the parsing and hashing done partly by a thread
 * pool: events are queued in file order in batches of the exact text they were found as; a batch
 * goes to the pool while the pool keeps up (few batches outstanding), otherwise this thread parses
 * and hashes it itself — so a busy or slow second core costs little, and an idle one takes the work.
 * Batches are checked here, in file order, so the chain and position checks stay on this thread and
 * every event's hash is still recomputed (by the pool, or here) and compared. An event the pool does
 * not link (not intact) is parsed and checked here, so it is reported exactly as on one thread.
 * A failed pool fails verification (`settle` rejects); nothing is skipped. A text that is not JSON
 * throws the SyntaxError of JSON.parse.
 */
import type { BundleVerifier } from '../../domain/evidence/verify.js';
import type { ChainHashPool, LinkedTexts } from './chain-hash-pool.js';

export interface HashedEventFeed {
  /** `text`: exactly the text of one event; `event`: its JSON.parse, when already parsed. */
  add(text: string, event?: unknown): void;
  /**
   * Checks the batches that are ready (linked, or to be checked here) in order; `all`: sends and
   * checks everything, waiting for the pool. Also waits when too many events are queued.
   */
  settle(all?: boolean): Promise<void>;
}

export interface FeedLimits {
  readonly batchSize: number;
  /** Batches outstanding at the pool beyond which new batches are checked here. */
  readonly maxAtPool: number;
  /** Batches queued beyond which adding waits for the pool (bounds memory). */
  readonly maxQueued: number;
}

const defaultLimits: FeedLimits = { batchSize: 256, maxAtPool: 4, maxQueued: 32 };

interface Batch {
  readonly texts: string[];
  /** Parsed values where the finder parsed them already (sparse). */
  readonly events: unknown[];
  /** Undefined for a batch checked wholly on this thread. */
  readonly answer?: Promise<void>;
  linked?: LinkedTexts;
  failure?: unknown;
}

export function createHashedEventFeed(pool: ChainHashPool, verifier: BundleVerifier, limits: FeedLimits = defaultLimits): HashedEventFeed {
  const queue: Batch[] = [];
  let atPool = 0;
  let texts: string[] = [];
  let events: unknown[] = [];

  const close = (): void => {
    if (texts.length === 0) return;
    if (atPool < limits.maxAtPool) {
      atPool += 1;
      const batch: Batch = {
        texts,
        events,
        answer: pool.link(texts).then(
          (linked) => {
            batch.linked = linked;
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
      queue.push({ texts, events });
    }
    texts = [];
    events = [];
  };

  const eventAt = (batch: Batch, i: number): unknown => (i in batch.events ? batch.events[i] : JSON.parse(batch.texts[i] as string));

  const check = (batch: Batch): void => {
    if (batch.failure !== undefined) throw batch.failure;
    const { linked } = batch;
    for (let i = 0; i < batch.texts.length; i++) {
      const link = linked?.at(i);
      if (link === undefined) verifier.addEvent(eventAt(batch, i));
      else verifier.addLink(link);
    }
  };

  return {
    add(text, event) {
      if (event !== undefined) events[texts.length] = event;
      texts.push(text);
      if (texts.length >= limits.batchSize) close();
    },
    async settle(all = false) {
      if (all) close();
      while (queue.length > 0) {
        const head = queue[0] as Batch;
        const waiting = head.answer !== undefined && head.linked === undefined && head.failure === undefined;
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
