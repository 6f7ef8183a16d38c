/**
 * BigQuery table names → DuckDB schema-qualified names. A BigQuery-shaped DuckDB file keeps each
 * dataset as a schema, so `project.dataset.table` in any of its quoting forms becomes `dataset.table`
 * once the project is checked against the warehouse's own project id.
 */
import { LedgergateError } from '../../domain/errors.js';
import type { TableRef } from '../../domain/ports.js';

/** Schemas agents may never name: the job ledger and DuckDB's own catalogs. */
export const hiddenSchemas: ReadonlySet<string> = new Set(['_ledgergate', 'information_schema', 'pg_catalog']);

export const ledgerSchema = '_ledgergate';

/**
 * Splits the parts of a name as the parser saw them (catalog, schema, name — each possibly a
 * backtick-quoted, dotted string) into its BigQuery path segments.
 */
export function nameSegments(parts: readonly (string | undefined)[]): string[] {
  return parts.filter((part): part is string => part !== undefined && part !== '').flatMap((part) => part.split('.'));
}

export interface ResolvedName {
  /** Present when the name had a dataset; absent for one-part names (CTEs, aliases). */
  readonly dataset?: string;
  readonly table: string;
}

/**
 * Resolves BigQuery path segments against the configured project. Projects compare
 * case-insensitively (BigQuery project ids are lower case; DuckDB resolves names case-insensitively).
 */
export function resolveTableName(segments: readonly string[], projectId: string): ResolvedName {
  const shown = segments.join('.');
  if (segments.length === 0 || segments.length > 3 || segments.some((segment) => segment.trim() === '')) {
    throw new LedgergateError('query_invalid', `Invalid table name \`${shown}\`: expected [project.]dataset.table`);
  }
  if (segments.length === 1) return { table: segments[0] };
  const [project, dataset, table] = segments.length === 3 ? segments : [undefined, segments[0], segments[1]];
  if (project !== undefined && project.toLowerCase() !== projectId.toLowerCase()) {
    throw new LedgergateError(
      'query_invalid',
      `Not found: table \`${shown}\` — project ${project} is not this warehouse's project (${projectId})`,
      { reason: 'not_found' },
    );
  }
  if (hiddenSchemas.has(dataset.toLowerCase())) {
    throw new LedgergateError('query_invalid', `Not found: dataset ${dataset} is not available`, { reason: 'not_found' });
  }
  return { dataset, table };
}

/** A TableRef as BigQuery would report it, with the project filled in. */
export const qualifiedRef = (projectId: string, dataset: string, table: string): TableRef => ({
  project: projectId,
  dataset,
  table,
});

/** Double-quotes a DuckDB identifier. */
export const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;
