/** Shared test data for the BigQuery adapter tests: one table with every type, one with many rows. */
import type { CannedTable } from './canned-engine.js';
import type { BigQueryField } from './types.js';

export const PROJECT = 'lg-test-project';

export const allTypesSchema: BigQueryField[] = [
  { name: 'big_int', type: 'INTEGER', mode: 'REQUIRED' },
  { name: 'small_int', type: 'INTEGER' },
  { name: 'num', type: 'NUMERIC' },
  { name: 'num_short', type: 'NUMERIC' },
  { name: 'bignum', type: 'BIGNUMERIC' },
  { name: 'ts', type: 'TIMESTAMP' },
  { name: 'ts_before_1970', type: 'TIMESTAMP' },
  { name: 'd', type: 'DATE' },
  { name: 'dt', type: 'DATETIME' },
  { name: 't', type: 'TIME' },
  { name: 'raw', type: 'BYTES' },
  {
    name: 'rec',
    type: 'RECORD',
    fields: [
      { name: 'a', type: 'INTEGER' },
      { name: 'tags', type: 'STRING', mode: 'REPEATED' },
      { name: 'inner', type: 'RECORD', fields: [{ name: 'x', type: 'FLOAT' }] },
    ],
  },
  { name: 'ints', type: 'INTEGER', mode: 'REPEATED' },
  { name: 'recs', type: 'RECORD', mode: 'REPEATED', fields: [{ name: 'k', type: 'STRING' }] },
  { name: 'doc', type: 'JSON' },
  { name: 'geo', type: 'GEOGRAPHY' },
  { name: 'flag', type: 'BOOLEAN' },
  { name: 'f_nan', type: 'FLOAT' },
  { name: 'f_inf', type: 'FLOAT' },
  { name: 'f_plain', type: 'FLOAT' },
  { name: 'missing', type: 'STRING' },
];

export const allTypesRow: unknown[] = [
  2n ** 53n + 1n,
  42,
  '123456789012345678901234567.123456789',
  '1.5',
  '-0.12345678901234567890123456789012345678',
  '2024-01-02T03:04:05.123456Z',
  -1n,
  '2024-01-02',
  '2024-01-02T03:04:05.123456',
  '03:04:05.123456',
  Uint8Array.from([0, 1, 2, 255]),
  { a: 7, tags: ['x', 'y'], inner: { x: 2.5 } },
  [1, 2n ** 60n],
  [{ k: 'a' }, { k: 'b' }],
  { a: 1, b: [true, null] },
  'POINT(1 2)',
  true,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  1.25,
  null,
];

export const allTypesExpected = {
  big_int: '9007199254740993',
  small_int: 42,
  num: '123456789012345678901234567.123456789',
  num_short: '1.5',
  bignum: '-0.12345678901234567890123456789012345678',
  ts: '2024-01-02T03:04:05.123456Z',
  ts_before_1970: '1969-12-31T23:59:59.999999Z',
  d: '2024-01-02',
  dt: '2024-01-02T03:04:05.123456',
  t: '03:04:05.123456',
  raw: 'AAEC/w==',
  rec: { a: 7, tags: ['x', 'y'], inner: { x: 2.5 } },
  ints: [1, '1152921504606846976'],
  recs: [{ k: 'a' }, { k: 'b' }],
  doc: { a: 1, b: [true, null] },
  geo: 'POINT(1 2)',
  flag: true,
  f_nan: 'NaN',
  f_inf: 'Infinity',
  f_plain: 1.25,
  missing: null,
};

export const manyRows = (count: number): unknown[][] => Array.from({ length: count }, (_, i) => [i + 1, `name-${i + 1}`]);

export const standardTables = (rowCount = 250): CannedTable[] => [
  { datasetId: 'types', tableId: 'all_types', schema: allTypesSchema, rows: [allTypesRow] },
  {
    datasetId: 'sales',
    tableId: 'orders',
    schema: [
      { name: 'id', type: 'INTEGER', mode: 'REQUIRED' },
      { name: 'name', type: 'STRING' },
    ],
    rows: manyRows(rowCount),
    numBytes: 5 * 1024 * 1024 * 1024,
  },
  {
    datasetId: 'sales',
    tableId: 'customers',
    schema: [
      { name: 'id', type: 'INTEGER', mode: 'REQUIRED' },
      { name: 'email', type: 'STRING', policyTags: { names: ['projects/p/locations/us/taxonomies/1/policyTags/2'] } },
      { name: 'address', type: 'RECORD', fields: [{ name: 'city', type: 'STRING' }, { name: 'zip', type: 'STRING' }] },
    ],
    rows: [[1, 'a@example.com', { city: 'Paris', zip: '75001' }]],
  },
];
