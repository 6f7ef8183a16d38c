/**
 * Feeds a bundle file's events to the verifier with the parsing and hashing shared between a thread
 * pool and this thread: events are queued in file order in batches of the exact text they were found
 * as; the pool takes the oldest batches (a few at a time), and while this thread would otherwise wait
 * for them it parses and hashes the newest batches itself — so an idle second core takes half the
 * work and a busy one costs little. Batches are checked here, in file order, so the chain and
 * position checks stay on this thread and every event's hash is still recomputed (by the pool, or
 * here) and compared. An event that is not intact (whoever parsed it) is checked with the verifier's
 * own path, so it is reported exactly as on one thread. A failed pool fails verification (`settle`
 * rejects); nothing is skipped. A text that is not JSON throws the SyntaxError of JSON.parse.
 */
import type { ChainLink } from '../../domain/evidence/event-chain-check.js';
import { intactLinkOf } from '../../domain/evidence/event-chain-check.js';
import { createChainHasher } from '../../domain/evidence/event-hash.js';
import type { BundleVerifier } from '../../domain/evidence/verify.js';
import type { ChainHashPool, LinkedTexts } from './chain-hash-pool.js';

export interface HashedEventFeed {
  /** `text`: exactly the text of one event; `event`: its JSON.parse, when already parsed. */
  add(text: string, event?: unknown): void;
  /**
   * Checks the batches that are ready in order, working on the newest ones while the oldest are at
   * the pool; returns while few are queued (to read more), or, with `all`, once everything is checked.
   */
  settle(all?: boolean): Promise<void>;
}

export interface FeedLimits {
  readonly batchSize: number;
  /** Batches outstanding at the pool (enough that a thread never waits for this one). */
  readonly maxAtPool: number;
  /** Batches queued beyond which this thread works on them instead of reading more (bounds memory). */
  readonly maxQueued: number;
}

const defaultLimits: FeedLimits = { batchSize: 256, maxAtPool: 4, maxQueued: 8 };

interface Batch {
  readonly texts: string[];
  /** Parsed values where the finder parsed them already (sparse). */
  readonly events: unknown[];
  /** Set when sent to the pool. */
  answer?: Promise<void>;
  linked?: LinkedTexts;
  /** Set when worked on here: each event's link, or the event itself where it is not intact. */
  local?: (ChainLink | { readonly event: unknown })[];
  failure?: unknown;
}

export function createHashedEventFeed(pool: ChainHashPool, verifier: BundleVerifier, limits: FeedLimits = defaultLimits): HashedEventFeed {
  const hasher = createChainHasher();
  const queue: Batch[] = [];
  let atPool = 0;
  /** Index in `queue` of the oldest batch neither sent nor worked on. */
  let unsent = 0;
  let texts: string[] = [];
  let events: unknown[] = [];

  const close = (): void => {
    if (texts.length === 0) return;
    queue.push({ texts, events });
    texts = [];
    events = [];
  };

  const isOpen = (batch: Batch): boolean => batch.answer === undefined && batch.local === undefined;

  const send = (): void => {
    while (atPool < limits.maxAtPool && unsent < queue.length) {
      const batch = queue[unsent++] as Batch;
      if (!isOpen(batch)) continue;
      atPool += 1;
      batch.answer = pool.link(batch.texts).then(
        (linked) => {
          batch.linked = linked;
          atPool -= 1;
        },
        (error: unknown) => {
          batch.failure = error ?? new Error('a chain hash thread failed');
          atPool -= 1;
        },
      );
    }
  };

  const eventAt = (batch: Batch, i: number): unknown => (i in batch.events ? batch.events[i] : JSON.parse(batch.texts[i] as string));

  /** Parses and hashes a batch here. */
  const workOn = (batch: Batch): void => {
    batch.local = batch.texts.map((_, i) => {
      const event = eventAt(batch, i);
      return intactLinkOf(event, hasher) ?? { event };
    });
  };

  /** The newest batch neither sent nor worked on (the pool takes the oldest first). */
  const newestOpen = (): Batch | undefined => {
    for (let b = queue.length - 1; b >= unsent; b--) if (isOpen(queue[b] as Batch)) return queue[b];
    return undefined;
  };

  const isReady = (batch: Batch): boolean => batch.linked !== undefined || batch.local !== undefined || batch.failure !== undefined;

  const check = (batch: Batch): void => {
    if (batch.failure !== undefined) throw batch.failure;
    const { linked, local } = batch;
    for (let i = 0; i < batch.texts.length; i++) {
      if (local !== undefined) {
        const item = local[i] as ChainLink | { readonly event: unknown };
        if ('event' in item) verifier.addEvent(item.event);
        else verifier.addLink(item);
      } else {
        const link = linked?.at(i);
        if (link === undefined) verifier.addEvent(eventAt(batch, i));
        else verifier.addLink(link);
      }
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
      for (;;) {
        send();
        while (queue.length > 0) {
          const head = queue[0] as Batch;
          if (isOpen(head)) workOn(head);
          else if (!isReady(head)) break;
          queue.shift();
          unsent = Math.max(0, unsent - 1);
          check(head);
          send();
        }
        if (queue.length === 0) return;
        if (!all && queue.length <= limits.maxQueued) return;
        // The head is at the pool: work here on the newest batch meanwhile (then let the pool's
        // answers in: they arrive as events, not promise jobs), or wait for it when none is left.
        const newest = newestOpen();
        if (newest === undefined) await (queue[0] as Batch).answer;
        else {
          workOn(newest);
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    },
  };
}
