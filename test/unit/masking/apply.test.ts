import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import { applyMasking, resultHash } from '../../../src/domain/masking/apply.js';
import { planMasking } from '../../../src/domain/masking/plan.js';
import { ResultMasked } from '../../../src/domain/events/execution-events.js';
import { LedgergateError } from '../../../src/domain/errors.js';
import { detectorNames } from '../../../src/domain/policy/types.js';
import type { CellValue, ColumnSchema } from '../../../src/domain/ports.js';
import { analysisOf, col, columnRules, customers, hmacKey, orders, out, positional, selectStatement, src, tableColumns } from './support.js';

const seeded = {
  email: 'jane.doe@example.com',
  ssn: '536-22-1234',
  card: '4111 1111 1111 1111',
  phone: '+1 212 555 0187',
  birth: '1984-03-02',
  noteEmail: 'bob.smith@example.org',
  notePhone: '(212) 555-0199',
  iban: 'GB82WEST12345698765432',
  structSsn: '536-22-9876',
  jsonSsn: '536-22-5555',
  jsonCard: '5555555555554444',
};

const resultColumns: ColumnSchema[] = [
  col('id', 'INT64'),
  col('name'),
  col('email'),
  col('x'),
  col('card_number'),
  col('phone'),
  col('birth_date', 'DATE'),
  col('note'),
  col('contact', 'STRUCT', { fields: [col('ssn'), col('remark')] }),
  col('payload', 'JSON'),
  col('amount', 'NUMERIC'),
];

const analysis = analysisOf(
  selectStatement(
    [
      out('id', [src(customers, 'id')]),
      out('name', [src(customers, 'name')]),
      out('email', [src(customers, 'email')]),
      out('x', [src(customers, 'ssn')]),
      out('card_number', [src(customers, 'card_number')]),
      out('phone', [src(customers, 'phone')]),
      out('birth_date', [src(customers, 'birth_date')]),
      out('note', [src(orders, 'note')]),
      out('contact', [src(orders, 'contact')]),
      out('payload', [src(orders, 'payload')]),
      out('amount', [src(orders, 'amount')]),
    ],
    [customers, orders],
  ),
);

const rows: Record<string, CellValue>[] = [
  {
    id: 1,
    name: 'Jane Doe',
    email: seeded.email,
    x: seeded.ssn,
    card_number: seeded.card,
    phone: seeded.phone,
    birth_date: seeded.birth,
    note: `write to ${seeded.noteEmail} or call ${seeded.notePhone}; IBAN ${seeded.iban}`,
    contact: { ssn: seeded.structSsn, remark: `mail ${seeded.noteEmail}` },
    payload: JSON.stringify({ ssn: seeded.jsonSsn, items: [{ text: `card ${seeded.jsonCard}` }] }),
    amount: '1234.50',
  },
  {
    id: 2,
    name: 'Ola Nordmann',
    email: null,
    x: null,
    card_number: '1234',
    phone: null,
    birth_date: null,
    note: 'ORD-2024-000123 shipped 2024-01-15T10:30:00Z',
    contact: null,
    payload: null,
    amount: '-42.00',
  },
];

const plan = planMasking({ analysis, resultColumns, columnRules, tableColumns });
const masked = applyMasking(plan, positional(plan, rows), { detectors: detectorNames, hmacKey });

