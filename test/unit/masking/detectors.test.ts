import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  createTextScanner,
  detectors,
  findCardNumbers,
  findEmails,
  findIbans,
  findPhoneNumbers,
  findSecrets,
  findSsns,
  ibanChecksumValid,
  luhnValid,
} from '../../../src/domain/masking/detectors/index.js';
import { detectorNames } from '../../../src/domain/policy/types.js';

const scanAll = createTextScanner(detectorNames);
const scan = (text: string): { text: string; hits: Record<string, number> } => {
  const hits: Record<string, number> = {};
  const masked = scanAll(text, (detector, count) => {
    hits[detector] = (hits[detector] ?? 0) + count;
  });
  return { text: masked, hits };
};
const spanText = (text: string, find: (t: string) => { start: number; end: number }[]): string[] =>
  find(text).map(({ start, end }) => text.slice(start, end));

describe('email detector', () => {
  it('finds addresses inside text', () => {
    assert.deepEqual(spanText('mail jane.doe+x@mail.example.com, or ops@example.org.', findEmails), [
      'jane.doe+x@mail.example.com',
      'ops@example.org',
    ]);
  });
  it('ignores package versions, handles and hosts', () => {
    for (const text of ['lodash@4.17.21', '@scope/pkg', 'user@localhost', 'api.example.com', 'a @ b.com']) {
      assert.deepEqual(findEmails(text), [], text);
    }
  });
});

describe('payment card detector', () => {
  const cards = ['4111111111111111', '4111 1111 1111 1111', '5555-5555-5555-4444', '378282246310005', '3782 822463 10005', '6011111111111117', '3530111333300000', '30569309025904', '2223003122003222'];
  it('finds Luhn-valid numbers with known issuer prefixes, compact or grouped', () => {
    for (const card of cards) assert.deepEqual(spanText(`paid with ${card} today`, findCardNumbers), [card], card);
  });
  it('rejects Luhn failures, unknown prefixes and mixed separators', () => {
    const negatives = ['4111111111111112', '1234567812345670', '9111111111111115', '4111 1111-1111 1111', '4111.1111_1111 1111'];
    for (const text of negatives) assert.deepEqual(findCardNumbers(text), [], text);
  });
  it('finds numbers glued to letters, underscores or dashes, and grouped by any one separator', () => {
    for (const [text, card] of [['x4111111111111111', '4111111111111111'], ['ORD-4111111111111111', '4111111111111111'], ['4111111111111111-2', '4111111111111111'], ['card_4111_1111_1111_1111_end', '4111_1111_1111_1111'], ['4111.1111.1111.1111', '4111.1111.1111.1111'], ['41 11 11 11 11 11 11 11', '41 11 11 11 11 11 11 11']] as const) {
      assert.deepEqual(spanText(text, findCardNumbers), [card], text);
    }
  });
  it('finds any card with any separator and any glue around it (generated)', () => {
    const separator = fc.constantFrom('', ' ', '.', '-', '_');
    const glue = fc.constantFrom('', 'x', 'card', '_', 'id_', '-', ' ', 'A');
    fc.assert(
      fc.property(fc.constantFrom(...cards.map((c) => c.replace(/\D/g, ''))), separator, glue, glue, (card, sep, before, after) => {
        const written = (card.match(/.{1,4}/g) ?? []).join(sep);
        return scan(`${before}${written}${after}`).text === `${before}[CREDIT_CARD]${after}`;
      }),
      { seed: 18, numRuns: 400 },
    );
  });
  it('implements Luhn', () => {
    assert.equal(luhnValid('79927398713'), true);
    assert.equal(luhnValid('79927398710'), false);
  });
});

