/**
 * A Catalog whose warehouse is named later. Why: the analysis workers take about as long to load the
 * parser's WebAssembly as the gateway takes to load its own modules and open its stores, so
 * `main.ts` starts them first and hands them the warehouse once it is open — the two loads overlap
 * instead of adding up. Nothing is analysed before the gateway serves; a lookup that came earlier
 * would wait for the warehouse, and `version()` before it is named throws (the analysis then fails
 * closed), never guesses.
 */
import type { Catalog, TableRef, TableSchema } from '../../../domain/ports.js';

export interface DeferredCatalog {
  readonly catalog: Catalog;
  /** Names the warehouse every lookup goes to; only the first call counts. */
  bind(catalog: Catalog): void;
}

export function createDeferredCatalog(): DeferredCatalog {
  let bound: Catalog | undefined;
  let markBound: (catalog: Catalog) => void = () => undefined;
  const named = new Promise<Catalog>((resolve) => (markBound = resolve));
  const current = (): Promise<Catalog> => (bound ? Promise.resolve(bound) : named);
  return {
    catalog: {
      getTable: async (table: TableRef): Promise<TableSchema | undefined> => (await current()).getTable(table),
      listDatasets: async () => (await current()).listDatasets(),
      listTables: async (dataset: string) => (await current()).listTables(dataset),
      version: () => {
        if (!bound) throw new Error('the analysis catalog has no warehouse yet');
        return bound.version();
      },
    },
    bind(catalog) {
      if (bound) return;
      bound = catalog;
      markBound(catalog);
    },
  };
}
