/**
 * Turns the claims of an already verified access token into a Principal. Pure: no keys, no clock —
 * signature, issuer, audience and lifetime are checked by the identity adapter before this runs.
 */
import { LedgergateError } from '../errors.js';
import type { Principal } from './principal.js';

export interface ClaimMappingOptions {
  /** Claim holding group names; a dotted path (`realm_access.roles`) reaches into nested objects. */
  readonly groupsClaim: string;
}

export function principalFromClaims(claims: Record<string, unknown>, options: ClaimMappingOptions): Principal {
  const subject = nonEmptyString(claims.sub);
  if (subject === undefined) {
    throw new LedgergateError('unauthenticated', 'The access token names no subject', { reason: 'missing_subject' });
  }
  const issuer = nonEmptyString(claims.iss);
  if (issuer === undefined) {
    throw new LedgergateError('unauthenticated', 'The access token names no issuer', { reason: 'wrong_issuer' });
  }
  const email = emailOf(claims);
  const actor = actorOf(claims.act);
  return {
    subject,
    issuer,
    ...(email !== undefined ? { email } : {}),
    groups: groupsFrom(readClaimPath(claims, options.groupsClaim)),
    ...(actor !== undefined ? { actor } : {}),
  };
}

/**
 * Reads a claim by name, or by dotted path into nested objects. A top-level claim whose own name
 * contains dots wins (Auth0-style namespaced claims such as `https://example.com/groups`).
 */
export function readClaimPath(claims: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  let current: unknown = claims;
  for (const segment of path.split('.')) {
    if (!isPlainObject(current) || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}

/** An array of strings, or one string separated by spaces or commas; anything else means no groups. */
export function groupsFrom(value: unknown): string[] {
  const names = Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : typeof value === 'string'
      ? value.split(/[\s,]+/)
      : [];
  return [...new Set(names.map((name) => name.trim()).filter((name) => name.length > 0))];
}

function emailOf(claims: Record<string, unknown>): string | undefined {
  // An issuer that says outright the address is unverified must not lend it to identity matching.
  // (Some issuers, e.g. Cognito, send the flag as a string.)
  if (claims.email_verified === false || claims.email_verified === 'false') return undefined;
  return nonEmptyString(claims.email);
}

/**
 * RFC 8693 §4.1: `act` names the party acting on behalf of `sub`. A token that claims an actor we
 * cannot identify is refused rather than treated as the subject alone, which would hide the agent.
 */
function actorOf(act: unknown): Principal['actor'] {
  if (act === undefined) return undefined;
  const subject = isPlainObject(act) ? nonEmptyString(act.sub) : undefined;
  if (!isPlainObject(act) || subject === undefined) {
    throw new LedgergateError('unauthenticated', 'The access token has an actor claim without a subject', {
      reason: 'malformed',
    });
  }
  const email = nonEmptyString(act.email);
  return email !== undefined ? { subject, email } : { subject };
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim().length > 0 ? value : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
