/** Chooses and opens the warehouse adapter named by LEDGERGATE_WAREHOUSE. */
import type { Warehouse } from '../../domain/ports.js';
import { createDemoWarehouseFile } from './demo-dataset.js';
import { openDuckDbWarehouse, type DuckDbWarehouseOptions } from './duckdb-warehouse.js';

/** Which warehouse to open (config.ts's WarehouseConfig is one). */
export type WarehouseTarget =
  | { readonly kind: 'demo'; readonly file: string }
  | { readonly kind: 'duckdb'; readonly file: string }
  | {
      readonly kind: 'bigquery';
      readonly projectId: string;
      readonly location?: string;
      readonly keyFile?: string;
      readonly apiEndpoint?: string;
      readonly maximumBytesBilled?: number;
      readonly auth?: 'none';
    }
  | { readonly kind: 'postgres'; readonly connectionString: string; readonly poolSize: number };

export async function openWarehouse(options: {
  target: WarehouseTarget;
  projectId: string;
  pricePerTiBUsd: number;
  /** For the embedded (DuckDB) warehouse only; see DuckDbWarehouseOptions. */
  transpiler?: DuckDbWarehouseOptions['transpiler'];
}): Promise<Warehouse> {
  const { target, projectId } = options;
  const transpiler = options.transpiler ? { transpiler: options.transpiler } : {};
  switch (target.kind) {
    case 'demo':
      await createDemoWarehouseFile(target.file);
      return openDuckDbWarehouse({ file: target.file, projectId, ...transpiler });
    case 'duckdb':
      return openDuckDbWarehouse({ file: target.file, projectId, ...transpiler });
    case 'postgres': {
      const { openPostgresWarehouse } = await import('./postgres-warehouse.js');
      return openPostgresWarehouse({ connectionString: target.connectionString, projectId, poolSize: target.poolSize });
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
        pricePerTiBUsd: options.pricePerTiBUsd,
        // LEDGERGATE_BIGQUERY_AUTH=none (an emulator or test fake on localhost; config.ts enforces that): an explicit
        // client that adds no credentials, so the Google client never probes the cloud metadata server.
        ...(target.auth === 'none' ? { authClient: { getRequestHeaders: async () => new Headers() } } : {}),
      });
    }
  }
}
