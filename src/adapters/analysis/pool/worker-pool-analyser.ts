/**
 * The Analyser port with the parser off the event loop: statements over a size cap are refused at
 * once (measured in one cheap pass), the rest are analysed in worker threads under a deadline. A
 * worker past the deadline is ended and replaced, so a pathological statement costs its caller an
 * `analysis_limit` error and nobody else anything. Answers are cached here, on the event loop.
 *
 * The workers also do the event loop's other parser work — GoogleSQL → DuckDB for the embedded
 * warehouse, the lineage of the SQL it ran — so the parser's WebAssembly (~70 MiB resident per
 * thread) is loaded once per worker and never on the event loop. Both are cached like analyses.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { Analysis, OutputColumn } from '../../../domain/analysis/types.js';
import { LedgergateError, type ErrorCode } from '../../../domain/errors.js';
import type { Analyser, AnalysisContext, Catalog, ExecutedSql, TableSchema } from '../../../domain/ports.js';
import { LruCache } from '../lru-cache.js';
import { measureStatement, overCap, type SizeCaps } from './statement-size.js';
import type { ExternalQueryOptions } from '../external-query/external-query.js';
import type { TranspiledSql } from '../../warehouse/googlesql-to-duckdb.js';
import type { FromWorker, ToWorker, WorkerRequest, WorkerSettings } from './worker-protocol.js';

export interface AnalysisLimits extends SizeCaps {
  /** Longest an analysis may take, catalog lookups included. */
  readonly timeoutMs: number;
}

export const defaultAnalysisLimits: AnalysisLimits = { maxTokens: 50_000, maxListItems: 2_000, maxNesting: 64, timeoutMs: 30_000 };

export interface WorkerPoolAnalyser extends Analyser {
  /** GoogleSQL → DuckDB statements, as `googleSqlToDuckDb` gives them (its refusals keep their codes). */
  transpileToDuckDb(sql: string, projectId: string): Promise<TranspiledSql>;
  /** Lineage of SQL a warehouse ran, as `executedLineage` gives it. */
  executedLineage(executed: ExecutedSql, tables: readonly TableSchema[]): Promise<OutputColumn[] | undefined>;
  /** Resolves once every worker has loaded the parser (the gateway serves only then). */
  ready(): Promise<void>;
  /** Ends the workers (pending analyses fail). */
  close(): Promise<void>;
}

interface Job {
  readonly id: number;
  readonly request: WorkerRequest;
  readonly resolve: (answer: unknown) => void;
  readonly reject: (error: Error) => void;
  /** Started when the job reaches a ready worker: loading a worker is not the statement's fault. */
  timer?: NodeJS.Timeout;
  /** A catalog lookup failed: the fail-closed answer must not be cached past the outage. */
  lookupFailed: boolean;
}

interface Slot {
  worker: Worker;
  /** The current worker has loaded the parser; until then jobs wait in `jobs` unsent. */
  isReady: boolean;
  ready: Promise<void>;
  markReady: () => void;
  readonly jobs: Map<number, Job>;
}

