/**
 * The one place an access token is verified. Both the OIDC authenticator (remote JWKS) and the
 * built-in development issuer (local JWKS) call this with their own key resolver, so the two can
 * never drift apart in what they accept.
 */
import { errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { LedgergateError } from '../../domain/errors.js';
import { principalFromClaims } from '../../domain/identity/claims.js';
import type { Principal } from '../../domain/identity/principal.js';

export type AuthFailureReason =
  | 'missing'
  | 'malformed'
  | 'oversized'
  | 'alg_not_allowed'
  | 'bad_signature'
  | 'unknown_key'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'missing_subject'
  | 'issuer_unavailable';

export type KeyResolver = JWTVerifyGetKey;

export interface VerificationPolicy {
  readonly issuer: string;
  readonly audience: string;
  readonly groupsClaim: string;
  readonly algorithms: readonly string[];
  readonly clockToleranceSeconds: number;
  readonly now?: () => Date;
}

/** Bearer tokens longer than this are refused before any parsing (real access tokens are ~1–3 KiB). */
export const MAX_TOKEN_BYTES = 8 * 1024;

export const DEFAULT_ALGORITHMS: readonly string[] = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'];

export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;

// Three base64url segments; the signature may be empty only so that `alg: none` gets its own reason.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function authFailure(reason: AuthFailureReason, message: string, extra: Record<string, unknown> = {}) {
  return new LedgergateError('unauthenticated', message, { ...extra, reason });
}

/**
 * Algorithms a verifier may be configured with: asymmetric signatures only. `none` and the HMAC family
 * are refused outright: with a public JWKS, HS* would let anyone holding the public key forge tokens.
 */
export function checkAllowedAlgorithms(algorithms: readonly string[]): readonly string[] {
  if (algorithms.length === 0) {
    throw new LedgergateError('invalid_config', 'The list of allowed token algorithms is empty', {});
  }
  for (const alg of algorithms) {
    if (!/^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/.test(alg)) {
      throw new LedgergateError('invalid_config', `Token algorithm ${alg} may not be allowed (asymmetric algorithms only)`, {
        algorithm: alg,
      });
    }
  }
  return [...algorithms];
}

export async function verifyAccessToken(
  token: string,
  keys: KeyResolver,
  policy: VerificationPolicy,
): Promise<Principal> {
  if (typeof token !== 'string' || token.trim().length === 0) {
    throw authFailure('missing', 'No access token was presented');
  }
  if (token.length > MAX_TOKEN_BYTES || Buffer.byteLength(token, 'utf8') > MAX_TOKEN_BYTES) {
    throw authFailure('oversized', `The access token is larger than ${MAX_TOKEN_BYTES} bytes`);
  }
  if (!COMPACT_JWS.test(token)) {
    throw authFailure('malformed', 'The access token is not a compact signed JWT');
  }

  let payload: Record<string, unknown>;
  try {
    const verified = await jwtVerify(token, resolvingWith(keys), {
      algorithms: [...policy.algorithms],
      issuer: policy.issuer,
      audience: policy.audience,
      clockTolerance: policy.clockToleranceSeconds,
      requiredClaims: ['exp'],
      ...(policy.now !== undefined ? { currentDate: policy.now() } : {}),
    });
    payload = verified.payload;
  } catch (error) {
    throw classifyFailure(error);
  }
  return principalFromClaims(payload, { groupsClaim: policy.groupsClaim });
}

/** Marks errors raised while finding the key, so they are told apart from errors about the token. */
class KeyResolutionFailure extends Error {
  constructor(readonly reason: AuthFailureReason, readonly detail: string) {
    super(detail);
  }
}

function resolvingWith(keys: KeyResolver): KeyResolver {
  return async (header, token) => {
    try {
      return await keys(header, token);
    } catch (error) {
      if (error instanceof LedgergateError) throw error;
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
        throw new KeyResolutionFailure('unknown_key', 'No single key of the issuer matches the token');
      }
      if (error instanceof errors.JOSENotSupported) {
        throw new KeyResolutionFailure('alg_not_allowed', 'The token algorithm is not supported');
      }
      // Timeouts, refused connections, non-200 answers, an unreadable key set: the issuer, not the token.
      throw new KeyResolutionFailure('issuer_unavailable', 'The token issuer key set could not be loaded');
    }
  };
}

function classifyFailure(error: unknown): LedgergateError {
  if (error instanceof LedgergateError) return error;
  if (error instanceof KeyResolutionFailure) {
    return authFailure(error.reason, messages[error.reason]);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return authFailure('alg_not_allowed', messages.alg_not_allowed);
  if (error instanceof errors.JWSSignatureVerificationFailed) return authFailure('bad_signature', messages.bad_signature);
  if (error instanceof errors.JWTExpired) return authFailure('expired', messages.expired);
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return authFailure('wrong_issuer', messages.wrong_issuer);
    if (error.claim === 'aud') return authFailure('wrong_audience', messages.wrong_audience);
    if (error.claim === 'nbf') return authFailure('not_yet_valid', messages.not_yet_valid);
  }
  // Everything else (bad encoding, bad JSON, missing `exp`, unsupported `crit`, wrong key type) is
  // a token we cannot read; refuse it without echoing anything from it.
  return authFailure('malformed', messages.malformed);
}

const messages: Record<AuthFailureReason, string> = {
  missing: 'No access token was presented',
  malformed: 'The access token could not be read',
  oversized: `The access token is larger than ${MAX_TOKEN_BYTES} bytes`,
  alg_not_allowed: 'The access token is signed with an algorithm that is not allowed',
  bad_signature: 'The access token signature is not valid',
  unknown_key: 'The access token is signed with a key the issuer does not publish',
  expired: 'The access token has expired',
  not_yet_valid: 'The access token is not valid yet',
  wrong_issuer: 'The access token comes from an issuer this gateway does not trust',
  wrong_audience: 'The access token is not meant for this gateway',
  missing_subject: 'The access token names no subject',
  issuer_unavailable: 'The token issuer could not be reached to verify the access token',
};
