/**
 * The Authenticator contract: every adapter (OIDC with a remote JWKS, the built-in development
 * issuer) must accept exactly the valid tokens and refuse every other one with the right reason.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { isLedgergateError } from '../../src/domain/errors.js';
import type { Authenticator } from '../../src/domain/ports.js';

export interface AuthenticatorFixture {
  readonly authenticator: Authenticator;
  readonly issuer: string;
  readonly audience: string;
  /** A dotted path; the fixture's authenticator reads groups from there. */
  readonly groupsClaim: string;
  /** The algorithm of the trusted key. */
  readonly algorithm: string;
  readonly kid: () => string;
  /** Signs exactly these claims with the trusted key (header members override alg/kid). */
  sign(claims: JWTPayload, header?: Record<string, unknown>): Promise<string>;
  publicKeyPem(): Promise<string>;
  /** Only for issuers that can rotate: makes a new key current and publishes it. */
  rotate?(): Promise<void>;
  close(): Promise<void>;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Nests `value` under the dotted `path`. */
function atPath(path: string, value: unknown): Record<string, unknown> {
  return path
    .split('.')
    .reverse()
    .reduce<unknown>((inner, segment) => ({ [segment]: inner }), value) as Record<string, unknown>;
}

export async function expectRefusal(promise: Promise<unknown>, reason: string, secrets: string[] = []): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isLedgergateError(error), `expected a LedgergateError, got ${String(error)}`);
    assert.equal(error.code, 'unauthenticated');
    assert.equal(error.details.reason, reason, `expected reason ${reason}, got ${String(error.details.reason)}`);
    for (const secret of secrets) {
      assert.ok(!error.message.includes(secret), 'the error message echoes token content');
      assert.ok(!JSON.stringify(error.details).includes(secret), 'the error details echo token content');
    }
    return true;
  });
}

