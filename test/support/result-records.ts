/** A positional warehouse result read as records keyed by column name, for assertions on named cells. */
import type { CellValue, QueryResult } from '../../src/domain/ports.js';

export function recordsOf(result: Pick<QueryResult, 'columns' | 'rows'>): Record<string, CellValue>[] {
  return result.rows.map((row) => Object.fromEntries(result.columns.map((column, i) => [column.name, row[i] ?? null])));
}
