/** Starts a fake BigQuery with the standard tables and a warehouse pointed at it, with test-safe client settings. */
import { openBigQueryWarehouse, type BigQueryWarehouseOptions } from '../../../src/adapters/warehouse/bigquery-warehouse.js';
import type { Warehouse } from '../../../src/domain/ports.js';
import { cannedEngine, type CannedEngineOptions, type CannedTable } from './canned-engine.js';
import { staticTokenAuthClient } from './fake-auth.js';
import { PROJECT, standardTables } from './fixtures.js';
import { startFakeBigQuery, type FakeBigQuery, type FakeBigQueryOptions } from './server.js';

export interface Harness {
  readonly fake: FakeBigQuery;
  readonly warehouse: Warehouse;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly tables?: readonly CannedTable[];
  readonly queries?: CannedEngineOptions['queries'];
  readonly fake?: Partial<Omit<FakeBigQueryOptions, 'engine' | 'projectId'>>;
  readonly warehouse?: Partial<BigQueryWarehouseOptions>;
}

export const startHarness = async (options: HarnessOptions = {}): Promise<Harness> => {
  const engine = cannedEngine(options.tables ?? standardTables(), { projectId: PROJECT, queries: options.queries });
  const fake = await startFakeBigQuery({ projectId: PROJECT, engine, ...options.fake });
  const warehouse = await openBigQueryWarehouse({
    projectId: PROJECT,
    apiEndpoint: fake.url,
    authClient: staticTokenAuthClient(),
    retry: { maxRetries: 0 },
    requestTimeoutMs: 5_000,
    ...options.warehouse,
  });
  return {
    fake,
    warehouse,
    close: async () => {
      await warehouse.close();
      await fake.close();
    },
  };
};
