/**
 * The output columns of the SQL the warehouse ran (the DuckDB transpilation of the agent's
 * GoogleSQL), with their lineage onto catalogued columns. Masking pairs these with the analysed
 * outputs and the result's columns: the three lists must agree, and a column gets the rules of both
 * lineages. Undefined when the executed SQL cannot be analysed — the caller then fails closed.
 */
import type { ExecutedLineage } from '../../app/policy-result-masker.js';
import type { OutputColumn, SourceColumn } from '../../domain/analysis/types.js';
import type { ExecutedSql, TableSchema } from '../../domain/ports.js';
import { analyseDuckDbQuery, type Schema } from './polyglot-sdk.js';

const simpleType = (type: string): string => (/^[A-Za-z][A-Za-z0-9_]*$/.test(type) ? type : 'VARCHAR');

/** Synchronous (the parser runs in this thread), which the analysis worker relies on. */
export const executedLineage = ((executed: ExecutedSql, tables: readonly TableSchema[]): OutputColumn[] | undefined => {
  // The transpiler writes tables as "dataset"."table" (DuckDB schemas are BigQuery datasets).
  const byWrittenName = new Map<string, TableSchema>();
  const schema: Schema = { strict: false, tables: [] };
  for (const table of tables) {
    const written = `${table.table.dataset}.${table.table.table}`.toLowerCase();
    if (byWrittenName.has(written)) continue;
    byWrittenName.set(written, table);
    schema.tables.push({
      name: table.table.table,
      schema: table.table.dataset,
      columns: table.columns.map((column) => ({ name: column.name, type: simpleType(column.type) })),
    });
  }
  const analysis = analyseDuckDbQuery(executed.sql, schema);
  if (!analysis) return undefined;
  return analysis.projections.map((projection): OutputColumn => {
    const lineage: SourceColumn[] = [];
    let followed = !projection.isStar;
    for (const upstream of projection.upstream) {
      const table = upstream.sourceKind === 'table' && upstream.table ? byWrittenName.get(upstream.table.toLowerCase()) : undefined;
      const column = table?.columns.find((c) => c.name.toLowerCase() === upstream.column.toLowerCase());
      if (table && column) {
        lineage.push({ table: `${table.table.project}.${table.table.dataset}.${table.table.table}`, column: column.name.toLowerCase() });
      } else {
        // A reference that stops short of a catalogued column (a CTE, a column list, a whole row).
        followed = false;
      }
    }
    const name = (projection.name ?? `_col_${projection.index}`).toLowerCase();
    return { name, lineage, confidence: followed ? 'derived' : 'unknown' };
  });
}) satisfies ExecutedLineage;
