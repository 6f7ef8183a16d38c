/**
 * Reading from EventStoreDB with a deadline and without leaving calls open. The client gives reads no
 * deadline (it passes `deadline: Infinity`), and leaving a `for await` early destroys only the
 * client-side stream, not the gRPC call: every read is therefore drained to its end (callers bound it
 * with maxCount) or cancelled explicitly when its deadline passes.
 */
import { LedgergateError } from '../../domain/errors.js';

export interface CancellableRead<T> extends AsyncIterable<T> {
  cancel(): Promise<void>;
}

export async function drainWithDeadline<T>(read: CancellableRead<T>, deadlineMs: number, what: string): Promise<T[]> {
  const items: T[] = [];
  let timer: NodeJS.Timeout | undefined;
  const collect = (async () => {
    for await (const item of read) items.push(item);
    return items;
  })();
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      read.cancel().catch(() => undefined);
      reject(new LedgergateError('store_unavailable', `EventStoreDB did not finish ${what} within ${deadlineMs} ms`, { esdbError: 'deadline' }));
    }, deadlineMs);
  });
  try {
    return await Promise.race([collect, timeout]);
  } finally {
    clearTimeout(timer);
    collect.catch(() => undefined);
  }
}

/** Rejects with store_unavailable when `work` takes longer than `deadlineMs` (for appends over BatchAppend, which has none). */
export async function withDeadline<T>(work: Promise<T>, deadlineMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new LedgergateError('store_unavailable', `EventStoreDB did not finish ${what} within ${deadlineMs} ms`, { esdbError: 'deadline' })),
      deadlineMs,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
  }
}