describe('applying masks to a result', () => {
  it('masks protected columns by rule, leaves clear values exact and scans clear text', () => {
    const [first, second] = masked.rows;
    assert.equal(first.id, 1);
    assert.equal(first.name, 'Jane Doe');
    assert.equal(first.email, 'j***@example.com');
    assert.equal(first.x, '[REDACTED]');
    assert.equal(first.card_number, '****1111');
    assert.match(String(first.phone), /^hash:[0-9a-f]{16}$/);
    assert.equal(first.birth_date, '1984');
    assert.equal(first.note, 'write to [EMAIL] or call [PHONE]; IBAN [IBAN]');
    assert.deepEqual(first.contact, { ssn: '[REDACTED]', remark: 'mail [EMAIL]' });
    assert.deepEqual(JSON.parse(String(first.payload)), { ssn: '[REDACTED]', items: [{ text: 'card [CREDIT_CARD]' }] });
    assert.equal(first.amount, '1234.50');
    assert.deepEqual(second, {
      id: 2,
      name: 'Ola Nordmann',
      email: null,
      x: null,
      card_number: '****',
      phone: null,
      birth_date: null,
      note: 'ORD-2024-000123 shipped 2024-01-15T10:30:00Z',
      contact: null,
      payload: null,
      amount: '-42.00',
    });
  });

  it('describes the delivered columns with the rule that masked them', () => {
    assert.deepEqual(masked.columns, [
      { name: 'id', type: 'INT64' },
      { name: 'name', type: 'STRING' },
      { name: 'email', type: 'STRING', masked: 'email' },
      { name: 'x', type: 'STRING', masked: 'redact' },
      { name: 'card_number', type: 'STRING', masked: 'last4' },
      { name: 'phone', type: 'STRING', masked: 'hash' },
      { name: 'birth_date', type: 'STRING', masked: 'year' },
      { name: 'note', type: 'STRING' },
      { name: 'contact', type: 'STRUCT', masked: 'redact' },
      { name: 'payload', type: 'JSON', masked: 'redact' },
      { name: 'amount', type: 'NUMERIC' },
    ]);
  });

  it('reports masked columns with rule, sources, type and reason', () => {
    assert.deepEqual(masked.report.maskedColumns, [
      { column: 'email', rule: 'email', sources: [`${customers}.email`], originalType: 'STRING', reason: 'lineage' },
      { column: 'x', rule: 'redact', sources: [`${customers}.ssn`], originalType: 'STRING', reason: 'lineage' },
      { column: 'card_number', rule: 'last4', sources: [`${customers}.card_number`], originalType: 'STRING', reason: 'lineage' },
      { column: 'phone', rule: 'hash', sources: [`${customers}.phone`], originalType: 'STRING', reason: 'lineage' },
      { column: 'birth_date', rule: 'year', sources: [`${customers}.birth_date`], originalType: 'DATE', reason: 'lineage' },
      { column: 'contact', rule: 'redact', sources: [`${customers}.ssn`], originalType: 'STRUCT', reason: 'lineage' },
      { column: 'payload', rule: 'redact', sources: [`${customers}.ssn`], originalType: 'JSON', reason: 'lineage' },
    ]);
  });

  it('counts detector hits only where rules left values clear', () => {
    assert.deepEqual(masked.report.detectorHits, [
      { column: 'note', detector: 'email', count: 1 },
      { column: 'note', detector: 'iban', count: 1 },
      { column: 'note', detector: 'phone', count: 1 },
      { column: 'contact', detector: 'email', count: 1 },
      { column: 'payload', detector: 'credit_card', count: 1 },
    ]);
  });

  it('never puts a raw value into the report, and the report fits the ResultMasked schema', () => {
    const text = JSON.stringify(masked.report);
    for (const value of Object.values(seeded)) assert.ok(!text.includes(value), `report leaks ${value.slice(0, 3)}…`);
    assert.ok(!text.includes('Jane'));
    const validate = new Ajv({ strict: false }).compile(ResultMasked);
    const event = { requestId: 'r1', ...masked.report, resultHash: resultHash(masked.columns, masked.rows) };
    assert.equal(validate(event), true, JSON.stringify(validate.errors));
  });

  it('never delivers a seeded protected value', () => {
    const delivered = JSON.stringify(masked.rows);
    for (const value of Object.values(seeded)) assert.ok(!delivered.includes(value), `result leaks ${value.slice(0, 3)}…`);
  });

  it('runs no detectors when none are on', () => {
    const plain = applyMasking(plan, positional(plan, rows), { detectors: [], hmacKey });
    assert.equal(plain.rows[0].note, rows[0].note);
    assert.deepEqual(plain.report.detectorHits, []);
    assert.equal(plain.rows[0].x, '[REDACTED]');
  });

  it('redacts a whole-row value when lineage is incomplete (SELECT TO_JSON_STRING(c) FROM customers c)', () => {
    const toJson = analysisOf(selectStatement([out('f0_', [], 'unknown')], [customers], { lineageIncomplete: true }));
    const jsonPlan = planMasking({ analysis: toJson, resultColumns: [col('f0_')], columnRules, tableColumns });
    const result = applyMasking(jsonPlan, [[JSON.stringify({ id: 1, email: seeded.email, ssn: seeded.ssn })]], { detectors: detectorNames, hmacKey });
    assert.deepEqual(result.rows, [{ f0_: '[REDACTED]' }]);
    assert.deepEqual(result.report.maskedColumns, [
      {
        column: 'f0_',
        rule: 'redact',
        sources: ['birth_date', 'card_number', 'email', 'phone', 'ssn'].map((c) => `${customers}.${c}`),
        originalType: 'STRING',
        reason: 'unknown-lineage',
      },
    ]);
  });

  it('masks every leaf of a whole-row STRUCT with the strictest rule', () => {
    const wholeRow = analysisOf(selectStatement([out('c', [], 'unknown')], [customers]));
    const structPlan = planMasking({ analysis: wholeRow, resultColumns: [col('c', 'STRUCT')], columnRules, tableColumns });
    const result = applyMasking(structPlan, [[{ id: 7, email: seeded.email, tags: ['a', 'b'] }]], { detectors: detectorNames, hmacKey });
    assert.deepEqual(result.rows, [{ c: { id: '[REDACTED]', email: '[REDACTED]', tags: ['[REDACTED]', '[REDACTED]'] } }]);
  });

  it('delivers exactly the planned columns: missing cells become null, cells past the plan are dropped', () => {
    const result = applyMasking(plan.slice(0, 2), [[5]], { detectors: [], hmacKey });
    assert.deepEqual(result.rows, [{ id: 5, name: null }]);
    assert.deepEqual(applyMasking(plan.slice(0, 1), [[5, seeded.ssn]], { detectors: [], hmacKey }).rows, [{ id: 5 }]);
  });

  it('scans numbers as text: a card or SSN cast to a number is still found, other numbers stay numbers', () => {
    const numbers = analysisOf(selectStatement([out('n', [src(orders, 'id')], 'derived')], [orders]));
    const numberPlan = planMasking({ analysis: numbers, resultColumns: [col('n', 'INT64')], columnRules, tableColumns });
    const result = applyMasking(numberPlan, [[4111111111111111], [536221234], [42], [1705314600]], { detectors: detectorNames, hmacKey });
    assert.deepEqual(result.rows.map((row) => row.n), ['[CREDIT_CARD]', '[US_SSN]', 42, 1705314600]);
    assert.deepEqual(result.columns, [{ name: 'n', type: 'STRING' }]);
    assert.deepEqual(result.report.detectorHits, [{ column: 'n', detector: 'credit_card', count: 1 }, { column: 'n', detector: 'us_ssn', count: 1 }]);
  });

  it('scans MAP and JSON keys no rule reached', () => {
    const maps = analysisOf(selectStatement([out('m', [src(orders, 'id')], 'exact')], [orders]));
    const mapPlan = planMasking({ analysis: maps, resultColumns: [col('m', 'JSON')], columnRules, tableColumns });
    const result = applyMasking(mapPlan, [[{ 'ann@example.com': 1, 'ssn536221234': 2, plain: 3 }]], { detectors: detectorNames, hmacKey });
    assert.deepEqual(result.rows[0]?.m, { '[EMAIL]': 1, 'ssn[US_SSN]': 2, plain: 3 });
  });

  it('refuses a missing or short HMAC key', () => {
    assert.throws(() => applyMasking(plan, [], { detectors: [], hmacKey: '' }), (e: unknown) => e instanceof LedgergateError && e.code === 'invalid_config');
    assert.throws(() => applyMasking(plan, [], { detectors: [], hmacKey: new Uint8Array(4) }), LedgergateError);
  });
});

describe('resultHash', () => {
  it('is the sha256 of the canonical result, independent of key order', () => {
    const a = resultHash([{ name: 'a', type: 'STRING' }], [{ a: 'x', b: 1 }]);
    const b = resultHash([{ type: 'STRING', name: 'a' }], [{ b: 1, a: 'x' }]);
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.equal(a, b);
    assert.notEqual(resultHash([{ name: 'a', type: 'STRING' }], [{ a: 'y', b: 1 }]), a);
  });
});
