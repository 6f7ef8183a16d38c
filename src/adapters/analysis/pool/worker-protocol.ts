/** Messages between the gateway's event loop and an analysis worker (structured-clone plain data only). */
import type { Analysis } from '../../../domain/analysis/types.js';
import type { AnalysisContext } from '../../../domain/ports.js';
import type { ExternalQueryOptions } from '../external-query/external-query.js';

/** What every worker's analyser is built with (passed as workerData). */
export interface WorkerSettings {
  readonly externalQuery?: ExternalQueryOptions;
}

/** Catalog methods the worker may ask the event loop to run (the warehouse client lives there). */
export type CatalogMethod = 'getTable' | 'listDatasets' | 'listTables';

export type ToWorker =
  | { readonly kind: 'analyse'; readonly id: number; readonly sql: string; readonly context: AnalysisContext; readonly catalogVersion: string }
  | { readonly kind: 'catalog-answer'; readonly callId: number; readonly ok: true; readonly value: unknown }
  | { readonly kind: 'catalog-answer'; readonly callId: number; readonly ok: false; readonly message: string };

export type FromWorker =
  | { readonly kind: 'ready' }
  | { readonly kind: 'analysed'; readonly id: number; readonly analysis: Analysis }
  | { readonly kind: 'failed'; readonly id: number; readonly message: string }
  | { readonly kind: 'catalog-call'; readonly id: number; readonly callId: number; readonly method: CatalogMethod; readonly args: readonly unknown[] };