describe('US SSN detector', () => {
  it('finds AAA-GG-SSSS and labelled nine-digit numbers', () => {
    assert.deepEqual(spanText('ssn 536-22-1234 on file', findSsns), ['536-22-1234']);
    assert.deepEqual(spanText('SSN: 536221234', findSsns), ['536221234']);
    assert.deepEqual(spanText('social security number 536 22 1234', findSsns), ['536 22 1234']);
    assert.deepEqual(spanText('user_ssn=536221234', findSsns), ['536221234']);
  });
  it('rejects numbers never issued and mixed separators', () => {
    for (const text of ['000-12-3456', '666-12-3456', '900-12-3456', '536-00-1234', '536-22-0000', '078-05-1120', '123-45-6789', '219-09-9999', 'SSN: 123456789', '536-22.1234', '5362-21234']) {
      assert.deepEqual(findSsns(text), [], text);
    }
  });
  it('takes a plausible nine-digit run bounded by non-digits for an SSN, whatever the separator or glue (generated)', () => {
    assert.deepEqual(spanText('order 536221234', findSsns), ['536221234']);
    assert.deepEqual(spanText('ssn536221234x', findSsns), ['536221234']);
    const separator = fc.constantFrom('', ' ', '.', '-', '_');
    const glue = fc.constantFrom('', 'x', 'ssn', '_', 'id_', ' ', 'Z', '#');
    const ssn = fc.tuple(fc.integer({ min: 1, max: 665 }), fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 9999 }));
    fc.assert(
      fc.property(ssn, separator, glue, glue, ([area, group, serial], sep, before, after) => {
        const parts = [String(area).padStart(3, '0'), String(group).padStart(2, '0'), String(serial).padStart(4, '0')];
        if (parts.join('') === '123456789' || parts.join('') === '078051120') return true;
        return scan(`${before}${parts.join(sep)}${after}`).text === `${before}[US_SSN]${after}`;
      }),
      { seed: 18, numRuns: 400 },
    );
  });
});

describe('phone detector', () => {
  it('finds E.164 and North American formats', () => {
    for (const phone of ['+12125550187', '+1 212 555 0187', '+44 20 7946 0958', '+49-30-1234567', '+1 (212) 555-0187', '(212) 555-0187', '212-555-0187', '212.555.0187', '1-212-555-0187']) {
      assert.deepEqual(spanText(`call ${phone} now`, findPhoneNumbers), [phone], phone);
    }
  });
  it('does not take long digit runs, amounts, dates, versions or implausible numbers for phones', () => {
    for (const text of ['order 100234567890', '1700000000000', '+12345678.90', '2024-01-15 10:30:00', '10.0.19041.1234', '123-555-0187', '212-055-0187', '212-555.0187', '+123', '+0 7946 0958', '1705314600'] ) {
      assert.deepEqual(findPhoneNumbers(text), [], text);
    }
  });
  it('finds North American numbers with any one separator or none, glued to anything but digits (generated)', () => {
    const separator = fc.constantFrom('', ' ', '.', '-', '_');
    const glue = fc.constantFrom('', 'x', 'tel', '_', 'id_', ' ', 'Z');
    const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 9 }), digits(2), fc.integer({ min: 2, max: 9 }), digits(2), digits(4), separator, glue, glue, (a, area, e, exchange, line, sep, before, after) => {
        const written = [`${a}${area}`, `${e}${exchange}`, line].join(sep);
        const { text } = scan(`${before}${written}${after}`);
        return !text.includes(written) && (text.includes('[PHONE]') || text.includes('[US_SSN]'));
      }),
      { seed: 18, numRuns: 400 },
    );
  });
});

