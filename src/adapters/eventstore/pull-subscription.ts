/**
 * subscribeAll as a pull loop shared by every event store adapter: read a page, hand its events to the
 * subscriber one by one, and only then read the next page. A plain Observable cannot await its
 * subscriber, so "taken" means the subscriber's next() has returned for every event of the page; the
 * loop never holds more than one page, however slow the subscriber is.
 *
 * When caught up the loop sleeps until the store signals an append in this process, or until the poll
 * interval passes (appends by other processes sharing the store are only found by polling).
 *
 * A transient store failure (`store_unavailable`: a leader change, an outage, a deadline) does not end
 * the feed: the loop reads again from the last position it handed over, backing off exponentially, and
 * reports its state to `health` (for /metrics). Any other failure (an event that fails validation)
 * still ends the feed with an error: that is tampering or a bug, and must not be skipped over.
 */
import { Observable } from 'rxjs';
import { LedgergateError } from '../../domain/errors.js';
import type { ReadAllOptions, RecordedEvent } from '../../domain/ports.js';

export interface PullSource {
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
  /** The store ended this page before the end of the log (at its byte budget): read on, do not sleep. */
  endedEarly?(page: readonly RecordedEvent[]): boolean;
}

export interface PullSubscriptionOptions {
  /** Events per read; also the most the loop holds at once. */
  readonly pageSize?: number;
  /** How long a caught-up subscription sleeps before looking again without a signal. */
  readonly pollIntervalMs?: number;
  /** First wait after a transient failure; doubles up to maxBackoffMs. */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Where every subscription of the store reports retries and lag. */
  readonly health?: FeedHealth;
}

/** The live feed's state, shared by a store's subscriptions and read by /metrics. */
export interface FeedHealth {
  /** Failed reads the feed recovered from (or is still retrying). */
  retries: number;
  /** Subscriptions currently waiting to retry after a failure. */
  failing: number;
  /** recordedAt (ms) of the newest event handed to a subscriber, and when a read last found nothing new. */
  lastDeliveredRecordedAt: number | undefined;
  lastCaughtUpAt: number | undefined;
}

export function createFeedHealth(): FeedHealth {
  return { retries: 0, failing: 0, lastDeliveredRecordedAt: undefined, lastCaughtUpAt: undefined };
}

/** Seconds the feed is behind: 0 when caught up, else the age of the newest event it handed over. */
export function feedLagSeconds(health: FeedHealth, now: number): number {
  if (health.failing === 0 && health.lastCaughtUpAt !== undefined && (health.lastDeliveredRecordedAt ?? 0) <= health.lastCaughtUpAt) return 0;
  const since = health.lastDeliveredRecordedAt ?? health.lastCaughtUpAt;
  return since === undefined ? 0 : Math.max(0, (now - since) / 1000);
}

const isTransient = (error: unknown) => error instanceof LedgergateError && error.code === 'store_unavailable';

interface SignalListener {
  appended(): void;
  closed(): void;
}

/**
 * Tells caught-up subscriptions of one store instance that something was appended, or that the store
 * closed (they then complete). One per store instance, never shared between stores.
 */
export class StoreSignals {
  readonly #listeners = new Set<SignalListener>();
  #closed = false;

  get closed(): boolean {
    return this.#closed;
  }

  listen(listener: SignalListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  appended(): void {
    for (const listener of [...this.#listeners]) listener.appended();
  }

  close(): void {
    this.#closed = true;
    for (const listener of [...this.#listeners]) listener.closed();
    this.#listeners.clear();
  }
}

export const defaultPageSize = 100;
export const defaultPollIntervalMs = 200;

export function pullSubscription(
  source: PullSource,
  signals: StoreSignals,
  from: number,
  options: PullSubscriptionOptions = {},
): Observable<RecordedEvent> {
  const pageSize = options.pageSize ?? defaultPageSize;
  const pollIntervalMs = options.pollIntervalMs ?? defaultPollIntervalMs;
  const initialBackoffMs = options.initialBackoffMs ?? 100;
  const maxBackoffMs = options.maxBackoffMs ?? 5000;
  const health = options.health;

  return new Observable<RecordedEvent>((subscriber) => {
    let position = from;
    let stopped = false;
    // Set by a signal that arrives while a read is in flight, so the loop does not sleep through it.
    let newsPending = false;
    let wakeUp: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;

    const wake = () => {
      newsPending = true;
      wakeUp?.();
    };
    const stopListening = signals.listen({
      appended: wake,
      closed: () => {
        stopped = true;
        wakeUp?.();
        subscriber.complete();
      },
    });

    const sleepUntilNews = () =>
      new Promise<void>((resolve) => {
        if (newsPending || stopped) return resolve();
        wakeUp = resolve;
        timer = setTimeout(resolve, pollIntervalMs);
      }).finally(() => {
        wakeUp = undefined;
        clearTimeout(timer);
      });

    // Lets other work (the subscriber's own async continuations among it) run between pages.
    const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

    const backOff = (ms: number) =>
      new Promise<void>((resolve) => {
        if (stopped) return resolve();
        wakeUp = resolve;
        timer = setTimeout(resolve, ms);
      }).finally(() => {
        wakeUp = undefined;
        clearTimeout(timer);
      });

    /** Reads the next page, retrying transient failures from the same position until it succeeds or stops. */
    const nextPage = async (): Promise<RecordedEvent[] | undefined> => {
      let backoff = initialBackoffMs;
      let failing = false;
      try {
        for (;;) {
          try {
            return await source.readAll({ from: position, maxCount: pageSize });
          } catch (error) {
            if (!isTransient(error) || stopped) throw error;
            if (health) {
              health.retries += 1;
              if (!failing) health.failing += 1;
            }
            failing = true;
            await backOff(backoff);
            if (stopped) return undefined;
            backoff = Math.min(maxBackoffMs, backoff * 2);
          }
        }
      } finally {
        if (failing && health) health.failing -= 1;
      }
    };

    const loop = async () => {
      while (!stopped) {
        newsPending = false;
        const page = await nextPage();
        if (!page) return;
        for (const event of page) {
          if (stopped) return;
          position = event.position;
          if (health) health.lastDeliveredRecordedAt = Date.parse(event.recordedAt);
          subscriber.next(event);
        }
        if (stopped) return;
        if (page.length < pageSize && !source.endedEarly?.(page)) {
          if (health) health.lastCaughtUpAt = Date.now();
          await sleepUntilNews();
        } else await yieldToEventLoop();
      }
    };

    if (signals.closed) {
      subscriber.complete();
    } else {
      loop().catch((error: unknown) => {
        if (!stopped) subscriber.error(error);
      });
    }

    return () => {
      stopped = true;
      stopListening();
      wakeUp?.();
    };
  });
}
