/**
 * Authenticates callers by OIDC access tokens from an external issuer (Keycloak, Entra ID, Okta, …).
 * Keys come from the issuer's JWKS through jose's remote key set: cached, refetched when a token
 * names a key id it has not seen (key rotation), at most once per cooldown (so tokens with random
 * key ids cannot make us hammer the issuer).
 */
import { createRemoteJWKSet } from 'jose';
import { LedgergateError } from '../../domain/errors.js';
import type { Authenticator } from '../../domain/ports.js';
import { discoverIssuer } from './oidc-discovery.js';
import {
  checkAllowedAlgorithms,
  DEFAULT_ALGORITHMS,
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  verifyAccessToken,
  type KeyResolver,
  type VerificationPolicy,
} from './verify-access-token.js';

export interface OidcAuthenticatorOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly groupsClaim: string;
  /** Timeout of the discovery and JWKS requests. Default 5 000 ms. */
  readonly fetchTimeoutMs?: number;
  /** Default RS256, RS384, RS512, PS256, ES256, ES384, EdDSA; `none` and HS* are refused. */
  readonly allowedAlgorithms?: readonly string[];
  /** Default 30 s. */
  readonly clockToleranceSeconds?: number;
  /** Minimum time between two JWKS refetches caused by unknown key ids. Default 30 000 ms. */
  readonly jwksCooldownMs?: number;
  /** How long a fetched JWKS is used before it is fetched again. Default 600 000 ms. */
  readonly jwksMaxAgeMs?: number;
  readonly now?: () => Date;
}

export interface OidcAuthenticator extends Authenticator {
  /** Runs discovery now (e.g. at start-up, to log a misconfigured issuer early); throws issuer_unavailable. */
  discover(): Promise<void>;
}

export function createOidcAuthenticator(options: OidcAuthenticatorOptions): OidcAuthenticator {
  checkIssuerUrl(options.issuer);
  if (options.audience.trim().length === 0) {
    throw new LedgergateError('invalid_config', 'The OIDC audience must not be empty', { setting: 'audience' });
  }
  const policy: VerificationPolicy = {
    issuer: options.issuer,
    audience: options.audience,
    groupsClaim: options.groupsClaim,
    algorithms: checkAllowedAlgorithms(options.allowedAlgorithms ?? DEFAULT_ALGORITHMS),
    clockToleranceSeconds: options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
    ...(options.now !== undefined ? { now: options.now } : {}),
  };
  const timeoutMs = options.fetchTimeoutMs ?? 5_000;

  // One discovery at a time; a failed one is forgotten so the next call tries again.
  let discovered: Promise<KeyResolver> | undefined;
  function keySet(): Promise<KeyResolver> {
    if (discovered === undefined) {
      const attempt = discoverIssuer(options.issuer, timeoutMs).then(({ jwksUri }) =>
        createRemoteJWKSet(jwksUri, {
          timeoutDuration: timeoutMs,
          cooldownDuration: options.jwksCooldownMs ?? 30_000,
          cacheMaxAge: options.jwksMaxAgeMs ?? 600_000,
        }),
      );
      discovered = attempt;
      attempt.catch(() => {
        if (discovered === attempt) discovered = undefined;
      });
    }
    return discovered;
  }

  // Discovery runs only once a token has passed the cheap checks, so garbage never reaches the issuer.
  const keys: KeyResolver = async (header, token) => (await keySet())(header, token);

  return {
    authenticate: (bearerToken) => verifyAccessToken(bearerToken, keys, policy),
    discover: async () => {
      await keySet();
    },
  };
}

function checkIssuerUrl(issuer: string): void {
  let url: URL | undefined;
  try {
    url = new URL(issuer);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash) {
    throw new LedgergateError('invalid_config', 'LEDGERGATE_OIDC_ISSUER must be an http(s) URL without query or fragment', {
      setting: 'LEDGERGATE_OIDC_ISSUER',
    });
  }
}
