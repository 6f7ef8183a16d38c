import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyRule, createKeyedHasher, maskRuleStrictness, REDACTED, strictestRule } from '../../../src/domain/masking/rules.js';
import { LedgergateError } from '../../../src/domain/errors.js';
import type { MaskRuleName } from '../../../src/domain/policy/types.js';
import type { CellValue } from '../../../src/domain/ports.js';
import { hmacKey } from './support.js';

const hasher = createKeyedHasher(hmacKey);
const mask = (rule: MaskRuleName, value: CellValue, type?: string): CellValue => applyRule(rule, value, type ? { type } : undefined, hasher);
const allRules: readonly MaskRuleName[] = ['redact', 'email', 'last4', 'hash', 'null', 'year'];

describe('mask rules on scalars', () => {
  it('keeps null as null under every rule', () => {
    for (const rule of allRules) assert.equal(mask(rule, null), null, rule);
  });

  it('redact replaces strings, numbers, booleans and dates with the [REDACTED] string', () => {
    assert.equal(mask('redact', 'Jane Doe'), REDACTED);
    assert.equal(mask('redact', 42, 'INT64'), '[REDACTED]');
    assert.equal(mask('redact', 3.5, 'FLOAT64'), '[REDACTED]');
    assert.equal(mask('redact', true, 'BOOL'), '[REDACTED]');
    assert.equal(mask('redact', '1984-03-02', 'DATE'), '[REDACTED]');
  });

  it('email keeps the first character and the domain', () => {
    assert.equal(mask('email', 'jane.doe@example.com'), 'j***@example.com');
    assert.equal(mask('email', 'x@mail.example.org'), 'x***@mail.example.org');
  });

  it('email redacts values that are not one address', () => {
    assert.equal(mask('email', 'not an email'), REDACTED);
    assert.equal(mask('email', 'a@b@c.com'), REDACTED);
    assert.equal(mask('email', 'jane@localhost'), REDACTED);
    assert.equal(mask('email', 12345, 'INT64'), REDACTED);
  });

  it('last4 keeps only the last four letters or digits', () => {
    assert.equal(mask('last4', '4111-1111-1111-1234'), '****1234');
    assert.equal(mask('last4', 'GB82 WEST 1234 5698 7654 32'), '****5432');
    assert.equal(mask('last4', 123456789012, 'INT64'), '****9012');
  });

  it('last4 masks short values whole', () => {
    assert.equal(mask('last4', '1234'), '****');
    assert.equal(mask('last4', '12-34-567'), '****');
    assert.equal(mask('last4', true, 'BOOL'), REDACTED);
  });

  it('hash is keyed, stable per value and shows 16 hex characters', () => {
    const first = mask('hash', '123-45-6780');
    assert.match(String(first), /^hash:[0-9a-f]{16}$/);
    assert.equal(mask('hash', '123-45-6780'), first);
    assert.notEqual(mask('hash', '123-45-6781'), first);
    const otherKey = createKeyedHasher('ff'.repeat(32));
    assert.notEqual(applyRule('hash', '123-45-6780', undefined, otherKey), first);
    assert.match(String(mask('hash', 42, 'INT64')), /^hash:[0-9a-f]{16}$/);
  });

  it('the hasher rejects short or malformed keys without echoing them', () => {
    assert.throws(() => createKeyedHasher('abcd'), (e: unknown) => e instanceof LedgergateError && e.code === 'invalid_config' && !e.message.includes('abcd'));
    assert.throws(() => createKeyedHasher('zz'.repeat(20)), (e: unknown) => e instanceof LedgergateError && !e.message.includes('zzzz'));
    assert.doesNotThrow(() => createKeyedHasher(new Uint8Array(16)));
    assert.doesNotThrow(() => createKeyedHasher(new Uint8Array(32)));
    assert.ok(!String(hasher).includes(hmacKey));
  });

  it('null nulls every value', () => {
    assert.equal(mask('null', 'x'), null);
    assert.equal(mask('null', 7, 'INT64'), null);
    assert.equal(mask('null', { a: 1 }, 'STRUCT'), null);
  });

  it('year keeps the year of dates and timestamps, redacts anything else', () => {
    assert.equal(mask('year', '1984-03-02', 'DATE'), '1984');
    assert.equal(mask('year', '1984-03-02T10:11:12.000Z', 'TIMESTAMP'), '1984');
    assert.equal(mask('year', '1984-03-02 10:11:12', 'DATETIME'), '1984');
    assert.equal(mask('year', 449748672, 'TIMESTAMP'), '1984');
    assert.equal(mask('year', '4.49748672E8', 'TIMESTAMP'), '1984');
    assert.equal(mask('year', 'Jane', 'STRING'), REDACTED);
    assert.equal(mask('year', 449748672, 'INT64'), REDACTED);
  });
});