describe('IBAN detector', () => {
  const ibans = ['DE89370400440532013000', 'DE89 3704 0044 0532 0130 00', 'GB82WEST12345698765432', 'FR1420041010050500013M02606', 'NL91ABNA0417164300', 'BE68539007547034', 'NO9386011117947', 'CH9300762011623852957', 'ES9121000418450200051332', 'IT60X0542811101000000123456'];
  it('finds valid IBANs compact or grouped by four', () => {
    for (const iban of ibans) assert.deepEqual(spanText(`IBAN ${iban} PAID`, findIbans), [iban], iban);
  });
  it('finds IBANs in either case, grouped by any one separator, glued to letters', () => {
    for (const iban of ibans) {
      const compact = iban.replace(/ /g, '');
      for (const written of [compact.toLowerCase(), (compact.match(/.{1,4}/g) ?? []).join('-'), (compact.match(/.{1,4}/g) ?? []).join('_').toLowerCase(), `acct${compact}`]) {
        assert.equal(scan(written).text.includes('[IBAN]'), true, written);
      }
    }
  });
  it('rejects bad check digits, wrong lengths and unknown countries', () => {
    for (const text of ['DE89370400440532013001', 'DE8937040044053201300', 'ZZ89370400440532013000']) {
      assert.deepEqual(findIbans(text), [], text);
    }
    assert.equal(ibanChecksumValid('GB82WEST12345698765432'), true);
    assert.equal(ibanChecksumValid('GB83WEST12345698765432'), false);
  });
});

describe('secret detector', () => {
  const secrets = [
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----',
    '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----',
    'AKIAIOSFODNN7EXAMPLE',
    `ghp_${'A1b2C3d4E5'.repeat(4).slice(0, 36)}`,
    `gho_${'z'.repeat(36)}`,
    `ghs_${'Q'.repeat(36)}`,
    `github_pat_11ABCDEFG0${'x'.repeat(60)}`,
    'glpat-AbCdEfGhIjKlMnOpQrSt',
    'xoxb-123456789012-abcdefghijkl',
    'xoxp-1234-5678-abcdefgh',
    `AIza${'SyA1b2C3d4E5f6G7h8I9j0K_L-M1n2O3p45'}`,
    `sk_live_${'4eC39HqLyjWDarjtT1zdp7dc'}`,
  ];
  it('finds every kind of credential', () => {
    for (const secret of secrets) assert.deepEqual(spanText(`token=${secret} end`, findSecrets), [secret], secret);
  });
  it('masks a private key block cut off before its END line to the end of the text', () => {
    const text = 'key: -----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA';
    assert.equal(scan(text).text, 'key: [SECRET]');
  });
  it('ignores look-alikes', () => {
    for (const text of ['eyJhbGciOi only one part', 'AKIA-not-a-key', 'ghp_short', 'sk_test_4eC39HqLyjWDarjtT1zdp7dc', 'BEGIN PUBLIC KEY', '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----']) {
      assert.deepEqual(findSecrets(text), [], text);
    }
  });
});

describe('the scanner', () => {
  it('replaces each match by its label and keeps the rest of the text', () => {
    const result = scan('Jane <jane@example.com> paid 4111 1111 1111 1111, call +1 212 555 0187, ssn 536-22-1234, IBAN GB82WEST12345698765432');
    assert.equal(result.text, 'Jane <[EMAIL]> paid [CREDIT_CARD], call [PHONE], ssn [US_SSN], IBAN [IBAN]');
    assert.deepEqual(result.hits, { email: 1, iban: 1, credit_card: 1, us_ssn: 1, phone: 1 });
  });
  it('counts several matches of one detector', () => {
    assert.deepEqual(scan('a@x.com, b@y.org; c@z.net').hits, { email: 3 });
  });
  it('runs only the detectors asked for', () => {
    const emailsOnly = createTextScanner(['email']);
    assert.equal(emailsOnly('jane@example.com 4111111111111111', () => {}), '[EMAIL] 4111111111111111');
  });
  it('finds a value written in base64, whole, glued to other text, or part-way into an encoding', () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    for (const [value, label] of [['536-22-1234', 'US_SSN'], ['jane.doe@example.com', 'EMAIL'], ['4111111111111111', 'CREDIT_CARD'], ['DE89370400440532013000', 'IBAN'], ['(212) 555-0187', 'PHONE']] as const) {
      for (const written of [b64(value), `id=${b64(value)}`, `prefix${b64(` ${value}`)}`, b64(`note: ${value}!`)]) {
        const { text, hits } = scan(written);
        assert.ok(text.includes(`[${label}]`), `${value} as ${written} → ${text}`);
        assert.ok(Object.keys(hits).length > 0);
      }
    }
    assert.equal(scan('SGVsbG8gV29ybGQgYW5kIGFsbCB0aGF0').text, 'SGVsbG8gV29ybGQgYW5kIGFsbCB0aGF0', 'base64 of plain words stays');
  });
  it('names each detector label after the detector', () => {
    for (const name of detectorNames) assert.equal(detectors[name].replacement, `[${name.toUpperCase()}]`);
  });
});

