/**
 * Result cells in BigQuery's wire form: every cell a string or null, INT64 as decimal text, legacy
 * type names, ARRAY as REPEATED, STRUCT as RECORD, TIMESTAMP per formatOptions, masked columns STRING.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeRow, floatSecondsOf, timestampMicros, wireFieldOf, wireSchemaOf } from '../../../src/adapters/http/bigquery-api/wire-values.js';

describe('BigQuery wire schema', () => {
  it('uses legacy type names and turns ARRAY into REPEATED and STRUCT into RECORD', () => {
    assert.deepEqual(wireFieldOf('n', 'INT64'), { name: 'n', type: 'INTEGER', mode: 'NULLABLE' });
    assert.deepEqual(wireFieldOf('f', 'FLOAT64'), { name: 'f', type: 'FLOAT', mode: 'NULLABLE' });
    assert.deepEqual(wireFieldOf('b', 'BOOL'), { name: 'b', type: 'BOOLEAN', mode: 'NULLABLE' });
    assert.deepEqual(wireFieldOf('d', 'NUMERIC(10, 2)'), { name: 'd', type: 'NUMERIC', mode: 'NULLABLE' });
    assert.deepEqual(wireFieldOf('xs', 'ARRAY<INT64>'), { name: 'xs', type: 'INTEGER', mode: 'REPEATED' });
    assert.deepEqual(wireFieldOf('s', 'STRUCT<a INT64, b ARRAY<STRUCT<c STRING, d DATE>>>'), {
      name: 's',
      type: 'RECORD',
      mode: 'NULLABLE',
      fields: [
        { name: 'a', type: 'INTEGER', mode: 'NULLABLE' },
        { name: 'b', type: 'RECORD', mode: 'REPEATED', fields: [{ name: 'c', type: 'STRING', mode: 'NULLABLE' }, { name: 'd', type: 'DATE', mode: 'NULLABLE' }] },
      ],
    });
  });

  it('a masked STRUCT or ARRAY keeps its shape with STRING leaves', () => {
    assert.deepEqual(wireSchemaOf([{ name: 'contact', type: 'STRUCT<email STRING, age INT64>', masked: 'email' }, { name: 'emails', type: 'ARRAY<STRING>', masked: 'email' }]), [
      { name: 'contact', type: 'RECORD', mode: 'NULLABLE', fields: [{ name: 'email', type: 'STRING', mode: 'NULLABLE' }, { name: 'age', type: 'STRING', mode: 'NULLABLE' }] },
      { name: 'emails', type: 'STRING', mode: 'REPEATED' },
    ]);
    const fields = wireSchemaOf([{ name: 'contact', type: 'STRUCT<email STRING, age INT64>', masked: 'email' }]);
    assert.deepEqual(encodeRow(fields, { contact: { email: 'j***@example.com', age: 41 } }, 'INT64'), { f: [{ v: { f: [{ v: 'j***@example.com' }, { v: '41' }] } }] });
  });

  it('types a masked column STRING whatever its source type', () => {
    assert.deepEqual(wireSchemaOf([{ name: 'birth_date', type: 'DATE', masked: 'year' }, { name: 'salary', type: 'INT64', masked: 'null' }, { name: 'id', type: 'INT64' }]), [
      { name: 'birth_date', type: 'STRING', mode: 'NULLABLE' },
      { name: 'salary', type: 'STRING', mode: 'NULLABLE' },
      { name: 'id', type: 'INTEGER', mode: 'NULLABLE' },
    ]);
  });
});

describe('BigQuery wire cells', () => {
  const fields = wireSchemaOf([
    { name: 'id', type: 'INT64' },
    { name: 'big', type: 'INT64' },
    { name: 'ok', type: 'BOOL' },
    { name: 'x', type: 'FLOAT64' },
    { name: 'at', type: 'TIMESTAMP' },
    { name: 'doc', type: 'JSON' },
    { name: 'tags', type: 'ARRAY<STRING>' },
    { name: 's', type: 'STRUCT<a INT64, b STRING>' },
    { name: 'gone', type: 'STRING' },
  ]);
  const row = { id: 7, big: '9007199254740993', ok: true, x: 'NaN', at: '2023-01-01T12:00:00.123456Z', doc: { a: 1 }, tags: ['p', 'q'], s: { a: 1, b: null }, gone: null };

  it('writes every scalar as text, keeps INT64 digits, nests RECORD and REPEATED', () => {
    assert.deepEqual(encodeRow(fields, row, 'INT64'), {
      f: [
        { v: '7' },
        { v: '9007199254740993' },
        { v: 'true' },
        { v: 'NaN' },
        { v: '1672574400123456' },
        { v: '{"a":1}' },
        { v: [{ v: 'p' }, { v: 'q' }] },
        { v: { f: [{ v: '1' }, { v: null }] } },
        { v: null },
      ],
    });
  });

  it('writes timestamps as float seconds by default and as ISO text on request', () => {
    const at = fields.filter((f) => f.name === 'at');
    assert.deepEqual(encodeRow(at, row, 'FLOAT64'), { f: [{ v: '1.672574400123456E9' }] });
    assert.deepEqual(encodeRow(at, row, 'ISO8601_STRING'), { f: [{ v: '2023-01-01T12:00:00.123456Z' }] });
    assert.deepEqual(encodeRow(at, { at: '1970-01-01T00:00:12.5Z' }, 'FLOAT64'), { f: [{ v: '12.5' }] });
    assert.deepEqual(encodeRow(at, { at: '2023-01-01T12:00:00Z' }, 'FLOAT64'), { f: [{ v: '1.6725744E9' }] });
  });

  it('float seconds read back as the same instant, for any microsecond', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -62_135_596_800_000_000n, max: 253_402_300_799_999_999n }), (micros) => {
        const text = floatSecondsOf(micros);
        assert.match(text, /^-?(\d\.\d+E-?\d+|\d+\.\d+)$/);
        const [mantissa = '', exponent = '0'] = text.split('E');
        if (!text.includes('E')) {
          const [whole = '', frac = ''] = text.replace('-', '').split('.');
          const value = BigInt(whole) * 1_000_000n + BigInt(frac.padEnd(6, '0'));
          assert.equal(text.startsWith('-') ? -value : value, micros);
          assert.ok(value === 0n || (value >= 1_000n && value < 10_000_000_000_000n), `plain form only inside Java's range: ${text}`);
          return;
        }
        assert.ok(micros <= -10_000_000_000_000n || micros >= 10_000_000_000_000n || (micros > -1_000n && micros < 1_000n), `E form only outside Java's range: ${text}`);
        const digits = mantissa.replace('-', '').replace('.', '');
        const shift = Number(exponent) - (digits.length - 1) + 6;
        const value = shift >= 0 ? BigInt(digits) * 10n ** BigInt(shift) : BigInt(digits) / 10n ** BigInt(-shift);
        assert.equal(mantissa.startsWith('-') ? -value : value, micros);
      }),
      { numRuns: 500, examples: [[0n], [1n], [999n], [1_000n], [-1_500_000n], [9_999_999_999_999n], [10_000_000_000_000n]] },
    );
  });

  it('ISO timestamps with any offset and fraction give epoch microseconds', () => {
    assert.equal(timestampMicros('2023-01-01T12:00:00Z'), 1_672_574_400_000_000n);
    assert.equal(timestampMicros('2023-01-01 13:00:00.5+01:00'), 1_672_574_400_500_000n);
    assert.equal(timestampMicros('not a time'), undefined);
  });
});