export function authenticatorContract(
  name: string,
  open: () => Promise<AuthenticatorFixture>,
  capabilities: { readonly canRotate: boolean },
): void {
  describe(`Authenticator contract: ${name}`, () => {
    let f: AuthenticatorFixture;
    before(async () => {
      f = await open();
    });
    after(async () => {
      await f.close();
    });

    const validClaims = (overrides: JWTPayload = {}): JWTPayload => ({
      iss: f.issuer,
      aud: f.audience,
      sub: 'alice-7f3a',
      email: 'alice@example.com',
      iat: nowSeconds(),
      exp: nowSeconds() + 300,
      ...atPath(f.groupsClaim, ['analysts', 'ai-agents']),
      act: { sub: 'agent-claude-42', email: 'agent@example.com' },
      ...overrides,
    });

    it('accepts a valid token and yields subject, issuer, email, groups (dotted path) and actor', async () => {
      const principal = await f.authenticator.authenticate(await f.sign(validClaims()));
      assert.deepEqual(principal, {
        subject: 'alice-7f3a',
        issuer: f.issuer,
        email: 'alice@example.com',
        groups: ['analysts', 'ai-agents'],
        actor: { subject: 'agent-claude-42', email: 'agent@example.com' },
      });
    });

    it('reads groups from every token, never from a cache', async () => {
      const first = await f.authenticator.authenticate(await f.sign(validClaims(atPath(f.groupsClaim, ['analysts']))));
      const second = await f.authenticator.authenticate(await f.sign(validClaims(atPath(f.groupsClaim, ['data-owners']))));
      assert.deepEqual(first.groups, ['analysts']);
      assert.deepEqual(second.groups, ['data-owners']);
    });

    it('accepts an audience array that contains the audience, and a token expired within the clock tolerance', async () => {
      const principal = await f.authenticator.authenticate(
        await f.sign(validClaims({ aud: ['other-api', f.audience], exp: nowSeconds() - 5 })),
      );
      assert.equal(principal.subject, 'alice-7f3a');
    });

    it('refuses no token', async () => {
      await expectRefusal(f.authenticator.authenticate(''), 'missing');
      await expectRefusal(f.authenticator.authenticate('   '), 'missing');
    });

    it('refuses garbage', async () => {
      await expectRefusal(f.authenticator.authenticate('not-a-token'), 'malformed', ['not-a-token']);
      await expectRefusal(f.authenticator.authenticate('aaa.bbb.ccc'), 'malformed', ['aaa.bbb.ccc']);
      await expectRefusal(f.authenticator.authenticate(`${b64url({ alg: f.algorithm })}.@@@.xyz`), 'malformed');
      // Five segments: an encrypted JWT, which this gateway does not accept.
      await expectRefusal(f.authenticator.authenticate('a.b.c.d.e'), 'malformed');
    });

    it('refuses alg "none"', async () => {
      const unsigned = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(validClaims())}.`;
      await expectRefusal(f.authenticator.authenticate(unsigned), 'alg_not_allowed');
    });

    it('refuses HS256 signed with the public key (algorithm confusion)', async () => {
      const secret = new TextEncoder().encode(await f.publicKeyPem());
      const forged = await new SignJWT(validClaims()).setProtectedHeader({ alg: 'HS256', kid: f.kid() }).sign(secret);
      await expectRefusal(f.authenticator.authenticate(forged), 'alg_not_allowed');
    });

    it('refuses a payload moved from one valid token into another (signature mismatch)', async () => {
      const [headerA, , signatureA] = (await f.sign(validClaims({ sub: 'alice-7f3a' }))).split('.');
      const [, payloadB] = (await f.sign(validClaims({ sub: 'mallory-0000', ...atPath(f.groupsClaim, ['data-owners']) }))).split('.');
      await expectRefusal(f.authenticator.authenticate(`${headerA}.${payloadB}.${signatureA}`), 'bad_signature', ['mallory-0000']);
    });

    it('refuses a token signed by a foreign key under the trusted key id', async () => {
      const { privateKey } = await generateKeyPair(f.algorithm);
      const forged = await new SignJWT(validClaims()).setProtectedHeader({ alg: f.algorithm, kid: f.kid() }).sign(privateKey);
      await expectRefusal(f.authenticator.authenticate(forged), 'bad_signature');
    });

    it('refuses a token whose key id the issuer does not publish', async () => {
      const { privateKey } = await generateKeyPair(f.algorithm);
      const forged = await new SignJWT(validClaims()).setProtectedHeader({ alg: f.algorithm, kid: 'no-such-key' }).sign(privateKey);
      await expectRefusal(f.authenticator.authenticate(forged), 'unknown_key');
    });

    it('refuses an expired token', async () => {
      const token = await f.sign(validClaims({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 }));
      await expectRefusal(f.authenticator.authenticate(token), 'expired', ['alice-7f3a']);
    });

    it('refuses a token that is not valid yet', async () => {
      await expectRefusal(f.authenticator.authenticate(await f.sign(validClaims({ nbf: nowSeconds() + 3600 }))), 'not_yet_valid');
    });

    it('refuses a token of another issuer, or of none', async () => {
      await expectRefusal(
        f.authenticator.authenticate(await f.sign(validClaims({ iss: 'https://evil.example.com/' }))),
        'wrong_issuer',
        ['evil.example.com'],
      );
      const { iss: _omitted, ...withoutIssuer } = validClaims();
      await expectRefusal(f.authenticator.authenticate(await f.sign(withoutIssuer)), 'wrong_issuer');
    });

    it('refuses a token for another audience, or for none', async () => {
      await expectRefusal(f.authenticator.authenticate(await f.sign(validClaims({ aud: 'some-other-api' }))), 'wrong_audience', [
        'some-other-api',
      ]);
      const { aud: _omitted, ...withoutAudience } = validClaims();
      await expectRefusal(f.authenticator.authenticate(await f.sign(withoutAudience)), 'wrong_audience');
    });

    it('refuses a token larger than 8 KiB before parsing it', async () => {
      const token = await f.sign(validClaims({ padding: 'x'.repeat(9000) }));
      assert.ok(token.length > 8192);
      await expectRefusal(f.authenticator.authenticate(token), 'oversized');
    });

    it('refuses a token without a subject, and one without an expiry', async () => {
      const { sub: _sub, ...withoutSubject } = validClaims();
      await expectRefusal(f.authenticator.authenticate(await f.sign(withoutSubject)), 'missing_subject');
      await expectRefusal(f.authenticator.authenticate(await f.sign(validClaims({ sub: '' }))), 'missing_subject');
      const { exp: _exp, ...withoutExpiry } = validClaims();
      await expectRefusal(f.authenticator.authenticate(await f.sign(withoutExpiry)), 'malformed');
    });

    it('gives no groups when the groups claim has an unusable shape', async () => {
      const principal = await f.authenticator.authenticate(await f.sign(validClaims(atPath(f.groupsClaim, { admin: true }))));
      assert.deepEqual(principal.groups, []);
    });

    // The development issuer keeps one key for the life of its data directory: nothing to rotate.
    if (capabilities.canRotate) it('verifies tokens of a new key after the issuer rotates its keys', async () => {
      assert.ok(f.rotate, 'a rotating fixture must offer rotate()');
      const before = await f.sign(validClaims({ sub: 'before-rotation' }));
      assert.equal((await f.authenticator.authenticate(before)).subject, 'before-rotation');
      const oldKid = f.kid();
      await f.rotate();
      assert.notEqual(f.kid(), oldKid);
      const afterRotation = await f.sign(validClaims({ sub: 'after-rotation' }));
      assert.equal((await f.authenticator.authenticate(afterRotation)).subject, 'after-rotation');
    });
  });
}
