/**
 * Worker threads that recompute the chain hashes of a bundle file's events while the verifier's own
 * thread parses them and checks the chain in order: every event's hash is independent of the others,
 * only the prevHash links are ordered. A thread is handed the exact text the verifier parsed and
 * parses it again. Fails closed: a thread's error or exit, or an answer of the wrong size, rejects
 * every pending and later request — verification then fails, it never goes on without the hashes.
 */
import { Worker } from 'node:worker_threads';
import { UNHASHED, type ChainHashAnswer, type ChainHashRequest } from './chain-hash-worker.js';

export interface HashedTexts {
  /** The chain hash of the text at `index`, '' where the text is not an event that hashes. */
  at(index: number): string;
}

export interface ChainHashPool {
  /** The chain hash of each text (parsed as one event); rejects when a thread fails. */
  hash(texts: readonly string[]): Promise<HashedTexts>;
  close(): Promise<void>;
}

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
  resolve(hashed: HashedTexts): void;
  reject(error: Error): void;
}

export function createChainHashPool(threads: number): ChainHashPool {
  const workers: Worker[] = [];
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let broken: Error | undefined;

  const failAll = (error: Error): void => {
    broken ??= error;
    for (const job of pending.values()) job.reject(broken);
    pending.clear();
  };
  for (let i = 0; i < Math.max(1, threads); i++) {
    const worker = newWorker();
    worker.on('message', (answer: ChainHashAnswer) => {
      const job = pending.get(answer.id);
      if (job === undefined) return;
      pending.delete(answer.id);
      if (typeof answer.hashes !== 'string' || answer.hashes.length !== job.count * 64) {
        failAll(new Error('a chain hash thread answered the wrong number of hashes'));
        job.reject(broken as Error);
        return;
      }
      job.resolve({
        at(index) {
          const hash = answer.hashes.slice(index * 64, index * 64 + 64);
          return hash === UNHASHED ? '' : hash;
        },
      });
    });
    worker.on('error', (error) => failAll(error));
    worker.on('exit', (code) => failAll(new Error(`a chain hash thread stopped (exit code ${code})`)));
    workers.push(worker);
  }

  return {
    hash(texts) {
      if (broken) return Promise.reject(broken);
      const id = nextId++;
      const worker = workers[id % workers.length] as Worker;
      return new Promise((resolve, reject) => {
        pending.set(id, { count: texts.length, resolve, reject });
        const request: ChainHashRequest = { id, texts };
        worker.postMessage(request);
      });
    },
    async close() {
      broken ??= new Error('the chain hash pool is closed');
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
