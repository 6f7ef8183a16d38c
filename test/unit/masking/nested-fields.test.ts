import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyMasking } from '../../../src/domain/masking/apply.js';
import { planMasking } from '../../../src/domain/masking/plan.js';
import { detectorNames } from '../../../src/domain/policy/types.js';
import type { CellValue, ColumnSchema } from '../../../src/domain/ports.js';
import { analysisOf, col, columnRules, customers, hmacKey, orders, out, selectStatement, src, tableColumns } from './support.js';

function maskOne(schema: ColumnSchema, value: CellValue, tables = [customers, orders]) {
  const analysis = analysisOf(selectStatement([out(schema.name, [src(orders, 'blob')])], tables));
  const plan = planMasking({ analysis, resultColumns: [schema], columnRules, tableColumns });
  return applyMasking(plan, [[value]], { detectors: detectorNames, hmacKey });
}

describe('masking inside nested values by field name', () => {
  it('masks protected fields of STRUCTs inside an ARRAY and scans the other fields', () => {
    const schema = col('people', 'STRUCT', { mode: 'REPEATED', fields: [col('email'), col('birth_date', 'DATE'), col('bio')] });
    const result = maskOne(schema, [
      { email: 'ann@example.com', birth_date: '1990-06-01', bio: 'reach me on +44 20 7946 0958' },
      { email: null, birth_date: '2001-01-31', bio: 'nothing to see' },
    ]);
    assert.deepEqual(result.rows[0].people, [
      { email: 'a***@example.com', birth_date: '1990', bio: 'reach me on [PHONE]' },
      { email: null, birth_date: '2001', bio: 'nothing to see' },
    ]);
    assert.deepEqual(result.report.maskedColumns, [
      { column: 'people', rule: 'year', sources: [`${customers}.birth_date`, `${customers}.email`], originalType: 'ARRAY<STRUCT>', reason: 'lineage' },
    ]);
    assert.deepEqual(result.report.detectorHits, [{ column: 'people', detector: 'phone', count: 1 }]);
  });

  it('matches field names case-insensitively, at any depth, and masks the whole subtree', () => {
    const result = maskOne(col('doc', 'JSON'), JSON.stringify({ a: { SSN: { v: '536-22-1234', check: 1 } }, list: [{ Email: 'x@y.com' }] }));
    // Below a protected field the keys are data too.
    assert.deepEqual(JSON.parse(String(result.rows[0].doc)), {
      a: { SSN: { '[REDACTED]': '[REDACTED]', '[REDACTED]:2': '[REDACTED]' } },
      list: [{ Email: 'x***@y.com' }],
    });
  });

  it('redacts instead of showing part of a protected field in a value the query computed', () => {
    const schema = col('doc', 'JSON');
    const analysis = analysisOf(selectStatement([out('doc', [src(orders, 'blob')], 'derived')], [customers, orders]));
    const plan = planMasking({ analysis, resultColumns: [schema], columnRules, tableColumns });
    const result = applyMasking(plan, [[JSON.stringify({ Email: 'x@y.com' })]], { detectors: detectorNames, hmacKey });
    // A JSON value the query built is unknown lineage: every value and key gets the strictest rule.
    assert.deepEqual(JSON.parse(String(result.rows[0]?.doc)), { '[REDACTED]': '[REDACTED]' });
  });

  it('leaves a STRUCT alone when no referenced table has protected columns, but still scans it', () => {
    const result = maskOne(col('s', 'STRUCT'), { ssn: '536-22-1234', n: 5 }, [orders]);
    assert.deepEqual(result.rows[0].s, { ssn: '[US_SSN]', n: 5 });
    assert.deepEqual(result.report.maskedColumns, []);
    assert.deepEqual(result.report.detectorHits, [{ column: 's', detector: 'us_ssn', count: 1 }]);
  });

  it('scans JSON object keys as well as values', () => {
    const result = maskOne(col('doc', 'JSON'), { 'jane@example.com': 1 }, [orders]);
    assert.deepEqual(result.rows[0].doc, { '[EMAIL]': 1 });
  });

  it('reports nothing for a nested column whose protected fields were all null', () => {
    const result = maskOne(col('s', 'STRUCT'), { email: null, other: 'x' });
    assert.deepEqual(result.report.maskedColumns, []);
    assert.deepEqual(result.columns, [{ name: 's', type: 'STRUCT' }]);
  });
});