// Compiled, the worker is the .js beside this file. Under tsx (tests, the bench) it is the TypeScript
// source, and tsx must be registered inside the worker itself (`--import tsx` does not reach a worker's entry).
const fromSource = import.meta.url.endsWith('.ts');
const workerUrl = new URL(fromSource ? './analysis-worker.ts' : './analysis-worker.js', import.meta.url);
const newWorker = (settings: WorkerSettings): Worker =>
  fromSource
    ? new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(workerUrl.href)}); });`, { eval: true, execArgv: [], workerData: settings })
    : new Worker(workerUrl, { execArgv: [], workerData: settings });

export const limitError = (message: string, reason: string): LedgergateError => new LedgergateError('analysis_limit', message, { reason });

export function createWorkerPoolAnalyser(options: {
  catalog: Catalog;
  /** How EXTERNAL_QUERY calls are read (handed to every worker's analyser). */
  externalQuery?: ExternalQueryOptions;
  /** Worker threads (at least 1). */
  workers: number;
  limits?: AnalysisLimits;
  cacheSize?: number;
}): WorkerPoolAnalyser {
  const { catalog } = options;
  const limits = options.limits ?? defaultAnalysisLimits;
  const cache = new LruCache<string, Promise<Analysis>>(options.cacheSize ?? 1000);
  let nextId = 0;
  let closed = false;

  const slots: Slot[] = Array.from({ length: Math.max(1, options.workers) }, () => {
    const slot = { jobs: new Map() } as unknown as Slot;
    slot.worker = spawn(slot);
    return slot;
  });

  function spawn(slot: Slot): Worker {
    slot.isReady = false;
    slot.ready = new Promise((resolve) => (slot.markReady = resolve));
    const worker = newWorker({ ...(options.externalQuery ? { externalQuery: { postgresConnections: [...options.externalQuery.postgresConnections] } } : {}) });
    worker.unref();
    worker.on('message', (message: FromWorker) => onMessage(slot, worker, message));
    worker.on('error', (error) => failAll(slot, worker, `the analysis worker failed: ${error.message}`));
    worker.on('exit', () => {
      if (slot.worker !== worker) return;
      failAll(slot, worker, 'the analysis worker stopped');
      if (!closed) slot.worker = spawn(slot);
    });
    return worker;
  }

  function failAll(slot: Slot, worker: Worker, message: string): void {
    if (slot.worker !== worker) return;
    for (const job of slot.jobs.values()) finish(slot, job, () => job.reject(new Error(message)));
  }

  function finish(slot: Slot, job: Job, settle: () => void): void {
    if (!slot.jobs.delete(job.id)) return;
    clearTimeout(job.timer);
    settle();
  }

  function onMessage(slot: Slot, worker: Worker, message: FromWorker): void {
    if (message.kind === 'ready') {
      if (slot.worker !== worker) return;
      slot.isReady = true;
      slot.markReady();
      for (const job of slot.jobs.values()) send(slot, job);
      return;
    }
    const job = slot.jobs.get(message.id);
    if (!job) return;
    switch (message.kind) {
      case 'analysed':
        finish(slot, job, () => job.resolve(message.analysis));
        return;
      case 'transpiled':
        finish(slot, job, () => job.resolve({ statements: message.statements }));
        return;
      case 'lineage':
        finish(slot, job, () => job.resolve(message.outputs));
        return;
      case 'refused':
        finish(slot, job, () => job.reject(new LedgergateError(message.error.code as ErrorCode, message.error.message, message.error.details)));
        return;
      case 'failed':
        finish(slot, job, () => job.reject(new Error(message.message)));
        return;
      case 'catalog-call': {
        const answer = (value: ToWorker) => {
          if (slot.worker === worker) worker.postMessage(value);
        };
        const method = catalog[message.method] as (...args: unknown[]) => Promise<unknown>;
        method.apply(catalog, [...message.args]).then(
          (value) => answer({ kind: 'catalog-answer', callId: message.callId, ok: true, value }),
          (error: unknown) => {
            job.lookupFailed = true;
            answer({ kind: 'catalog-answer', callId: message.callId, ok: false, message: error instanceof Error ? error.message : String(error) });
          },
        );
      }
    }
  }

  /** Past the deadline: the worker may be stuck in the parser, so it is ended; its other jobs move to its successor. */
  function timeOut(slot: Slot, job: Job): void {
    finish(slot, job, () => job.reject(limitError(`Analysing the statement took longer than ${limits.timeoutMs} ms`, 'timeout')));
    const stuck = slot.worker;
    const others = [...slot.jobs.values()];
    slot.jobs.clear();
    slot.worker = spawn(slot);
    void stuck.terminate();
    for (const other of others) post(slot, other);
  }

  function post(slot: Slot, job: Job): void {
    slot.jobs.set(job.id, job);
    if (slot.isReady) send(slot, job);
  }

  function send(slot: Slot, job: Job): void {
    job.timer ??= setTimeout(() => timeOut(slot, job), limits.timeoutMs);
    const message: ToWorker = { ...job.request, id: job.id };
    slot.worker.postMessage(message);
  }

  /** `T` is what the worker answers to this request kind (worker-protocol.ts pairs them). */
  function inWorker<T>(request: WorkerRequest): Promise<{ answer: T; lookupFailed: boolean }> {
    if (closed) return Promise.reject(new LedgergateError('internal', 'The analyser is closed'));
    const slot = slots.reduce((least, s) => (s.jobs.size < least.jobs.size ? s : least));
    return new Promise((resolve, reject) => {
      const id = ++nextId;
      const job: Job = {
        id,
        request,
        resolve: (answer) => resolve({ answer: answer as T, lookupFailed: job.lookupFailed }),
        reject,
        lookupFailed: false,
      };
      post(slot, job);
    });
  }

  /** Pure parser work, cached by its input; failures are not answers, so they are not kept. */
  const parserWork = new LruCache<string, Promise<unknown>>(options.cacheSize ?? 1000);
  function cachedParserWork<T>(request: WorkerRequest): Promise<T> {
    const key = createHash('sha256').update(JSON.stringify(request), 'utf8').digest('hex');
    const cached = parserWork.get(key);
    if (cached) return cached as Promise<T>;
    const pending = inWorker<T>(request).then(({ answer }) => answer);
    parserWork.set(key, pending);
    pending.catch(() => parserWork.delete(key));
    return pending;
  }

  return {
    analyse(sql, context) {
      const over = overCap(measureStatement(sql, limits), limits);
      if (over) return Promise.reject(limitError(over.message, over.measure));
      const version = catalog.version();
      const key = JSON.stringify([createHash('sha256').update(sql, 'utf8').digest('hex'), context.defaultProject, context.defaultDataset ?? null, version]);
      const cached = cache.get(key);
      if (cached) return cached;
      const pending = inWorker<Analysis>({ kind: 'analyse', sql, context, catalogVersion: version }).then(({ answer: analysis, lookupFailed }) => {
        // A catalog outage gives a fail-closed answer that must not outlive the outage.
        if (lookupFailed) cache.delete(key);
        return analysis;
      });
      cache.set(key, pending);
      // Limits and worker failures are not answers: the next caller tries again.
      pending.catch(() => cache.delete(key));
      return pending;
    },
    transpileToDuckDb: (sql, projectId) => cachedParserWork<TranspiledSql>({ kind: 'transpile', sql, projectId }),
    executedLineage: (executed, tables) => cachedParserWork<OutputColumn[] | undefined>({ kind: 'executed-lineage', executed, tables }),
    async ready() {
      await Promise.all(slots.map((slot) => slot.ready));
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}
