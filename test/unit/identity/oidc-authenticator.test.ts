import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, SignJWT } from 'jose';
import { createOidcAuthenticator } from '../../../src/adapters/identity/oidc-authenticator.js';
import { readDiscoveryDocument } from '../../../src/adapters/identity/oidc-discovery.js';
import { isLedgergateError } from '../../../src/domain/errors.js';
import { startOidcProvider, type LocalOidcProvider } from '../../support/oidc-provider.js';
import { expectRefusal } from '../../contract/authenticator.contract.js';

const now = () => Math.floor(Date.now() / 1000);

function claimsFor(provider: LocalOidcProvider, sub = 'alice') {
  return { iss: provider.issuer, aud: 'ledgergate', sub, exp: now() + 300, groups: ['g'] };
}

function authenticatorFor(provider: LocalOidcProvider, extra: { jwksCooldownMs?: number } = {}) {
  return createOidcAuthenticator({
    issuer: provider.issuer,
    audience: 'ledgergate',
    groupsClaim: 'groups',
    fetchTimeoutMs: 2_000,
    ...extra,
  });
}

const isInvalidConfig = (error: unknown) => isLedgergateError(error) && error.code === 'invalid_config';

describe('OIDC authenticator: discovery and key fetching', () => {
  let provider: LocalOidcProvider;
  before(async () => {
    provider = await startOidcProvider({ algorithm: 'ES256' });
  });
  after(async () => {
    await provider.close();
  });

  it('discovers once and caches the key set across tokens, even for concurrent first calls', async () => {
    const start = { ...provider.requests };
    const authenticator = authenticatorFor(provider);
    const tokens = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((sub) => provider.sign(claimsFor(provider, sub))));
    const principals = await Promise.all(tokens.map((token) => authenticator.authenticate(token)));
    assert.deepEqual(principals.map((p) => p.subject), ['a', 'b', 'c', 'd', 'e']);
    await authenticator.authenticate(tokens[0]);
    assert.equal(provider.requests.discovery - start.discovery, 1);
    assert.equal(provider.requests.jwks - start.jwks, 1);
  });

  it('never contacts the issuer for tokens that fail the cheap checks', async () => {
    const start = { ...provider.requests };
    const authenticator = authenticatorFor(provider);
    await expectRefusal(authenticator.authenticate('garbage'), 'malformed');
    await expectRefusal(authenticator.authenticate('x'.repeat(9000)), 'oversized');
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`;
    await expectRefusal(authenticator.authenticate(unsigned), 'alg_not_allowed');
    assert.deepEqual(provider.requests, start);
  });

  it('refuses when the discovered issuer differs from the configured one', async () => {
    provider.discovery.issuerOverride = 'https://attacker.example.com/realms/test';
    try {
      const authenticator = authenticatorFor(provider);
      await expectRefusal(authenticator.authenticate(await provider.sign(claimsFor(provider))), 'issuer_unavailable');
      await assert.rejects(authenticator.discover(), (e: unknown) => isLedgergateError(e) && e.details.reason === 'issuer_unavailable');
    } finally {
      delete provider.discovery.issuerOverride;
    }
  });

  it('retries discovery on the next call after a failure', async () => {
    const authenticator = authenticatorFor(provider);
    const token = await provider.sign(claimsFor(provider));
    provider.discovery.available = false;
    try {
      await expectRefusal(authenticator.authenticate(token), 'issuer_unavailable');
    } finally {
      provider.discovery.available = true;
    }
    assert.equal((await authenticator.authenticate(token)).subject, 'alice');
  });

  it('reports issuer_unavailable when the JWKS cannot be fetched', async () => {
    provider.discovery.jwksUriOverride = `${provider.issuer}/no-such-jwks`;
    try {
      const authenticator = authenticatorFor(provider);
      await expectRefusal(authenticator.authenticate(await provider.sign(claimsFor(provider))), 'issuer_unavailable');
    } finally {
      delete provider.discovery.jwksUriOverride;
    }
  });

  it('reports issuer_unavailable when nothing listens at the issuer', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const issuer = `http://127.0.0.1:${port}`;
    const authenticator = createOidcAuthenticator({ issuer, audience: 'ledgergate', groupsClaim: 'groups', fetchTimeoutMs: 1_000 });
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT({ iss: issuer, aud: 'ledgergate', sub: 'a', exp: now() + 60 })
      .setProtectedHeader({ alg: 'ES256', kid: 'k' })
      .sign(privateKey);
    await expectRefusal(authenticator.authenticate(token), 'issuer_unavailable');
  });

  it('refetches the JWKS for an unknown key id at most once per cooldown', async () => {
    const authenticator = authenticatorFor(provider, { jwksCooldownMs: 60_000 });
    await authenticator.authenticate(await provider.sign(claimsFor(provider)));
    const jwksAfterFirst = provider.requests.jwks;
    const { privateKey } = await generateKeyPair('ES256');
    for (let i = 0; i < 20; i += 1) {
      const forged = await new SignJWT(claimsFor(provider)).setProtectedHeader({ alg: 'ES256', kid: `random-${i}` }).sign(privateKey);
      await expectRefusal(authenticator.authenticate(forged), 'unknown_key');
    }
    assert.equal(provider.requests.jwks, jwksAfterFirst, 'unknown key ids inside the cooldown must not refetch');
  });

  it('stops accepting tokens of a key the issuer has withdrawn', async () => {
    const local = await startOidcProvider({ algorithm: 'RS256' });
    try {
      const authenticator = authenticatorFor(local, { jwksCooldownMs: 0 });
      const oldToken = await local.sign(claimsFor(local, 'old'));
      assert.equal((await authenticator.authenticate(oldToken)).subject, 'old');
      await local.rotate({ dropPrevious: true });
      // The new key is fetched on first sight; the old key is gone from the refreshed set.
      assert.equal((await authenticator.authenticate(await local.sign(claimsFor(local, 'new')))).subject, 'new');
      await expectRefusal(authenticator.authenticate(oldToken), 'unknown_key');
    } finally {
      await local.close();
    }
  });
});

