/**
 * The analysis workers, started before the gateway loads the rest of itself. Each worker spends its
 * first seconds loading and exercising the parser's WebAssembly; the event loop meanwhile loads the
 * gateway's modules and opens its stores. Started first, the two overlap on a second core instead of
 * one waiting for the other (`main.ts`). The warehouse they look tables up in is named when it is open.
 */
import type { Catalog } from '../../../domain/ports.js';
import type { ExternalQueryOptions } from '../external-query/external-query.js';
import { createDeferredCatalog } from './deferred-catalog.js';
import { createWorkerPoolAnalyser, type AnalysisLimits, type WorkerPoolAnalyser } from './worker-pool-analyser.js';

export interface EarlyAnalysisPool {
  readonly pool: WorkerPoolAnalyser;
  /** The catalog every worker's lookups go to, once the warehouse is open. */
  bindCatalog(catalog: Catalog): void;
}

export function startAnalysisPoolEarly(options: { workers: number; limits: AnalysisLimits; externalQuery?: ExternalQueryOptions }): EarlyAnalysisPool {
  const deferred = createDeferredCatalog();
  const pool = createWorkerPoolAnalyser({ catalog: deferred.catalog, ...options });
  return { pool, bindCatalog: (catalog) => deferred.bind(catalog) };
}
