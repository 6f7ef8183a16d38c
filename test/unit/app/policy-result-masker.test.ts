/**
 * The masker as the saga uses it, with the shipped policy: it pairs the warehouse's positional rows
 * with the analysis, and — when the warehouse ran other SQL than the analysed (DuckDB's
 * transpilation) — with the lineage of what ran, failing closed when that cannot be read.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createPolicyResultMasker, type ExecutedLineage } from '../../../src/app/policy-result-masker.js';
import type { Analysis, OutputColumn } from '../../../src/domain/analysis/types.js';
import { parsePolicy } from '../../../src/domain/policy/parse.js';
import type { Catalog, QueryResult, TableSchema } from '../../../src/domain/ports.js';

const parsed = parsePolicy(readFileSync(new URL('../../../policy.yaml', import.meta.url), 'utf8'));
assert.ok(parsed.ok);
const policy = parsed.policy;
const table = 'demo-project.sales.customers';
const schema: TableSchema = {
  table: { project: 'demo-project', dataset: 'sales', table: 'customers' },
  columns: ['customer_id', 'city', 'ssn', 'email'].map((name) => ({ name, type: 'STRING' })),
};
// A catalog that knows one table, as the warehouse's catalog would.
const catalog: Catalog = {
  getTable: async (ref) => (ref.table === 'customers' ? schema : undefined),
  listDatasets: async () => ['sales'],
  listTables: async () => [schema.table],
  version: () => 'v1',
};

const analysisOf = (outputs: OutputColumn[]): Analysis => ({
  statements: [
    {
      kind: 'select',
      kinds: ['select'],
      tables: [table],
      writtenTables: [],
      outputColumns: outputs,
      filterColumns: [],
      joinColumns: [],
      groupColumns: [],
      orderColumns: [],
      flags: { scripting: false, dynamicSql: false, unparsed: false, lineageIncomplete: false },
      text: 'SELECT …',
    },
  ],
  tables: [table],
  kinds: ['select'],
});

const analysed = analysisOf([
  { name: 'a', lineage: [{ table, column: 'city' }], confidence: 'exact' },
  { name: 'b', lineage: [{ table, column: 'customer_id' }], confidence: 'exact' },
]);
const result: QueryResult = {
  jobId: 'j1',
  columns: [{ name: 'a', type: 'STRING' }, { name: 'b', type: 'STRING' }],
  rows: [['536-22-1234', '7']],
  totalRows: 1,
  truncated: false,
  bytesProcessed: 0,
  executed: { dialect: 'duckdb', sql: 'SELECT … FROM "sales"."customers"' },
};
const hmacKey = '00112233445566778899aabbccddeeff';

describe('the policy result masker', () => {
  it('adds the rules of what ran: the executed SQL read ssn where the analysis saw city', async () => {
    const ranSsn: ExecutedLineage = () => [
      { name: 'a', lineage: [{ table, column: 'ssn' }], confidence: 'derived' },
      { name: 'b', lineage: [{ table, column: 'customer_id' }], confidence: 'derived' },
    ];
    const masker = createPolicyResultMasker({ catalog, hmacKey, executedLineage: ranSsn });
    const masked = await masker.mask({ analysis: analysed, result, policy });
    assert.deepEqual(masked.rows, [{ a: '[REDACTED]', b: '7' }]);
    assert.deepEqual(masked.maskedColumns.map((c) => [c.column, c.rule, c.reason]), [['a', 'redact', 'lineage']]);
  });

  it('fails closed when the executed SQL cannot be read, or there is nothing to read it with', async () => {
    for (const executedLineage of [() => undefined, undefined] as (ExecutedLineage | undefined)[]) {
      const masker = createPolicyResultMasker({ catalog, hmacKey, ...(executedLineage ? { executedLineage } : {}) });
      const masked = await masker.mask({ analysis: analysed, result, policy });
      assert.deepEqual(masked.rows, [{ a: '[REDACTED]', b: '[REDACTED]' }]);
      assert.ok(masked.maskedColumns.every((c) => c.reason === 'unpaired-columns'));
    }
  });

  it('uses the analysis alone for a warehouse that ran the analysed SQL', async () => {
    const { executed: _, ...bigQueryResult } = result;
    const masker = createPolicyResultMasker({ catalog, hmacKey });
    const masked = await masker.mask({ analysis: analysed, result: { ...bigQueryResult, rows: [['Oslo', '7']] }, policy });
    assert.deepEqual(masked.rows, [{ a: 'Oslo', b: '7' }]);
    assert.deepEqual(masked.maskedColumns, []);
  });
});
