/**
 * The event loop's side of the SQLite writer thread (sqlite-writer-worker.ts): group commit without
 * blocking the event loop. While one batch is being committed (and fsync'd) on the writer thread,
 * appends from other requests queue here; when it is done they all go as the next batch — one
 * transaction and one fsync for as many appends as arrived meanwhile. A promise settles only when the
 * writer reports its batch committed, so an acknowledged append is on disk.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { canonicalJson } from '../../domain/evidence/event-hash.js';
import type { FromWriter, ToWriter, WireAppend, WireOutcome, WriterSettings } from './sqlite-writer-protocol.js';
import { writerThreadSource } from './sqlite-writer-thread.js';

export interface SqliteWriter {
  /** Resolves with the append's own outcome once its batch is durable; rejects when the batch failed. */
  append(append: WireAppend): Promise<WireOutcome>;
  /** Commits what is queued, then stops the thread. */
  close(): Promise<void>;
}

interface Queued {
  readonly append: WireAppend;
  resolve(outcome: WireOutcome): void;
  reject(error: unknown): void;
}

/** A failed batch, carrying SQLite's code so that sqlite-errors.ts maps it like a local failure. */
export class WriterFailure extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = 'WriterFailure';
  }
}

const betterSqlite3 = createRequire(import.meta.url).resolve('better-sqlite3');
const newWorker = (settings: WriterSettings): Worker => new Worker(writerThreadSource, { eval: true, execArgv: [], workerData: settings });

export function startSqliteWriter(options: { file: string; busyTimeoutMs: number }, clock: () => Date): SqliteWriter {
  const settings: WriterSettings = { ...options, betterSqlite3 };
  let worker: Worker | undefined;
  let queue: Queued[] = [];
  let inFlight: { readonly id: number; readonly items: readonly Queued[] } | undefined;
  let nextId = 0;
  let sendScheduled = false;
  let closing: Promise<void> | undefined;
  let drained: (() => void) | undefined;

  const spawn = (): Worker => {
    const started = newWorker(settings);
    let crash: unknown;
    started.on('message', (message: FromWriter) => settle(message));
    started.on('error', (error) => (crash = error));
    started.on('exit', () => {
      if (worker === started) worker = undefined;
      // A thread that died mid-batch cannot say whether the batch committed: its callers get an
      // unavailability error (as for any storage failure), and the next append starts a new thread.
      if (inFlight) {
        const reason = crash instanceof Error ? crash.message : 'the writer thread stopped';
        const { items } = inFlight;
        inFlight = undefined;
        for (const item of items) item.reject(new WriterFailure(`Event store writer failed: ${reason}`, 'SQLITE_IOERR_WRITER'));
        sendNext();
      }
    });
    // Idle, the thread must not keep the process alive; with a batch in flight it must (see sendNext).
    started.unref();
    return started;
  };

  const post = (message: ToWriter): void => {
    worker ??= spawn();
    worker.postMessage(message);
  };

  const sendNext = (): void => {
    sendScheduled = false;
    if (inFlight || queue.length === 0) {
      if (!inFlight && queue.length === 0) drained?.();
      return;
    }
    const items = queue;
    queue = [];
    inFlight = { id: ++nextId, items };
    const recordedAt = clock().toISOString();
    const appends = items.map((item) => item.append);
    post({ kind: 'commit', id: inFlight.id, appends, recordedAt, recordedAtCanonical: canonicalJson(recordedAt) });
    worker?.ref();
  };

  const settle = (message: FromWriter): void => {
    if (!inFlight || inFlight.id !== message.id) return;
    const { items } = inFlight;
    inFlight = undefined;
    worker?.unref();
    if (message.kind === 'committed') items.forEach((item, i) => item.resolve(message.outcomes[i] as WireOutcome));
    else for (const item of items) item.reject(new WriterFailure(message.error.message, message.error.code));
    sendNext();
  };

  worker = spawn();

  return {
    append(append) {
      return new Promise<WireOutcome>((resolve, reject) => {
        queue.push({ append, resolve, reject });
        // Appends issued in the same event-loop turn go together even when nothing is in flight.
        if (!inFlight && !sendScheduled) {
          sendScheduled = true;
          setImmediate(sendNext);
        }
      });
    },

    close() {
      closing ??= (async () => {
        if (inFlight || queue.length > 0) {
          await new Promise<void>((resolve) => {
            drained = resolve;
            if (!sendScheduled) sendNext();
          });
        }
        const last = worker;
        worker = undefined;
        if (!last) return;
        const exited = new Promise<void>((resolve) => last.once('exit', () => resolve()));
        // Held until the thread has closed its connection, so a caller awaiting close is not abandoned.
        last.ref();
        last.postMessage({ kind: 'close' } satisfies ToWriter);
        await exited;
      })();
      return closing;
    },
  };
}
