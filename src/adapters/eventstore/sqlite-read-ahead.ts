/**
 * The rebuild read's read-ahead: while the event loop parses and folds one page of the log, a thread
 * of its own (sqlite-read-ahead-thread.ts) reads the next. A rebuild is one core's work otherwise —
 * SQLite stepping over the rows and decoding their text was about 40 % of it (bench/README.md,
 * "Projection rebuild") — and this machine, like most, has two.
 *
 * Why a page read ahead is the page the event loop would have read: positions are gap-free and
 * committed in order (sqlite-event-store.ts), so a reader never sees n + 1 before n, and a FULL page
 * after `from` (`limit` rows) holds the same rows whenever it is read. A short page does not: events
 * may have been committed since. A short page is therefore never handed out — the caller reads it
 * again on its own connection — nor is a page read for another position, another query or another
 * size, nor one whose read failed. Every row still goes through the caller's checks.
 *
 * The thread starts on the first read-ahead (a backlog of at least one full page), holds the process
 * only while a read is in flight, and stops once its reader has caught up, when the store closes, or
 * when a page read ahead has waited unclaimed for a few seconds (a rebuild that was stopped).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { readAheadThreadSource } from './sqlite-read-ahead-thread.js';

/** A page as its query returns it: how many rows, and the rows as one JSON text (sqlite-projection-reads.ts). */
export interface JsonPage {
  readonly count: number;
  readonly text: string;
}

export interface ReadAhead {
  /** The FULL page read ahead for exactly this query, position and size; undefined otherwise. */
  take(sql: string, from: number, limit: number): Promise<JsonPage | undefined>;
  /**
   * Says the caller will next take the page after `from`: the thread reads it (and the pages after it,
   * up to `pagesAhead`).
   * Pages read ahead for other positions, queries or sizes are dropped.
   */
  readNext(sql: string, from: number, limit: number): void;
  /** Stops the thread (a later readNext starts another); resolves once it has exited. */
  stop(): Promise<void>;
}

interface Pending {
  readonly sql: string;
  readonly from: number;
  readonly limit: number;
  readonly page: Promise<JsonPage | undefined>;
}

type FromThread = { readonly id: number; readonly page: JsonPage } | { readonly id: number; readonly error: string };

/**
 * Pages asked of the thread at a time. With one, the event loop waited for the thread 0.43–0.65 s of a
 * 200k-event rebuild: the thread shares the second core with V8's garbage-collector helpers. Pages
 * handed over as rows kept more ahead from paying off (each row's strings outlived scavenges: 143–159
 * MB promoted with three against 64–120 MB with one); a page is now one string. Alternated, six runs
 * each: two ahead 98–116k events/s (median 108k), one ahead 83–119k (median 93k) (bench/README.md,
 * "Projection rebuild, fifth pass").
 */
const pagesAhead = 2;

const matches = (page: Pending, sql: string, from: number, limit: number): boolean => page.sql === sql && page.from === from && page.limit === limit;

/** A page read ahead and not claimed for this long belongs to a reader that stopped. */
const unclaimedStopMs = 3000;

const betterSqlite3 = createRequire(import.meta.url).resolve('better-sqlite3');

/** A started thread and the reads it has not answered. */
interface Thread {
  readonly worker: Worker;
  readonly reads: Set<number>;
}

export function sqliteReadAhead(settings: { readonly file: string; readonly busyTimeoutMs: number }): ReadAhead {
  let thread: Thread | undefined;
  // Pages asked of the thread, in the order the caller will take them.
  let pending: Pending[] = [];
  let unclaimed: NodeJS.Timeout | undefined;
  let nextId = 0;
  // A thread that failed (it could not open the file, say) is not started again: the caller reads.
  let failed = false;
  // Reads the thread has not answered yet, across every thread started: each settles exactly once.
  const waiting = new Map<number, (page: JsonPage | undefined) => void>();

  const settle = (id: number, page: JsonPage | undefined): void => {
    const resolve = waiting.get(id);
    if (!resolve) return;
    waiting.delete(id);
    if (waiting.size === 0) thread?.worker.unref();
    resolve(page);
  };

  const spawn = (): Thread => {
    const worker = new Worker(readAheadThreadSource, { eval: true, execArgv: [], workerData: { ...settings, betterSqlite3 } });
    const started: Thread = { worker, reads: new Set() };
    worker.on('message', (message: FromThread) => {
      started.reads.delete(message.id);
      // A read the thread could not make is read again by the caller, who reports what is wrong.
      settle(message.id, 'page' in message ? message.page : undefined);
    });
    worker.on('error', () => {
      failed = true;
    });
    worker.on('exit', () => {
      if (thread === started) thread = undefined;
      for (const id of started.reads) settle(id, undefined);
    });
    worker.unref();
    return started;
  };

  const ask = (sql: string, from: number, limit: number): Promise<JsonPage | undefined> => {
    thread ??= spawn();
    const id = ++nextId;
    const page = new Promise<JsonPage | undefined>((resolve) => waiting.set(id, resolve));
    thread.reads.add(id);
    thread.worker.ref();
    thread.worker.postMessage({ kind: 'read', id, sql, from, limit });
    return page;
  };

  const stop = async (): Promise<void> => {
    clearTimeout(unclaimed);
    pending = [];
    const last = thread;
    thread = undefined;
    if (!last) return;
    for (const id of last.reads) settle(id, undefined);
    const exited = new Promise<void>((resolve) => last.worker.once('exit', () => resolve()));
    // Held until the thread has closed its connection, so a caller awaiting stop is not abandoned.
    last.worker.ref();
    last.worker.postMessage({ kind: 'close' });
    await exited;
  };

  return {
    async take(sql, from, limit) {
      clearTimeout(unclaimed);
      const found = pending.shift();
      if (!found || !matches(found, sql, from, limit)) {
        pending = [];
        return undefined;
      }
      const page = await found.page;
      if (page?.count === limit) return page;
      // A short page reached the head when it was read: the pages asked after it hold nothing useful.
      pending = [];
      return undefined;
    },

    readNext(sql, from, limit) {
      if (failed) return;
      const head = pending[0];
      if (head && !matches(head, sql, from, limit)) pending = [];
      // Positions are gap-free: a full page after `from` ends at from + limit, where the next begins.
      // Were one not full, the page after it is asked for another position and is not used.
      for (let next = pending.at(-1)?.from ?? from - limit; pending.length < pagesAhead; ) {
        next += limit;
        pending.push({ sql, from: next, limit, page: ask(sql, next, limit) });
      }
      clearTimeout(unclaimed);
      unclaimed = setTimeout(() => void stop(), unclaimedStopMs).unref();
    },

    stop,
  };
}
