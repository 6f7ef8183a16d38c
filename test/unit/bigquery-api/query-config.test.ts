/**
 * What a BigQuery job may ask for: GoogleSQL query jobs only. Legacy SQL (useLegacySql absent or not
 * false), load/copy/extract jobs, destination tables, dispositions, external tables and parameters
 * are refused before anything is recorded, with reasons clients do not retry.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { insertSpecOf, querySpecOf } from '../../../src/adapters/http/bigquery-api/query-config.js';
import { BigQueryApiError } from '../../../src/adapters/http/bigquery-api/errors.js';

const refused = (status: number, reason: string) => (e: unknown) => e instanceof BigQueryApiError && e.status === status && e.reason === reason;

describe('BigQuery query job configuration', () => {
  it('accepts a GoogleSQL query', () => {
    assert.deepEqual(querySpecOf({ query: 'SELECT 1', useLegacySql: false, priority: 'INTERACTIVE', queryParameters: [] }), { sql: 'SELECT 1' });
    const insert = insertSpecOf({ configuration: { query: { query: 'SELECT 1', useLegacySql: false }, dryRun: true, labels: { a: 'b' } }, jobReference: { jobId: 'j1' } });
    assert.deepEqual(insert, { spec: { sql: 'SELECT 1' }, dryRun: true, labels: { a: 'b' }, jobId: 'j1' });
  });

  it('refuses legacy SQL whenever useLegacySql is anything but false (absent means legacy)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constant(undefined), fc.constant(true), fc.constant('false'), fc.constant(0), fc.constant(null)), (flag) => {
        const query: Record<string, unknown> = { query: 'SELECT 1' };
        if (flag !== undefined) query.useLegacySql = flag;
        assert.throws(() => querySpecOf(query), (e: unknown) => refused(400, 'invalidQuery')(e) && /legacy SQL/.test((e as Error).message));
      }),
    );
  });

  it('refuses load, copy and extract jobs and every member that would write past the gate', () => {
    for (const other of ['load', 'copy', 'extract']) {
      assert.throws(() => insertSpecOf({ configuration: { [other]: {} } }), refused(403, 'accessDenied'), other);
    }
    const writes: Record<string, unknown> = {
      destinationTable: { projectId: 'p', datasetId: 'd', tableId: 't' },
      writeDisposition: 'WRITE_TRUNCATE',
      createDisposition: 'CREATE_IF_NEEDED',
      tableDefinitions: { ext: { sourceUris: ['gs://b/x.csv'] } },
      schemaUpdateOptions: ['ALLOW_FIELD_ADDITION'],
      timePartitioning: { type: 'DAY' },
      clustering: { fields: ['a'] },
    };
    for (const [key, value] of Object.entries(writes)) {
      assert.throws(() => querySpecOf({ query: 'SELECT 1', useLegacySql: false, [key]: value }), refused(403, 'accessDenied'), key);
    }
  });

  it('reads the client\'s maximumBytesBilled as an int64 and refuses anything else', () => {
    assert.deepEqual(querySpecOf({ query: 'SELECT 1', useLegacySql: false, maximumBytesBilled: '1000' }), { sql: 'SELECT 1', maximumBytesBilled: 1000 });
    assert.deepEqual(querySpecOf({ query: 'SELECT 1', useLegacySql: false, maximumBytesBilled: 5 }), { sql: 'SELECT 1', maximumBytesBilled: 5 });
    for (const bad of ['-1', '1e3', 'lots', 1.5, -2, true, {}]) {
      assert.throws(() => querySpecOf({ query: 'SELECT 1', useLegacySql: false, maximumBytesBilled: bad }), refused(400, 'invalid'), JSON.stringify(bad));
    }
  });

  it('refuses query parameters and a default dataset (the policy must see the whole statement)', () => {
    assert.throws(() => querySpecOf({ query: 'SELECT @x', useLegacySql: false, queryParameters: [{ name: 'x' }] }), refused(400, 'invalidQuery'));
    assert.throws(() => querySpecOf({ query: 'SELECT 1', useLegacySql: false, defaultDataset: { datasetId: 'sales' } }), refused(400, 'invalidQuery'));
    assert.throws(() => querySpecOf({ useLegacySql: false }), refused(400, 'invalid'));
    assert.throws(() => insertSpecOf({ configuration: {} }), refused(400, 'invalid'));
  });
});
