import { openPostgresWarehouse } from '../../src/adapters/warehouse/postgres-warehouse.js';
import { startPostgresTarget } from '../support/postgres-target.js';
import { warehouseContract } from './warehouse.contract.js';

warehouseContract(
  'postgres (PGlite over the wire protocol)',
  async () => {
    const target = await startPostgresTarget();
    const warehouse = await openPostgresWarehouse({ connectionString: target.url, projectId: 'demo-project', poolSize: 2 });
    return {
      warehouse,
      async cleanup() {
        await warehouse.close();
        await target.stop();
      },
    };
  },
  'postgresql',
);
