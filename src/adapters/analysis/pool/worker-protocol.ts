/** Messages between the gateway's event loop and an analysis worker (structured-clone plain data only). */
import type { Analysis, OutputColumn } from '../../../domain/analysis/types.js';
import type { AnalysisContext, ExecutedSql, TableSchema } from '../../../domain/ports.js';
import type { ExternalQueryOptions } from '../external-query/external-query.js';

/** What every worker's analyser is built with (passed as workerData). */
export interface WorkerSettings {
  readonly externalQuery?: ExternalQueryOptions;
}

/** Catalog methods the worker may ask the event loop to run (the warehouse client lives there). */
export type CatalogMethod = 'getTable' | 'listDatasets' | 'listTables';

/**
 * The parser's jobs. Besides analysing agents' SQL, the worker does the event loop's other parser
 * work (GoogleSQL → DuckDB for the embedded warehouse, lineage of the SQL it ran), so the parser's
 * WebAssembly is loaded only in the workers, not a second time on the event loop.
 */
export type WorkerRequest =
  | { readonly kind: 'analyse'; readonly sql: string; readonly context: AnalysisContext; readonly catalogVersion: string }
  | { readonly kind: 'transpile'; readonly sql: string; readonly projectId: string }
  | { readonly kind: 'executed-lineage'; readonly executed: ExecutedSql; readonly tables: readonly TableSchema[] };

export type ToWorker =
  | (WorkerRequest & { readonly id: number })
  | { readonly kind: 'catalog-answer'; readonly callId: number; readonly ok: true; readonly value: unknown }
  | { readonly kind: 'catalog-answer'; readonly callId: number; readonly ok: false; readonly message: string };

/** A LedgergateError crossing the thread boundary (class instances do not survive structured clone). */
export interface ErrorShape {
  readonly code: string;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

export type FromWorker =
  | { readonly kind: 'ready' }
  | { readonly kind: 'analysed'; readonly id: number; readonly analysis: Analysis }
  | { readonly kind: 'transpiled'; readonly id: number; readonly statements: readonly string[] }
  | { readonly kind: 'lineage'; readonly id: number; readonly outputs: OutputColumn[] | undefined }
  | { readonly kind: 'refused'; readonly id: number; readonly error: ErrorShape }
  | { readonly kind: 'failed'; readonly id: number; readonly message: string }
  | { readonly kind: 'catalog-call'; readonly id: number; readonly callId: number; readonly method: CatalogMethod; readonly args: readonly unknown[] };
