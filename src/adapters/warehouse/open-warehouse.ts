/** Chooses and opens the warehouse adapter named by LEDGERGATE_WAREHOUSE. */
import type { Config } from '../../config.js';
import type { Warehouse } from '../../domain/ports.js';
import { createDemoWarehouseFile } from './demo-dataset.js';
import { openDuckDbWarehouse } from './duckdb-warehouse.js';

export async function openWarehouse(config: Config): Promise<Warehouse> {
  const target = config.warehouse;
  switch (target.kind) {
    case 'demo':
      await createDemoWarehouseFile(target.file);
      return openDuckDbWarehouse({ file: target.file, projectId: config.projectId });
    case 'duckdb':
      return openDuckDbWarehouse({ file: target.file, projectId: config.projectId });
    case 'postgres': {
      const { openPostgresWarehouse } = await import('./postgres-warehouse.js');
      return openPostgresWarehouse({ connectionString: target.connectionString, projectId: config.projectId, poolSize: target.poolSize });
    }
    case 'bigquery': {
      // Loaded only when configured: the Google client costs tens of MiB the embedded setup never needs.
      const { openBigQueryWarehouse } = await import('./bigquery-warehouse.js');
      return openBigQueryWarehouse({
        projectId: target.projectId,
        ...(target.location ? { location: target.location } : {}),
        ...(target.keyFile ? { keyFilename: target.keyFile } : {}),
        ...(target.apiEndpoint ? { apiEndpoint: target.apiEndpoint } : {}),
        ...(target.maximumBytesBilled ? { maximumBytesBilled: target.maximumBytesBilled } : {}),
        pricePerTiBUsd: config.pricePerTiBUsd,
        // LEDGERGATE_BIGQUERY_AUTH=none (an emulator or test fake on localhost; config.ts enforces that): an explicit
        // client that adds no credentials, so the Google client never probes the cloud metadata server.
        ...(target.auth === 'none' ? { authClient: { getRequestHeaders: async () => new Headers() } } : {}),
      });
    }
  }
}
