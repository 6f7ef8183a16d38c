/**
 * The fail-closed cases the exfiltration corpus found, pinned down without a gateway: lineage the
 * analyser reports too narrowly for composite values, JSON documents in computed strings, result
 * columns that do not pair with the analysis, and warehouse errors that echo values.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeDataError, toLedgergateError } from '../../src/adapters/warehouse/duckdb-errors.js';
import type { Analysis, OutputColumn } from '../../src/domain/analysis/types.js';
import { applyMasking, planMasking } from '../../src/domain/masking/index.js';
import { detectorNames, type MaskColumnRule } from '../../src/domain/policy/types.js';
import type { CellValue, ColumnSchema } from '../../src/domain/ports.js';

const customers = 'demo-project.sales.customers';
const pageViews = 'demo-project.analytics.page_views';
const hmacKey = '0f'.repeat(32);
const columnRules: MaskColumnRule[] = [
  { table: '*.sales.customers', column: 'ssn', rule: 'redact' },
  { table: '*.sales.customers', column: 'email', rule: 'email' },
  { table: '*.sales.customers', column: 'full_name', rule: 'hash' },
];
const tableColumns = (table: string): string[] | undefined =>
  ({ [customers]: ['customer_id', 'full_name', 'email', 'ssn', 'city'], [pageViews]: ['view_id', 'hostname'] })[table];

function analysisOf(outputs: OutputColumn[], tables: string[]): Analysis {
  return {
    statements: [
      {
        kind: 'select',
        kinds: ['select'],
        tables,
        writtenTables: [],
        outputColumns: outputs,
        filterColumns: [],
        joinColumns: [],
        groupColumns: [],
        orderColumns: [],
        flags: { scripting: false, dynamicSql: false, unparsed: false, lineageIncomplete: false },
        text: '',
      },
    ],
    tables,
    kinds: ['select'],
  };
}

const from = (table: string, ...columns: string[]) => columns.map((column) => ({ table, column }));

function mask(outputs: OutputColumn[], tables: string[], resultColumns: ColumnSchema[], rows: Record<string, CellValue>[]) {
  const plan = planMasking({ analysis: analysisOf(outputs, tables), resultColumns, columnRules, tableColumns });
  return { plan, ...applyMasking(plan, rows.map((row) => resultColumns.map((c) => row[c.name] ?? null)), { detectors: detectorNames, hmacKey }) };
}

describe('masking fails closed where lineage is too narrow', () => {
  it('presumes every protected column for a STRUCT built in the query ((SELECT AS STRUCT customer_id, … AS b))', () => {
    // The analyser reports only the first field's lineage for a SELECT AS STRUCT subquery.
    const result = mask(
      [{ name: 's', lineage: from(customers, 'customer_id'), confidence: 'derived' }],
      [customers],
      [{ name: 's', type: 'STRUCT', fields: [{ name: 'customer_id', type: 'INT64' }, { name: 'b', type: 'STRING' }] }],
      [{ s: { customer_id: 1, b: '623719106' } }],
    );
    assert.deepEqual(result.rows, [{ s: { customer_id: '[REDACTED]', b: '[REDACTED]' } }]);
    assert.equal(result.report.maskedColumns[0]?.reason, 'unknown-lineage');
  });

  it('still trusts exact lineage of a STRUCT column and masks its protected fields by name', () => {
    const result = mask(
      [{ name: 'c', lineage: from(customers, 'city'), confidence: 'exact' }],
      [customers],
      [{ name: 'c', type: 'STRUCT' }],
      [{ c: { city: 'Lyon', email: 'ann.lee@example.com' } }],
    );
    assert.deepEqual(result.rows, [{ c: { city: 'Lyon', email: 'a***@example.com' } }]);
  });

  it('masks a JSON document in a computed string with the unknown-lineage rule, and leaves plain strings alone', () => {
    const result = mask(
      [{ name: 'j', lineage: from(customers, 'customer_id'), confidence: 'derived' }],
      [customers],
      [{ name: 'j', type: 'STRING' }],
      [{ j: '{"customer_id":1,"b":"623719106"}' }, { j: ' [1, "623719106"] ' }, { j: 'customer 17' }],
    );
    assert.deepEqual(result.rows.map((row) => row.j), ['[REDACTED]', '[REDACTED]', 'customer 17']);
    assert.deepEqual(result.columns, [{ name: 'j', type: 'STRING', masked: 'redact' }]);
    assert.deepEqual(result.report.maskedColumns[0]?.sources, [`${customers}.email`, `${customers}.full_name`, `${customers}.ssn`]);
  });

  it('leaves JSON documents built from tables without protected columns alone', () => {
    const result = mask(
      [{ name: 'j', lineage: from(pageViews, 'hostname'), confidence: 'derived' }],
      [pageViews],
      [{ name: 'j', type: 'STRING' }],
      [{ j: '{"hostname":"app.example.com"}' }],
    );
    assert.deepEqual(result.rows, [{ j: '{"hostname":"app.example.com"}' }]);
    assert.deepEqual(result.report, { maskedColumns: [], detectorHits: [] });
  });
});

describe('pairing result columns with the analysis', () => {
  const twoOutputs: OutputColumn[] = [
    { name: 'city', lineage: from(customers, 'city'), confidence: 'exact' },
    { name: '_col_1', lineage: from(customers, 'customer_id'), confidence: 'derived' },
  ];

  it('pairs by position only when every name agrees; a name only the warehouse gave is a disagreement', () => {
    const named = mask(twoOutputs, [customers], [{ name: 'city', type: 'STRING' }, { name: 'f1_', type: 'INT64' }], []);
    assert.deepEqual(named.plan.map((c) => [c.rule, c.reason]), [[undefined, 'lineage'], [undefined, 'lineage']]);
    // DuckDB names an unnamed expression by its text; the analysis expected a made-up name: fail closed.
    const { plan } = mask(twoOutputs, [customers], [{ name: 'city', type: 'STRING' }, { name: '(customer_id + 1)', type: 'INT64' }], []);
    assert.deepEqual(plan.map((c) => [c.rule, c.reason]), [['redact', 'unpaired-columns'], ['redact', 'unpaired-columns']]);
  });

  it('does not trust a made-up name the warehouse named like a column (SELECT s.b FROM …)', () => {
    const { plan } = mask(twoOutputs, [customers], [{ name: 'city', type: 'STRING' }, { name: 'b', type: 'STRING' }], []);
    assert.deepEqual(plan.map((c) => [c.rule, c.reason]), [['redact', 'unpaired-columns'], ['redact', 'unpaired-columns']]);
  });

  it('masks every column with the strictest rule when the warehouse orders or renames columns differently', () => {
    const outputs: OutputColumn[] = [
      { name: 'ssn', lineage: from(customers, 'ssn'), confidence: 'exact' },
      { name: 'city', lineage: from(customers, 'city'), confidence: 'exact' },
    ];
    const swapped = mask(outputs, [customers], [{ name: 'city', type: 'STRING' }, { name: 'ssn', type: 'STRING' }], [{ city: 'Oslo', ssn: '536-22-1234' }]);
    assert.deepEqual(swapped.plan.map((c) => [c.rule, c.reason]), [['redact', 'unpaired-columns'], ['redact', 'unpaired-columns']]);
    assert.deepEqual(swapped.rows, [{ city: '[REDACTED]', ssn: '[REDACTED]' }]);
    const renamed = mask(outputs, [customers], [{ name: 'ssn', type: 'STRING' }, { name: 'city:1', type: 'STRING' }], []);
    assert.deepEqual(renamed.plan.map((c) => [c.rule, c.reason]), [['redact', 'unpaired-columns'], ['redact', 'unpaired-columns']]);
  });
});

describe('the statement whose rows come back', () => {
  it('never borrows an earlier statement\'s lineage when the last one reports no outputs', () => {
    const first = analysisOf([{ name: 's', lineage: from(customers, 'city'), confidence: 'exact' }], [customers]);
    const last = analysisOf([], [customers]);
    const analysis: Analysis = { ...first, statements: [...first.statements, ...last.statements] };
    const plan = planMasking({ analysis, resultColumns: [{ name: 's', type: 'STRING' }], columnRules, tableColumns });
    assert.deepEqual(plan.map((c) => [c.rule, c.reason]), [['redact', 'unpaired-columns']]);
  });
});

describe('DuckDB errors never echo values', () => {
  const cases: [string, RegExp][] = [
    ["Conversion Error: Could not convert string '623-71-9106' to INT64 when casting from source column ssn", /^Conversion Error: a value could not be converted to INT64 \(source column ssn\); the value is withheld$/],
    ['Conversion Error: Could not convert string "GB67HBUK60161331926819" to DECIMAL(18,3) when casting from source column iban', /to DECIMAL\(18,3\) \(source column iban\)/],
    ['Invalid Input Error: yuki.rossi1@mail.example.org', /^Invalid Input Error: the query failed on a value/],
    ['Out of Range Error: Overflow in multiplication of INT64 (4111111111111111 * 10)!', /^Out of Range Error: the query failed on a value/],
    ['something without a class 623-71-9106', /^The query failed while reading data/],
  ];
  for (const [raw, expected] of cases) {
    it(`withholds the value: ${raw.slice(0, 40)}…`, () => {
      const error = toLedgergateError(new Error(`${raw}\nLINE 1: SELECT …`));
      assert.equal(error.code, 'query_failed');
      assert.match(error.message, expected);
      assert.equal(error.message, describeDataError(raw));
      assert.doesNotMatch(error.message, /623|yuki|GB67|4111/);
    });
  }

  it('keeps planning errors (they read no data) minus quoted literals', () => {
    const error = toLedgergateError(new Error("Binder Error: Referenced column \"ssn2\" not found; WHERE ssn = '623-71-9106'"));
    assert.equal(error.code, 'query_invalid');
    assert.match(error.message, /Referenced column "ssn2" not found/);
    assert.doesNotMatch(error.message, /623-71/);
  });
});
