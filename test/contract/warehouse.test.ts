import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoWarehouseFile } from '../../src/adapters/warehouse/demo-dataset.js';
import { openDuckDbWarehouse } from '../../src/adapters/warehouse/duckdb-warehouse.js';
import { warehouseContract } from './warehouse.contract.js';

warehouseContract('duckdb (embedded demo file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledgergate-wh-'));
  const file = join(dir, 'demo.duckdb');
  await createDemoWarehouseFile(file);
  const warehouse = await openDuckDbWarehouse({ file, projectId: 'demo-project' });
  return {
    warehouse,
    async cleanup() {
      await warehouse.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
