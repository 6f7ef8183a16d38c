/**
 * Analyses are cached by SQL hash and catalog version: DDL run through the (DuckDB) warehouse changes
 * the catalog's version, so the next analysis of the same text is made afresh against the new schema
 * instead of reusing a reading of tables that have since changed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPolyglotAnalyser } from '../../../src/adapters/analysis/polyglot-analyser.js';
import { createDemoWarehouseFile } from '../../../src/adapters/warehouse/demo-dataset.js';
import { openDuckDbWarehouse } from '../../../src/adapters/warehouse/duckdb-warehouse.js';
import type { Analyser, Warehouse } from '../../../src/domain/ports.js';

const context = { defaultProject: 'demo-project' };
const sql = 'SELECT * FROM sales.scratch';

describe('analysis cache and the catalog version (DuckDB warehouse)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledgergate-catalog-version-'));
  let warehouse: Warehouse;
  let analyser: Analyser;
  let jobs = 0;
  const run = (statement: string) =>
    warehouse.execute({ jobId: `catalog-version-${++jobs}`, sql: statement, maxRows: 10, maxResultBytes: 100_000, timeoutMs: 20_000 });

  before(async () => {
    const file = join(dir, 'demo.duckdb');
    await createDemoWarehouseFile(file);
    warehouse = await openDuckDbWarehouse({ file, projectId: 'demo-project' });
    analyser = createPolyglotAnalyser({ catalog: warehouse, warmUp: false });
  });
  after(async () => {
    await warehouse?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a repeated request from the cache while the catalog is unchanged', async () => {
    const first = await analyser.analyse(sql, context);
    assert.equal(await analyser.analyse(sql, context), first);
    // The table does not exist yet: its lineage cannot be known.
    assert.equal(first.statements[0]?.flags.lineageIncomplete, true);
  });

  it('analyses afresh after CREATE TABLE and after ALTER TABLE run through the warehouse', async () => {
    const before = await analyser.analyse(sql, context);
    const versionBefore = warehouse.version();

    await run('CREATE TABLE sales.scratch (id INT64, secret STRING)');
    const afterCreate = warehouse.version();
    assert.notEqual(afterCreate, versionBefore);
    const created = await analyser.analyse(sql, context);
    assert.notEqual(created, before);
    assert.equal(created.statements[0]?.flags.lineageIncomplete, false);
    assert.deepEqual(created.statements[0]?.outputColumns.map((column) => column.name), ['id', 'secret']);
    assert.deepEqual(created.statements[0]?.outputColumns[1]?.lineage, [{ table: 'demo-project.sales.scratch', column: 'secret' }]);

    await run('ALTER TABLE sales.scratch ADD COLUMN note STRING');
    assert.notEqual(warehouse.version(), afterCreate);
    const altered = await analyser.analyse(sql, context);
    assert.deepEqual(altered.statements[0]?.outputColumns.map((column) => column.name), ['id', 'secret', 'note']);
    // And that answer is cached again until the next change.
    assert.equal(await analyser.analyse(sql, context), altered);
  });
});
