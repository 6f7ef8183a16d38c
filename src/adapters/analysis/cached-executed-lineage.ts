/**
 * Remembers the lineage of executed SQL per (SQL text, table schemas). Reading the DuckDB SQL the
 * warehouse ran goes through polyglot's WASM analyser and cost ~1.5 ms of every allowed query in the
 * gateway's CPU profile (issue 19); agents repeat their queries, and the same text over the same
 * schemas always has the same lineage. The schemas are part of the key, so a changed table (a column
 * added, a type changed) is read afresh. A failed reading (undefined, fail closed) is remembered too:
 * it is as deterministic as a successful one.
 */
import type { OutputColumn } from '../../domain/analysis/types.js';
import type { ExecutedSql, TableSchema } from '../../domain/ports.js';
import { LruCache } from './lru-cache.js';

const schemaKey = (tables: readonly TableSchema[]): string =>
  JSON.stringify(tables.map(({ table, columns }) => [table.project, table.dataset, table.table, columns.map((c) => [c.name, c.type])]));

/** Each caller gets its own copy: masking must not be able to change what the next query is told. */
export const copyOfOutputs = (outputs: readonly OutputColumn[] | undefined): OutputColumn[] | undefined =>
  outputs?.map((output) => ({ ...output, lineage: output.lineage.map((source) => ({ ...source })) }));

/** Reads in this thread (the parser loaded here), so the answer is there at once. */
export type InProcessLineage = (executed: ExecutedSql, tables: readonly TableSchema[]) => OutputColumn[] | undefined;

export function cachedExecutedLineage(read: InProcessLineage, capacity = 500): InProcessLineage {
  const cache = new LruCache<string, { outputs: OutputColumn[] | undefined }>(capacity);
  return (executed, tables) => {
    const key = `${executed.dialect}\u0000${executed.sql}\u0000${schemaKey(tables)}`;
    let entry = cache.get(key);
    if (!entry) {
      entry = { outputs: read(executed, tables) };
      cache.set(key, entry);
    }
    return copyOfOutputs(entry.outputs);
  };
}