describe('benign data', () => {
  const corpus = [
    '2024-01-15T10:30:00Z', '2024-01-15T10:30:00.123456+05:30', '2024-01-15 10:30:00 UTC', '2024-01-15', '1705314600', '1705314600123',
    '1.2.3', '10.0.19041', '10.0.19041.1234', 'v2.14.0-rc.1', '4.17.21',
    'api.example.com', 'db-01.prod.internal', 'https://example.com/path?id=1234567890',
    '123e4567-e89b-12d3-a456-426614174000', '550e8400-e29b-41d4-a716-446655440000',
    'ORD-2024-000123', 'INV-2023-12-000045', 'SKU-4411-2233', 'order #10023456',
    '192.168.1.100', '10.0.0.1', '255.255.255.0', '172.16.254.1:8080',
    'd41d8cd98f00b204e9800998ecf8427e', 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    '1234.56', '-42.00', '1,234,567.89', '$ 1 234 567', '0.000123', '99.99%', '3.14159265358979',
    'Hello world', 'The quick brown fox jumps over the lazy dog', 'Jane Doe', 'São Paulo',
    'customer_id', 'first_name', 'created_at', 'user_ssn_hash', 'ghost_town', 'sk_test_key',
    'ISBN 978-3-16-148410-0', 'tel: n/a', 'room 212, floor 5', 'ZIP 10001-1234', 'lat 40.7128 lon -74.0060',
    'BEGIN TRANSACTION', 'AKIA', 'eyJ', 'Base64: SGVsbG8gV29ybGQ=',
  ];

  it('flags nothing in a corpus of ids, amounts, timestamps, versions, hosts, UUIDs and hashes', () => {
    for (const text of corpus) assert.deepEqual(scan(text), { text, hits: {} }, text);
  });

  it('flags nothing in generated UUIDs, IPv4 addresses, ISO timestamps, ids and hex digests', () => {
    const hexDigest = fc.array(fc.integer({ min: 0, max: 15 }), { minLength: 32, maxLength: 64 }).map((ds) => ds.map((d) => d.toString(16)).join(''));
    const benign = fc.oneof(
      fc.uuid(),
      fc.ipV4(),
      fc.date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
      // Nine- and ten-digit numbers may be SSNs or phones without separators, and are taken for them.
      fc.nat({ max: 99_999_999 }).map(String),
      fc.nat({ max: 999999 }).map((n) => `ORD-2024-${String(n).padStart(6, '0')}`),
      fc.tuple(fc.nat(99), fc.nat(99), fc.nat(99999)).map(([a, b, c]) => `${a}.${b}.${c}`),
      fc.integer({ min: -1e9, max: 1e9 }).map((n) => (n / 100).toFixed(2)),
      hexDigest,
    );
    fc.assert(fc.property(benign, (text) => scan(text).text === text), { seed: 20240115, numRuns: 3000 });
  });
});

describe('scanning cost', () => {
  it('stays linear on adversarial input (no catastrophic backtracking)', () => {
    const adversarial = [
      `${'a'.repeat(20000)}@`,
      `a@${'a.'.repeat(10000)}`,
      '1 '.repeat(10000),
      `+1${' 1'.repeat(10000)}`,
      `DE89${' 1234'.repeat(4000)}`,
      `eyJ${'a'.repeat(20000)}.eyJ`,
      '-----BEGIN PRIVATE KEY-----'.repeat(800),
      '(212) '.repeat(4000),
      'ssn '.repeat(5000),
    ];
    for (const text of adversarial) {
      const started = performance.now();
      scan(text);
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 2000, `${text.slice(0, 12)}… took ${elapsed.toFixed(0)} ms`);
    }
  });
});