describe('mask rules inside nested values', () => {
  it('masks every leaf of a STRUCT and keeps its shape', () => {
    const value = { name: 'Jane', address: { city: 'Oslo', zip: 1234 }, active: true };
    const schema = { type: 'STRUCT', fields: [{ name: 'name', type: 'STRING' }, { name: 'address', type: 'STRUCT' }, { name: 'active', type: 'BOOL' }] };
    assert.deepEqual(applyRule('redact', value, schema, hasher), { name: REDACTED, address: { city: REDACTED, zip: REDACTED }, active: REDACTED });
  });

  it('masks the keys of a MAP or JSON object a rule reaches: keys are data', () => {
    const masked = mask('redact', { 'ann@example.com': 3, '536-22-1234': 1 }, 'JSON') as Record<string, CellValue>;
    assert.deepEqual(Object.values(masked), [REDACTED, REDACTED]);
    assert.ok(Object.keys(masked).every((key) => key.startsWith(REDACTED)));
    assert.equal(new Set(Object.keys(masked)).size, 2, 'keys stay distinct');
    const hashed = mask('hash', { 'ann@example.com': 3 }, 'JSON') as Record<string, CellValue>;
    assert.deepEqual(Object.keys(hashed), [hasher('ann@example.com')]);
    const nested = mask('redact', { m: { 'ann@example.com': 1 } }, undefined) as Record<string, Record<string, CellValue>>;
    assert.ok(!JSON.stringify(nested).includes('ann@'));
  });

  it('masks every element of an ARRAY with the element type', () => {
    assert.deepEqual(applyRule('email', ['a@x.com', null, 'bad'], { type: 'ARRAY<STRING>' }, hasher), ['a***@x.com', null, REDACTED]);
    assert.deepEqual(applyRule('year', ['1990-01-02', '2001-05-06'], { type: 'DATE', mode: 'REPEATED' }, hasher), ['1990', '2001']);
  });

  it('uses STRUCT field types for type-aware rules', () => {
    const schema = { type: 'STRUCT', fields: [{ name: 'born', type: 'TIMESTAMP' }, { name: 'n', type: 'INT64' }] };
    assert.deepEqual(applyRule('year', { born: 449748672, n: 5 }, schema, hasher), { born: '1984', n: REDACTED });
  });

  it('parses JSON text, masks inside and returns JSON text', () => {
    const masked = mask('redact', '{"email":"a@x.com","tags":["x",1],"nested":{"ok":null}}', 'JSON');
    assert.deepEqual(JSON.parse(String(masked)), { [REDACTED]: REDACTED, [`${REDACTED}:2`]: [REDACTED, REDACTED], [`${REDACTED}:3`]: { [REDACTED]: null } });
  });

  it('masks JSON that is not parseable as one string', () => {
    assert.equal(mask('redact', '{not json', 'JSON'), REDACTED);
  });

  it('keeps a __proto__ key in JSON as data', () => {
    const masked = mask('hash', '{"__proto__":{"x":"secret"}}', 'JSON');
    assert.equal(String(masked), JSON.stringify({ [hasher('__proto__')]: { [hasher('x')]: hasher('secret') } }));
    const scanned = applyRule('redact', JSON.parse('{"__proto__":1}') as CellValue, { type: 'STRUCT', fields: [{ name: '__proto__', type: 'INT64' }] }, hasher);
    assert.deepEqual(Object.keys(scanned as object), ['__proto__']);
    assert.equal(Object.getPrototypeOf(scanned), Object.prototype);
  });
});

describe('strictness', () => {
  it('orders null > redact > hash > year > last4 > email', () => {
    assert.deepEqual(maskRuleStrictness, ['null', 'redact', 'hash', 'year', 'last4', 'email']);
    assert.equal(strictestRule(['email', 'last4']), 'last4');
    assert.equal(strictestRule(['email', 'year', 'hash']), 'hash');
    assert.equal(strictestRule(['hash', 'redact', undefined]), 'redact');
    assert.equal(strictestRule(['redact', 'null']), 'null');
    assert.equal(strictestRule([]), undefined);
  });
});
