import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { columnOf, decodeRows, microsToIso, typeName } from '../../../src/adapters/warehouse/bigquery-types.js';

const cell = (v: unknown) => ({ v });

describe('BigQuery value decoding', () => {
  it('keeps integers exact: numbers while safe, decimal strings beyond 2^53', () => {
    const rows = decodeRows([{ name: 'n', type: 'INTEGER' }], [
      { f: [cell('9007199254740991')] },
      { f: [cell('9007199254740993')] },
      { f: [cell('-9223372036854775808')] },
    ]);
    assert.deepEqual(rows.map((r) => r.n), [9007199254740991, '9007199254740993', '-9223372036854775808']);
  });

  it('gives NUMERIC and BIGNUMERIC as exact decimal strings', () => {
    const rows = decodeRows([{ name: 'd', type: 'NUMERIC' }], [
      { f: [cell('123.456')] },
      { f: [cell('0.1')] },
      { f: [cell('99999999999999999999999999999.999999999')] },
      { f: [cell('0.0000001')] },
    ]);
    assert.deepEqual(rows.map((r) => r.d), ['123.456', '0.1', '99999999999999999999999999999.999999999', '0.0000001']);
  });

  it('renders TIMESTAMP micros, float seconds and ISO input as ISO 8601 with microseconds', () => {
    assert.equal(microsToIso(1672574400123456n), '2023-01-01T12:00:00.123456Z');
    assert.equal(microsToIso(0n), '1970-01-01T00:00:00.000000Z');
    assert.equal(microsToIso(-1n), '1969-12-31T23:59:59.999999Z');
    const rows = decodeRows([{ name: 't', type: 'TIMESTAMP' }], [
      { f: [cell('1672574400123456')] },
      { f: [cell('1.672574400123456E9')] },
      { f: [cell('2023-01-01T12:00:00.123456Z')] },
    ]);
    assert.deepEqual(rows.map((r) => r.t), ['2023-01-01T12:00:00.123456Z', '2023-01-01T12:00:00.123456Z', '2023-01-01T12:00:00.123456Z']);
  });

  it('decodes floats, booleans, JSON, and leaves strings-of-record types as BigQuery spells them', () => {
    const fields = [
      { name: 'f', type: 'FLOAT' },
      { name: 'b', type: 'BOOLEAN' },
      { name: 'j', type: 'JSON' },
      { name: 'bytes', type: 'BYTES' },
      { name: 'g', type: 'GEOGRAPHY' },
      { name: 'i', type: 'INTERVAL' },
    ];
    const [row] = decodeRows(fields, [{ f: [cell('-Infinity'), cell('false'), cell('{"x":[1,"y"]}'), cell('AAE='), cell('POINT(1 2)'), cell('1-2 3 4:5:6.7')] }]);
    assert.deepEqual(row, { f: '-Infinity', b: false, j: { x: [1, 'y'] }, bytes: 'AAE=', g: 'POINT(1 2)', i: '1-2 3 4:5:6.7' });
  });

  it('nests records and repeated fields; a NULL repeated field reads as empty', () => {
    const fields = [
      { name: 'r', type: 'RECORD', fields: [{ name: 'a', type: 'INTEGER' }, { name: 'xs', type: 'STRING', mode: 'REPEATED' }] },
      { name: 'rs', type: 'RECORD', mode: 'REPEATED', fields: [{ name: 'k', type: 'BOOLEAN' }] },
      { name: 'empty', type: 'INTEGER', mode: 'REPEATED' },
    ];
    const [row] = decodeRows(fields, [
      { f: [cell({ f: [cell('1'), cell([cell('p'), cell('q')])] }), cell([cell({ f: [cell('true')] })]), cell(null)] },
    ]);
    assert.deepEqual(row, { r: { a: 1, xs: ['p', 'q'] }, rs: [{ k: true }], empty: [] });
  });

  it('names types the GoogleSQL way', () => {
    assert.equal(typeName({ type: 'INTEGER' }), 'INT64');
    assert.equal(typeName({ type: 'FLOAT', mode: 'REPEATED' }), 'ARRAY<FLOAT64>');
    assert.equal(typeName({ type: 'RANGE', rangeElementType: { type: 'DATE' } }), 'RANGE<DATE>');
    assert.deepEqual(columnOf({ name: 's', type: 'STRUCT', mode: 'REPEATED', fields: [{ name: 'a', type: 'BOOL', mode: 'REQUIRED' }] }), {
      name: 's',
      type: 'ARRAY<STRUCT<a BOOL>>',
      mode: 'REPEATED',
      fields: [{ name: 'a', type: 'BOOL', mode: 'REQUIRED' }],
    });
  });
});
