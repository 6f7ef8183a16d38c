import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { createOidcAuthenticator } from '../../src/adapters/identity/oidc-authenticator.js';
import { openDevIssuer } from '../../src/adapters/identity/dev-issuer.js';
import { loadOrCreateDevSigningKey } from '../../src/adapters/identity/dev-signing-key.js';
import { startOidcProvider } from '../support/oidc-provider.js';
import { authenticatorContract } from './authenticator.contract.js';

authenticatorContract(
  'OIDC (remote JWKS, RS256)',
  async () => {
    const provider = await startOidcProvider({ algorithm: 'RS256' });
    const authenticator = createOidcAuthenticator({
      issuer: provider.issuer,
      audience: 'ledgergate',
      groupsClaim: 'realm_access.roles',
      fetchTimeoutMs: 2_000,
      // No cooldown so that a rotated key is fetched at once; the cooldown itself has its own test.
      jwksCooldownMs: 0,
    });
    return {
      authenticator,
      issuer: provider.issuer,
      audience: 'ledgergate',
      groupsClaim: 'realm_access.roles',
      algorithm: provider.algorithm,
      kid: () => provider.currentKey().kid,
      sign: (claims, header) => provider.sign(claims, header),
      publicKeyPem: () => provider.publicKeyPem(),
      rotate: async () => {
        await provider.rotate();
      },
      close: () => provider.close(),
    };
  },
  { canRotate: true },
);

authenticatorContract(
  'built-in development issuer (local JWKS, ES256)',
  async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ledgergate-dev-issuer-'));
    const issuer = openDevIssuer({ dataDir });
    const key = loadOrCreateDevSigningKey(dataDir, new Date());
    const { createPublicKey } = await import('node:crypto');
    return {
      authenticator: issuer.authenticator({ audience: 'ledgergate', groupsClaim: 'realm_access.roles' }),
      issuer: issuer.issuer,
      audience: 'ledgergate',
      groupsClaim: 'realm_access.roles',
      algorithm: 'ES256',
      kid: () => key.kid,
      sign: (claims, header = {}) =>
        new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: key.kid, ...header }).sign(key.privateKey),
      publicKeyPem: async () => createPublicKey(key.privateKey).export({ format: 'pem', type: 'spki' }).toString(),
      close: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  },
  { canRotate: false },
);
