/**
 * Checks the compact JWS signatures of seals and manifests against a JWKS. A key counts only when its
 * `kid` is its own RFC 7638 thumbprint (so one key cannot pose as another), its algorithm is one the
 * gateway uses (no `alg` confusion), and — when the auditor pins keys — it is one of the pinned ones.
 */
import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Jwks } from './bundle.js';

const allowedAlgorithms = ['ES256', 'EdDSA'];

export interface SignatureChecker {
  /** Undefined when the signature is good for exactly this payload under key `keyId`; otherwise why not. */
  check(jws: string, expectedPayload: Uint8Array, keyId: string): Promise<string | undefined>;
  /** Key ids that verified at least one signature. */
  usedKeyIds(): string[];
}

export function createSignatureChecker(keys: Jwks, trustedKeys?: Jwks): SignatureChecker {
  const byKid = new Map<string, Record<string, unknown>>();
  for (const key of Array.isArray(keys?.keys) ? keys.keys : []) {
    if (key && typeof key === 'object' && typeof key.kid === 'string') byKid.set(key.kid, key);
  }
  const imported = new Map<string, Promise<CryptoKey | Uint8Array | string>>();
  const used = new Set<string>();
  let trusted: Promise<Set<string>> | undefined;
  if (trustedKeys) trusted = thumbprintsOf(trustedKeys);

  const keyFor = (kid: string): Promise<CryptoKey | Uint8Array | string> => {
    let pending = imported.get(kid);
    if (!pending) {
      pending = importKey(kid, byKid.get(kid), trusted);
      imported.set(kid, pending);
    }
    return pending;
  };

  return {
    async check(jws, expectedPayload, keyId) {
      if (typeof jws !== 'string' || jws.split('.').length !== 3) return 'signature is not a compact JWS';
      if (!jws.split('.').every(isCanonicalBase64url)) return 'signature is not canonical base64url (a character was changed)';
      let header: ReturnType<typeof decodeProtectedHeader>;
      try {
        header = decodeProtectedHeader(jws);
      } catch {
        return 'signature header cannot be read';
      }
      if (header.kid !== keyId) return `signature names key ${String(header.kid)}, the signed record names ${keyId}`;
      if (typeof header.alg !== 'string' || !allowedAlgorithms.includes(header.alg)) {
        return `signature algorithm ${String(header.alg)} is not accepted`;
      }
      const key = await keyFor(keyId);
      if (typeof key === 'string') return key;
      try {
        const { payload } = await compactVerify(jws, key, { algorithms: allowedAlgorithms });
        if (Buffer.compare(Buffer.from(payload), Buffer.from(expectedPayload)) !== 0) {
          return 'signature is valid but signs different content';
        }
      } catch {
        return `signature does not verify with key ${keyId}`;
      }
      used.add(keyId);
      return undefined;
    },
    usedKeyIds: () => [...used],
  };
}

/**
 * Base64url as the signer writes it (RFC 7515: the URL-safe alphabet, no padding, unused trailing bits
 * zero). Decoders ignore those trailing bits, so a last character changed within them decodes to the
 * same signature: a bundle changed that way would otherwise verify (found by the byte-flip property
 * test). RFC 4648 §3.5 lets a decoder refuse such a spelling, and a verifier fails closed.
 */
function isCanonicalBase64url(segment: string): boolean {
  return /^[A-Za-z0-9_-]*$/.test(segment) && Buffer.from(segment, 'base64url').toString('base64url') === segment;
}

/** The members of a published key (adapters/evidence/key-store.ts); `d` is tolerated and dropped. */
const publishedKeyMembers = new Set(['kty', 'crv', 'x', 'y', 'kid', 'alg', 'use', 'd']);

/** The imported key, or a string saying why the key cannot be used. */
async function importKey(
  kid: string,
  jwk: Record<string, unknown> | undefined,
  trusted: Promise<Set<string>> | undefined,
): Promise<CryptoKey | Uint8Array | string> {
  if (!jwk) return `key ${kid} is not among the bundle's keys`;
  try {
    const thumbprint = await calculateJwkThumbprint(jwk as JWK, 'sha256');
    if (thumbprint !== kid) return `key ${kid} in the bundle is a different key (its thumbprint is ${thumbprint})`;
    if (trusted && !(await trusted).has(thumbprint)) return `key ${kid} is not one of the trusted keys`;
    const alg = jwk.kty === 'OKP' ? 'EdDSA' : 'ES256';
    // The thumbprint covers only the key material: the rest of the entry is checked against what the
    // gateway publishes, so no member of a bundle's key can be changed unnoticed (fail closed).
    const unknown = Object.keys(jwk).filter((member) => !publishedKeyMembers.has(member));
    if (unknown.length > 0) return `key ${kid} in the bundle has members the gateway does not write: ${unknown.join(', ')}`;
    if (jwk.alg !== undefined && jwk.alg !== alg) return `key ${kid} in the bundle names algorithm ${String(jwk.alg)}, not ${alg}`;
    if (jwk.use !== undefined && jwk.use !== 'sig') return `key ${kid} in the bundle is not a signing key (use ${String(jwk.use)})`;
    const { d: _private, ...publicOnly } = jwk;
    return await importJWK(publicOnly as JWK, alg);
  } catch {
    return `key ${kid} in the bundle cannot be used`;
  }
}

async function thumbprintsOf(jwks: Jwks): Promise<Set<string>> {
  const result = new Set<string>();
  for (const key of Array.isArray(jwks?.keys) ? jwks.keys : []) {
    try {
      result.add(await calculateJwkThumbprint(key as JWK, 'sha256'));
    } catch {
      // A malformed pinned key simply trusts nothing.
    }
  }
  return result;
}
