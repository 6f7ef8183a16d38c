/**
 * The built-in development issuer used by the default setup (no LEDGERGATE_OIDC_ISSUER): it mints
 * ES256 access tokens with a key kept in the data directory, and the gateway verifies them with the
 * very same checks as tokens of a real OIDC provider (verifyAccessToken), against a local JWKS.
 *
 * The issuer is the fixed URN `urn:ledgergate:dev-issuer` rather than the gateway's URL: the `token`
 * CLI mints tokens without knowing which port the gateway listens on (LEDGERGATE_PORT=0 picks a free
 * one), and a token must stay valid when the gateway restarts on another port.
 */
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, SignJWT, type JWK, type JWTPayload } from 'jose';
import { LedgergateError } from '../../domain/errors.js';
import type { Authenticator } from '../../domain/ports.js';
import { loadOrCreateDevSigningKey } from './dev-signing-key.js';
import { DEFAULT_CLOCK_TOLERANCE_SECONDS, verifyAccessToken } from './verify-access-token.js';

export const DEV_ISSUER = 'urn:ledgergate:dev-issuer';
export const DEV_DEFAULT_AUDIENCE = 'ledgergate';
export const DEV_DEFAULT_TTL_SECONDS = 3600;
const DEV_ALGORITHM = 'ES256';

export interface DevMintOptions {
  readonly sub: string;
  readonly email?: string;
  readonly groups?: readonly string[];
  /** RFC 8693: the subject of the party acting on behalf of `sub` (e.g. an agent acting for a person). */
  readonly act?: string;
  /** Default 3 600. */
  readonly ttlSeconds?: number;
  /** Default `ledgergate`. */
  readonly audience?: string;
  /** Where the groups go; a dotted path nests them (`realm_access.roles`). Default `groups`. */
  readonly groupsClaim?: string;
}

export interface DevIssuer {
  readonly issuer: string;
  readonly defaultAudience: string;
  mint(options: DevMintOptions): Promise<string>;
  jwks(): { keys: JWK[] };
  authenticator(options: { audience: string; groupsClaim: string }): Authenticator;
  /** An informational discovery document, for serving at `<baseUrl>/.well-known/openid-configuration`. */
  discoveryDocument(baseUrl: string): Record<string, unknown>;
}

export interface OpenDevIssuerOptions {
  readonly dataDir: string;
  readonly clock?: () => Date;
}

/** Loads the signing key, creating it on first use (synchronous file I/O, once, at start-up). */
export function openDevIssuer(options: OpenDevIssuerOptions): DevIssuer {
  const clock = options.clock ?? (() => new Date());
  const key = loadOrCreateDevSigningKey(options.dataDir, clock());
  const jwks = (): { keys: JWK[] } => ({ keys: [{ ...key.publicJwk }] });

  return {
    issuer: DEV_ISSUER,
    defaultAudience: DEV_DEFAULT_AUDIENCE,

    async mint(mint) {
      if (typeof mint.sub !== 'string' || mint.sub.trim().length === 0) {
        throw new LedgergateError('invalid_request', 'A development token needs a subject', { option: 'sub' });
      }
      const ttl = mint.ttlSeconds ?? DEV_DEFAULT_TTL_SECONDS;
      if (!Number.isInteger(ttl) || ttl <= 0) {
        throw new LedgergateError('invalid_request', 'A development token lifetime must be a positive number of seconds', {
          option: 'ttl',
        });
      }
      const issuedAt = Math.floor(clock().getTime() / 1000);
      const claims: JWTPayload = {};
      if (mint.email !== undefined) claims.email = mint.email;
      if (mint.groups !== undefined) setClaimPath(claims, mint.groupsClaim ?? 'groups', [...mint.groups]);
      if (mint.act !== undefined) claims.act = { sub: mint.act };
      return new SignJWT(claims)
        .setProtectedHeader({ alg: DEV_ALGORITHM, kid: key.kid, typ: 'at+jwt' })
        .setIssuer(DEV_ISSUER)
        .setSubject(mint.sub)
        .setAudience(mint.audience ?? DEV_DEFAULT_AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + ttl)
        .setJti(randomUUID())
        .sign(key.privateKey);
    },

    jwks,

    authenticator({ audience, groupsClaim }) {
      const keys = createLocalJWKSet(jwks());
      const policy = {
        issuer: DEV_ISSUER,
        audience,
        groupsClaim,
        algorithms: [DEV_ALGORITHM],
        clockToleranceSeconds: DEFAULT_CLOCK_TOLERANCE_SECONDS,
        now: clock,
      };
      return { authenticate: (token) => verifyAccessToken(token, keys, policy) };
    },

    discoveryDocument(baseUrl) {
      const base = baseUrl.replace(/\/+$/, '');
      return {
        issuer: DEV_ISSUER,
        jwks_uri: `${base}/.well-known/jwks.json`,
        response_types_supported: [],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: [DEV_ALGORITHM],
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'jti', 'email', 'groups', 'act'],
        ledgergate_token_command: 'npx ledgergate token --sub <subject> [--groups a,b] [--act <agent>]',
      };
    },
  };
}

/** Sets a claim by dotted path, creating the nested objects (mirrors readClaimPath). */
function setClaimPath(claims: Record<string, unknown>, path: string, value: unknown): void {
  const segments = path.split('.');
  if (segments.some((segment) => segment === '' || segment === '__proto__' || segment === 'constructor' || segment === 'prototype')) {
    throw new LedgergateError('invalid_config', `The groups claim path ${path} is not a usable claim name`, { setting: 'groupsClaim' });
  }
  let target = claims;
  for (const segment of segments.slice(0, -1)) {
    const next = target[segment];
    target = typeof next === 'object' && next !== null && !Array.isArray(next) ? (next as Record<string, unknown>) : (target[segment] = {});
  }
  target[segments[segments.length - 1]] = value;
}
