import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { groupsFrom, principalFromClaims, readClaimPath } from '../../../src/domain/identity/claims.js';
import { isLedgergateError } from '../../../src/domain/errors.js';

const base = { sub: 'u-1', iss: 'https://idp.example.com/' };

function reasonOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    assert.ok(isLedgergateError(error));
    assert.equal(error.code, 'unauthenticated');
    return error.details.reason;
  }
  assert.fail('expected a refusal');
}

describe('principalFromClaims', () => {
  it('maps subject, issuer, email, groups and actor', () => {
    const principal = principalFromClaims(
      { ...base, email: 'u@example.com', groups: ['a', 'b'], act: { sub: 'agent-1', email: 'bot@example.com' } },
      { groupsClaim: 'groups' },
    );
    assert.deepEqual(principal, {
      subject: 'u-1',
      issuer: 'https://idp.example.com/',
      email: 'u@example.com',
      groups: ['a', 'b'],
      actor: { subject: 'agent-1', email: 'bot@example.com' },
    });
  });

  it('leaves out email and actor when absent', () => {
    assert.deepEqual(principalFromClaims(base, { groupsClaim: 'groups' }), { subject: 'u-1', issuer: base.iss, groups: [] });
  });

  it('requires a non-empty string subject', () => {
    for (const sub of [undefined, '', '   ', 42, { id: 'x' }]) {
      assert.equal(reasonOf(() => principalFromClaims({ ...base, sub }, { groupsClaim: 'groups' })), 'missing_subject');
    }
  });

  it('requires an issuer', () => {
    assert.equal(reasonOf(() => principalFromClaims({ sub: 'u-1' }, { groupsClaim: 'groups' })), 'wrong_issuer');
  });

  it('reads groups from a dotted path into nested objects', () => {
    const claims = { ...base, realm_access: { roles: ['analysts'] }, resource_access: { ledgergate: { roles: 'x y' } } };
    assert.deepEqual(principalFromClaims(claims, { groupsClaim: 'realm_access.roles' }).groups, ['analysts']);
    assert.deepEqual(principalFromClaims(claims, { groupsClaim: 'resource_access.ledgergate.roles' }).groups, ['x', 'y']);
    assert.deepEqual(principalFromClaims(claims, { groupsClaim: 'realm_access.missing' }).groups, []);
    assert.deepEqual(principalFromClaims(claims, { groupsClaim: 'realm_access.roles.deeper' }).groups, []);
  });

  it('prefers a top-level claim whose name itself contains dots (namespaced claims)', () => {
    const claims = { ...base, 'https://example.com/groups': ['namespaced'] };
    assert.deepEqual(principalFromClaims(claims, { groupsClaim: 'https://example.com/groups' }).groups, ['namespaced']);
  });

  it('does not walk into inherited properties', () => {
    assert.equal(readClaimPath({ ...base }, 'constructor.name'), undefined);
    assert.equal(readClaimPath({ ...base }, '__proto__'), undefined);
  });

  it('drops an email the issuer marks as unverified', () => {
    const principal = principalFromClaims({ ...base, email: 'u@example.com', email_verified: false }, { groupsClaim: 'groups' });
    assert.equal(principal.email, undefined);
    const asString = principalFromClaims({ ...base, email: 'u@example.com', email_verified: 'false' }, { groupsClaim: 'groups' });
    assert.equal(asString.email, undefined);
    const verified = principalFromClaims({ ...base, email: 'u@example.com', email_verified: true }, { groupsClaim: 'groups' });
    assert.equal(verified.email, 'u@example.com');
  });

  it('refuses an actor claim without a subject rather than hiding the actor', () => {
    for (const act of ['agent-1', { email: 'bot@example.com' }, { sub: '' }, null, ['agent-1']]) {
      assert.equal(reasonOf(() => principalFromClaims({ ...base, act }, { groupsClaim: 'groups' })), 'malformed');
    }
  });
});

describe('groupsFrom', () => {
  it('accepts an array of strings, trimming, dropping blanks and duplicates', () => {
    assert.deepEqual(groupsFrom([' a ', 'b', '', 'a']), ['a', 'b']);
  });
  it('keeps only the strings of a mixed array', () => {
    assert.deepEqual(groupsFrom(['a', 1, null, { b: 1 }, 'c']), ['a', 'c']);
  });
  it('splits a space- or comma-separated string', () => {
    assert.deepEqual(groupsFrom('a b,c , d'), ['a', 'b', 'c', 'd']);
  });
  it('gives no groups for anything else', () => {
    for (const value of [undefined, null, 7, true, { a: ['x'] }]) assert.deepEqual(groupsFrom(value), []);
  });
});
