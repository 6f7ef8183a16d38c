import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { demoPiiSamples, demoTables, ibanMod97, luhnCheckDigit } from '../../../src/adapters/warehouse/demo-dataset.js';

const luhnValid = (number: string): boolean => luhnCheckDigit(number.slice(0, -1)) === Number(number.at(-1));

describe('demo dataset', () => {
  const pii = demoPiiSamples();
  const tables = demoTables();
  const table = (name: string) => tables.find((t) => `${t.dataset}.${t.table}` === name)!;

  it('checks Luhn and mod-97 correctly on known values', () => {
    assert.ok(luhnValid('4111111111111111'));
    assert.ok(!luhnValid('4111111111111112'));
    assert.equal(ibanMod97('DE89370400440532013000'.slice(4) + 'DE89'), 1);
  });

  it('is deterministic', () => {
    assert.deepEqual(demoTables(), tables);
  });

  it('has the expected sizes', () => {
    assert.equal(table('sales.customers').rows.length, 200);
    assert.equal(table('sales.orders').rows.length, 1000);
    assert.ok(table('sales.invoices').rows.length > 300);
    assert.ok(table('hr.salaries').rows.length > 0);
    assert.ok(table('analytics.page_views').rows.length > 0);
  });

  it('card numbers pass Luhn', () => {
    assert.ok(pii.cardNumbers.length >= 200);
    for (const card of pii.cardNumbers) {
      assert.match(card, /^(4\d{15}|5[1-5]\d{14})$/);
      assert.ok(luhnValid(card), card);
    }
  });

  it('IBANs carry valid mod-97 check digits', () => {
    assert.ok(pii.ibans.length > 300);
    const countries = new Set(pii.ibans.map((iban) => iban.slice(0, 2)));
    assert.deepEqual([...countries].sort(), ['DE', 'FR', 'GB']);
    const lengths: Record<string, number> = { DE: 22, GB: 22, FR: 27 };
    for (const iban of pii.ibans) {
      assert.equal(iban.length, lengths[iban.slice(0, 2)], iban);
      assert.equal(ibanMod97(iban.slice(4) + iban.slice(0, 4)), 1, iban);
    }
  });

  it('SSNs follow the US rules', () => {
    for (const ssn of pii.ssns) {
      const match = /^(\d{3})-(\d{2})-(\d{4})$/.exec(ssn);
      assert.ok(match, ssn);
      const [area, group, serial] = [Number(match[1]), Number(match[2]), Number(match[3])];
      assert.ok(area >= 1 && area <= 899 && area !== 666, ssn);
      assert.ok(group !== 0 && serial !== 0, ssn);
    }
  });

  it('phones are E.164 NANP and emails are well formed', () => {
    for (const phone of pii.phones) assert.match(phone, /^\+1[2-9]\d{2}[2-9]\d{6}$/);
    for (const email of pii.emails) assert.match(email, /^[a-z0-9.]+@[a-z.]+\.[a-z]+$/);
  });

  it('hides PII in the free-text notes', () => {
    const notes = table('sales.customers').rows.map((row) => String(row[9] ?? ''));
    assert.ok(pii.notesPii.length >= 20);
    for (const hidden of pii.notesPii) assert.ok(notes.some((note) => note.includes(hidden)), hidden);
  });
});
