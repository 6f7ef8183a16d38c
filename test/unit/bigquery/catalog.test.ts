import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CachedCatalog, type CatalogSource } from '../../../src/adapters/warehouse/bigquery-catalog.js';
import type { TableRef, TableSchema } from '../../../src/domain/ports.js';

const ref: TableRef = { project: 'p', dataset: 'd', table: 't' };

const source = () => {
  const state = { columns: [{ name: 'a', type: 'INT64' }], calls: 0 };
  const src: CatalogSource = {
    fetchTable: async (table): Promise<TableSchema> => {
      state.calls += 1;
      return { table, columns: [...state.columns] };
    },
    fetchDatasets: async () => ['d'],
    fetchTables: async () => [ref],
  };
  return { state, src };
};

describe('cached BigQuery catalog', () => {
  it('serves from cache within the TTL and refetches after it', async () => {
    let now = 0;
    const { state, src } = source();
    const catalog = new CachedCatalog(src, 1_000, () => now, 'bq');
    await catalog.getTable(ref);
    await catalog.getTable(ref);
    assert.equal(state.calls, 1);
    now = 1_500;
    await catalog.getTable(ref);
    assert.equal(state.calls, 2);
  });

  it('changes version only when a refresh brings different content', async () => {
    let now = 0;
    const { state, src } = source();
    const catalog = new CachedCatalog(src, 1_000, () => now, 'bq');
    await catalog.getTable(ref);
    const v0 = catalog.version();
    now = 2_000;
    await catalog.getTable(ref);
    assert.equal(catalog.version(), v0, 'same content, same version');
    state.columns.push({ name: 'b', type: 'STRING' });
    now = 4_000;
    const refreshed = await catalog.getTable(ref);
    assert.equal(refreshed?.columns.length, 2);
    assert.notEqual(catalog.version(), v0);
  });

  it('shares one fetch between concurrent callers', async () => {
    const { state, src } = source();
    const catalog = new CachedCatalog(src, 1_000, () => 0, 'bq');
    await Promise.all([catalog.getTable(ref), catalog.getTable(ref), catalog.getTable(ref)]);
    assert.equal(state.calls, 1);
  });
});