describe('OIDC authenticator: configuration', () => {
  const base = { issuer: 'https://idp.example.com/realms/x', audience: 'ledgergate', groupsClaim: 'groups' };

  it('refuses none and HMAC algorithms in the allow-list', () => {
    for (const allowedAlgorithms of [['none'], ['HS256'], ['RS256', 'HS512'], []]) {
      assert.throws(() => createOidcAuthenticator({ ...base, allowedAlgorithms }), isInvalidConfig);
    }
    assert.doesNotThrow(() => createOidcAuthenticator({ ...base, allowedAlgorithms: ['ES256', 'EdDSA'] }));
  });

  it('refuses an issuer that is not an http(s) URL, and an empty audience', () => {
    for (const issuer of ['idp.example.com', 'ftp://idp.example.com', 'https://idp.example.com/?x=1']) {
      assert.throws(() => createOidcAuthenticator({ ...base, issuer }), isInvalidConfig);
    }
    assert.throws(() => createOidcAuthenticator({ ...base, audience: ' ' }), isInvalidConfig);
  });
});

describe('readDiscoveryDocument', () => {
  const issuer = 'https://idp.example.com/realms/x';
  const reasonOf = (document: unknown, configured = issuer) => {
    try {
      readDiscoveryDocument(configured, document);
      return 'accepted';
    } catch (error) {
      return isLedgergateError(error) ? error.details.reason : 'other';
    }
  };

  it('accepts an HTTPS jwks_uri of an HTTPS issuer', () => {
    const discovered = readDiscoveryDocument(issuer, { issuer, jwks_uri: `${issuer}/certs` });
    assert.equal(discovered.jwksUri.href, `${issuer}/certs`);
  });

  it('refuses a plain-HTTP jwks_uri for an HTTPS issuer (downgrade), and other schemes', () => {
    assert.equal(reasonOf({ issuer, jwks_uri: 'http://idp.example.com/certs' }), 'issuer_unavailable');
    assert.equal(reasonOf({ issuer, jwks_uri: 'file:///etc/keys.json' }), 'issuer_unavailable');
  });

  it('refuses documents without a usable issuer or jwks_uri', () => {
    assert.equal(reasonOf(null), 'issuer_unavailable');
    assert.equal(reasonOf({ issuer: `${issuer}/`, jwks_uri: `${issuer}/certs` }), 'issuer_unavailable');
    assert.equal(reasonOf({ issuer }), 'issuer_unavailable');
    assert.equal(reasonOf({ issuer, jwks_uri: 'not a url' }), 'issuer_unavailable');
  });
});
