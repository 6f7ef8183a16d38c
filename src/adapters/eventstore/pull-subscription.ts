/**
 * subscribeAll as a pull loop shared by every event store adapter: read a page, hand its events to the
 * subscriber one by one, and only then read the next page. A plain Observable cannot await its
 * subscriber, so "taken" means the subscriber's next() has returned for every event of the page; the
 * loop never holds more than one page, however slow the subscriber is.
 *
 * When caught up the loop sleeps until the store signals an append in this process, or until the poll
 * interval passes (appends by other processes sharing the store are only found by polling).
 */
import { Observable } from 'rxjs';
import type { ReadAllOptions, RecordedEvent } from '../../domain/ports.js';

export interface PullSource {
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
}

export interface PullSubscriptionOptions {
  /** Events per read; also the most the loop holds at once. */
  readonly pageSize?: number;
  /** How long a caught-up subscription sleeps before looking again without a signal. */
  readonly pollIntervalMs?: number;
}

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

    const loop = async () => {
      while (!stopped) {
        newsPending = false;
        const page = await source.readAll({ from: position, maxCount: pageSize });
        for (const event of page) {
          if (stopped) return;
          position = event.position;
          subscriber.next(event);
        }
        if (stopped) return;
        if (page.length < pageSize) await sleepUntilNews();
        else await yieldToEventLoop();
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
