/** The executed-lineage cache: the same answer as reading afresh, re-read when the schemas change. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cachedExecutedLineage, type InProcessLineage } from '../../../src/adapters/analysis/cached-executed-lineage.js';
import { executedLineage } from '../../../src/adapters/analysis/executed-lineage.js';
import { ensureTranspilerReady, googleSqlToDuckDb } from '../../../src/adapters/warehouse/googlesql-to-duckdb.js';
import type { TableSchema } from '../../../src/domain/ports.js';

const customers = (ssnType = 'STRING'): TableSchema => ({
  table: { project: 'demo-project', dataset: 'sales', table: 'customers' },
  columns: [
    { name: 'email', type: 'STRING' },
    { name: 'ssn', type: ssnType },
  ],
});

async function duckDbSql(googleSql: string) {
  await ensureTranspilerReady();
  return { dialect: 'duckdb' as const, sql: googleSqlToDuckDb(googleSql, 'demo-project').statements[0] as string };
}

/** The real reader, counting how often it is asked. */
function countingReader(): { read: InProcessLineage; calls: () => number } {
  let calls = 0;
  return {
    read: (executed, tables) => {
      calls += 1;
      return executedLineage(executed, tables);
    },
    calls: () => calls,
  };
}

describe('cached executed lineage', () => {
  it('answers a repeated query like a fresh reading, reading it once', async () => {
    const executed = await duckDbSql('SELECT email AS who, ssn FROM sales.customers');
    const reader = countingReader();
    const cached = cachedExecutedLineage(reader.read);
    const fresh = executedLineage(executed, [customers()]);
    assert.ok(fresh && fresh.length === 2);
    assert.deepEqual(cached(executed, [customers()]), fresh);
    assert.deepEqual(cached(executed, [customers()]), fresh);
    assert.equal(reader.calls(), 1);
  });

  it('reads again when a schema changed, and for different SQL', async () => {
    const executed = await duckDbSql('SELECT ssn FROM sales.customers');
    const reader = countingReader();
    const cached = cachedExecutedLineage(reader.read);
    cached(executed, [customers()]);
    cached(executed, [customers('INT64')]);
    cached(await duckDbSql('SELECT email FROM sales.customers'), [customers()]);
    assert.equal(reader.calls(), 3);
  });

  it('remembers an unreadable statement as unreadable (the caller fails closed every time)', () => {
    const reader = countingReader();
    const cached = cachedExecutedLineage(reader.read);
    const garbage = { dialect: 'duckdb' as const, sql: 'SELEC nonsense FROM (' };
    assert.equal(cached(garbage, [customers()]), undefined);
    assert.equal(cached(garbage, [customers()]), undefined);
    assert.equal(reader.calls(), 1);
  });

  it('gives every caller its own copy, so one cannot change what the next is told', async () => {
    const executed = await duckDbSql('SELECT ssn FROM sales.customers');
    const cached = cachedExecutedLineage(executedLineage);
    const first = cached(executed, [customers()])!;
    (first[0]!.lineage as { table: string; column: string }[]).length = 0;
    assert.deepEqual(cached(executed, [customers()])![0]!.lineage, [{ table: 'demo-project.sales.customers', column: 'ssn' }]);
  });
});
