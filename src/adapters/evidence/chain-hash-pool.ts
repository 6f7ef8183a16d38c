/**
 * Worker threads that parse and hash a bundle file's events while the verifier's own thread finds
 * them in the file and checks the chain in order: every event's hash is independent of the others,
 * only the prevHash links are ordered. A thread is handed the exact text of each event and answers
 * its link in the chain (see chain-hash-worker.ts). Fails closed: a thread's error or exit, an answer
 * of the wrong size, or no answer within the deadline rejects every pending and later request —
 * verification then fails, it never goes on without the links.
 */
import { Worker } from 'node:worker_threads';
import { tallyArity, type ChainLink } from '../../domain/evidence/event-chain-check.js';
import { UNLINKED, type ChainHashAnswer, type ChainHashRequest } from './chain-hash-worker.js';

export interface LinkedTexts {
  /** The link of the text at `index`, undefined where the text is not an intact event (check it yourself). */
  at(index: number): ChainLink | undefined;
}

export interface ChainHashPool {
  /** The link of each text (parsed as one event); rejects when a thread fails or does not answer. */
  link(texts: readonly string[]): Promise<LinkedTexts>;
  close(): Promise<void>;
}

/** What the pool needs of a thread: node's Worker, or a test's double of one. */
export type HashThread = Pick<Worker, 'postMessage' | 'terminate' | 'on'>;

export interface ChainHashPoolOptions {
  /**
   * How long a thread may take to answer one batch before the pool fails (default 60 s; a batch of a
   * few hundred events takes milliseconds, so only a stuck thread gets near it).
   */
  readonly answerTimeoutMs?: number;
  /** Starts one thread (default: the compiled or source chain-hash-worker). */
  readonly startThread?: () => HashThread;
}

const defaultAnswerTimeoutMs = 60_000;

// Compiled, the worker is the .js beside this file. Under tsx (tests, the bench) it is the TypeScript
// source, and tsx must be registered inside the worker itself (`--import tsx` does not reach a worker's entry).
const fromSource = import.meta.url.endsWith('.ts');
const workerUrl = new URL(fromSource ? './chain-hash-worker.ts' : './chain-hash-worker.js', import.meta.url);
const newWorker = (): Worker =>
  fromSource
    ? new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(workerUrl.href)}); });`, { eval: true, execArgv: [] })
    : new Worker(workerUrl, { execArgv: [] });

interface Pending {
  readonly count: number;
  readonly timer: NodeJS.Timeout;
  resolve(linked: LinkedTexts): void;
  reject(error: Error): void;
}

export function createChainHashPool(threads: number, options: ChainHashPoolOptions = {}): ChainHashPool {
  const answerTimeoutMs = options.answerTimeoutMs ?? defaultAnswerTimeoutMs;
  const startThread = options.startThread ?? newWorker;
  const workers: HashThread[] = [];
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let broken: Error | undefined;

  const failAll = (error: Error): void => {
    broken ??= error;
    for (const job of pending.values()) {
      clearTimeout(job.timer);
      job.reject(broken);
    }
    pending.clear();
  };
  const onAnswer = (answer: ChainHashAnswer): void => {
    const job = pending.get(answer.id);
    if (job === undefined) return;
    pending.delete(answer.id);
    clearTimeout(job.timer);
    const links = decode(answer, job.count);
    if (links === undefined) {
      failAll(new Error('a chain hash thread answered the wrong number of events'));
      job.reject(broken as Error);
      return;
    }
    job.resolve({ at: (index) => links[index] });
  };
  for (let i = 0; i < Math.max(1, threads); i++) {
    const worker = startThread();
    worker.on('message', onAnswer);
    worker.on('error', (error: Error) => failAll(error));
    worker.on('exit', (code: number) => failAll(new Error(`a chain hash thread stopped (exit code ${code})`)));
    workers.push(worker);
  }

  return {
    link(texts) {
      if (broken) return Promise.reject(broken);
      const id = nextId++;
      const worker = workers[id % workers.length] as HashThread;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => failAll(new Error(`a chain hash thread did not answer within ${answerTimeoutMs / 1000} s (stuck or starved); the file was not verified`)),
          answerTimeoutMs,
        );
        pending.set(id, { count: texts.length, timer, resolve, reject });
        const request: ChainHashRequest = { id, texts };
        worker.postMessage(request);
      });
    },
    async close() {
      failAll(new Error('the chain hash pool is closed'));
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}

/** The links an answer holds, or undefined when it does not hold exactly `count` well-formed entries. */
function decode(answer: ChainHashAnswer, count: number): (ChainLink | undefined)[] | undefined {
  const { positions, hashes, values } = answer;
  if (!(positions instanceof Float64Array) || positions.length !== count) return undefined;
  if (typeof hashes !== 'string' || hashes.length !== count * 128 || !Array.isArray(values)) return undefined;
  const links: (ChainLink | undefined)[] = new Array(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const position = positions[i] as number;
    if (Number.isNaN(position)) {
      if (hashes.slice(i * 128, i * 128 + 128) !== UNLINKED) return undefined;
      links[i] = undefined;
      continue;
    }
    const streamName = values[at];
    const type = values[at + 1];
    if (typeof streamName !== 'string' || typeof type !== 'string') return undefined;
    const arity = tallyArity(type);
    const hash = hashes.slice(i * 128, i * 128 + 64);
    links[i] = {
      position,
      streamName,
      type,
      hash,
      prevHash: hashes.slice(i * 128 + 64, i * 128 + 128),
      // The thread linked only events whose hash it recomputed equal; the hash is still compared
      // again here in file order against the chain, and the position against the one expected.
      recomputed: hash,
      fact: arity === 0 ? [] : values.slice(at + 2, at + 2 + arity),
    };
    at += 2 + arity;
  }
  return at === values.length ? links : undefined;
}
