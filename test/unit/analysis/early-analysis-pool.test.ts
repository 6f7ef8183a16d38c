/**
 * Analysis workers started before the warehouse is open (main.ts overlaps their parser load with the
 * gateway's own start): lookups wait for the warehouse to be named, then every answer equals what a
 * pool made with the warehouse from the start gives; nothing is read from a catalog not yet named.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createDeferredCatalog } from '../../../src/adapters/analysis/pool/deferred-catalog.js';
import { startAnalysisPoolEarly } from '../../../src/adapters/analysis/pool/early-analysis-pool.js';
import { createWorkerPoolAnalyser, defaultAnalysisLimits } from '../../../src/adapters/analysis/pool/worker-pool-analyser.js';
import { createFakeCatalog } from './fake-catalog.js';

const context = { defaultProject: 'demo-project' };

describe('deferred catalog', () => {
  it('holds lookups until a warehouse is named, then answers from it; a second name is ignored', async () => {
    const deferred = createDeferredCatalog();
    const real = createFakeCatalog();
    assert.throws(() => deferred.catalog.version(), /no warehouse yet/, 'no version to key a cache on before the warehouse');
    let answered = false;
    const lookup = deferred.catalog.getTable({ project: 'demo-project', dataset: 'sales', table: 'orders' }).then((schema) => {
      answered = true;
      return schema;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(answered, false, 'a lookup before the warehouse is named waits');
    deferred.bind(real);
    deferred.bind(createFakeCatalog());
    assert.deepEqual(await lookup, await real.getTable({ project: 'demo-project', dataset: 'sales', table: 'orders' }));
    assert.equal(real.lookups(), 2, 'both lookups went to the first warehouse named');
    assert.equal(deferred.catalog.version(), real.version());
    assert.deepEqual(await deferred.catalog.listDatasets(), await real.listDatasets());
    assert.deepEqual(await deferred.catalog.listTables('sales'), await real.listTables('sales'));
  });
});

describe('analysis pool started early', () => {
  const early = startAnalysisPoolEarly({ workers: 1, limits: defaultAnalysisLimits });
  const direct = createWorkerPoolAnalyser({ catalog: createFakeCatalog(), workers: 1 });
  after(() => Promise.all([early.pool.close(), direct.close()]));

  it('loads its workers before the warehouse is named, then answers what a pool built with the warehouse answers', async () => {
    await early.pool.ready();
    early.bindCatalog(createFakeCatalog());
    for (const sql of [
      'SELECT email, ssn FROM sales.customers',
      'SELECT s.ssn FROM hr.salaries s JOIN sales.customers c ON c.email = s.email',
      'SELECT * FROM sales.nonexistent',
      'DROP TABLE sales.orders',
    ]) {
      assert.deepEqual(await early.pool.analyse(sql, context), await direct.analyse(sql, context), sql);
    }
  });
});
