/**
 * Reads a streaming DuckDB result chunk by chunk: rows are converted and kept only until maxRows or
 * maxResultBytes is reached; the rest are counted and dropped, so memory stays bounded by the limits,
 * not by the result's size. totalRows is exact unless the deadline stops the count early, in which case
 * it is the number of rows seen so far (a lower bound) — the caller knows from `countComplete`.
 */
import type { DuckDBResult } from '@duckdb/node-api';
import type { CellValue, ColumnSchema } from '../../domain/ports.js';
import { cellValue, columnSchema } from './duckdb-values.js';

export interface ReadLimits {
  readonly maxRows: number;
  readonly maxResultBytes: number;
  /** True once the caller's deadline passed; counting stops then instead of failing the job. */
  readonly stopCounting: () => boolean;
}

export interface LimitedRows {
  readonly columns: readonly ColumnSchema[];
  /** Positional: cell i under columns[i]. */
  readonly rows: CellValue[][];
  readonly totalRows: number;
  readonly truncated: boolean;
  readonly countComplete: boolean;
}

export async function readLimited(result: DuckDBResult, limits: ReadLimits): Promise<LimitedRows> {
  const names = result.deduplicatedColumnNames();
  const types = result.columnTypes();
  const columns = names.map((name, i) => columnSchema(name, types[i]));
  const rows: CellValue[][] = [];
  let bytes = 2; // the enclosing brackets of a JSON array
  let storing = limits.maxRows > 0;
  let totalRows = 0;
  for (;;) {
    if (!storing && limits.stopCounting()) return { columns, rows, totalRows, truncated: true, countComplete: false };
    let chunk;
    try {
      chunk = await result.fetchChunk();
    } catch (error) {
      // Interrupted while only counting: the kept rows are complete, the count is a lower bound.
      if (!storing && limits.stopCounting()) return { columns, rows, totalRows, truncated: true, countComplete: false };
      throw error;
    }
    if (!chunk || chunk.rowCount === 0) break;
    if (storing) {
      const values = names.map((_, i) => chunk.getColumnValues(i));
      for (let r = 0; r < chunk.rowCount && storing; r++) {
        const row = names.map((_, i) => cellValue(values[i][r], types[i]));
        const size = Buffer.byteLength(JSON.stringify(row)) + 1;
        if (bytes + size > limits.maxResultBytes) {
          storing = false;
          break;
        }
        rows.push(row);
        bytes += size;
        if (rows.length >= limits.maxRows) storing = false;
      }
    }
    totalRows += chunk.rowCount;
  }
  return { columns, rows, totalRows, truncated: rows.length < totalRows, countComplete: true };
}
