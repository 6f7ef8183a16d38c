/**
 * The development issuer's ES256 signing key, kept in `<dataDir>/dev-issuer/signing-key.json`.
 * The gateway and the `token` CLI may both start on an empty data directory at the same moment, so
 * creation is race-safe: each writer prepares a complete file under a private temporary name and
 * hard-links it into place, which fails with EEXIST for every writer but the first; all then read the
 * one file that won. No reader can ever see a half-written key.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { LedgergateError } from '../../domain/errors.js';

export interface DevSigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: JWK;
}

interface StoredKeyFile {
  readonly version: 1;
  readonly alg: 'ES256';
  readonly kid: string;
  readonly privateJwk: JWK;
  readonly createdAt: string;
}

export function devSigningKeyPath(dataDir: string): string {
  return join(dataDir, 'dev-issuer', 'signing-key.json');
}

export function loadOrCreateDevSigningKey(dataDir: string, now: Date): DevSigningKey {
  const directory = join(dataDir, 'dev-issuer');
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const path = devSigningKeyPath(dataDir);
  if (!exists(path)) createKeyFile(directory, path, now);
  restrictToOwner(path, 0o600);
  return parseKeyFile(path, readFileSync(path, 'utf8'));
}

function createKeyFile(directory: string, path: string, now: Date): void {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const privateJwk = privateKey.export({ format: 'jwk' }) as JWK;
  const content: StoredKeyFile = {
    version: 1,
    alg: 'ES256',
    kid: thumbprintOf(publicPartOf(privateJwk)),
    privateJwk,
    createdAt: now.toISOString(),
  };
  const temporary = join(directory, `.signing-key.${process.pid}.${randomUUID()}.tmp`);
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(content, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, path);
  } catch (error) {
    // Another process linked its key first; theirs is the key, ours is discarded.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
}

function parseKeyFile(path: string, text: string): DevSigningKey {
  const invalid = () =>
    new LedgergateError('invalid_config', `The development issuer key file ${path} is not a valid ES256 key; delete it to create a new one`, {
      path,
    });
  let stored: Partial<StoredKeyFile>;
  try {
    stored = JSON.parse(text) as Partial<StoredKeyFile>;
  } catch {
    throw invalid();
  }
  const jwk = stored.privateJwk;
  if (stored.alg !== 'ES256' || jwk === undefined || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string') {
    throw invalid();
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
  } catch {
    throw invalid();
  }
  const publicPart = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
  // The key id is derived from the key itself (RFC 7638), never trusted from the file.
  const kid = thumbprintOf(publicPart);
  return { kid, privateKey, publicJwk: { ...publicPart, kid, alg: 'ES256', use: 'sig' } };
}

function publicPartOf(jwk: JWK): JWK {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
}

/** RFC 7638 thumbprint of an EC public key: SHA-256 over the required members in lexical order. */
function thumbprintOf(jwk: JWK): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

/** A key that others on the machine can read lets them mint tokens; tighten it or refuse to use it. */
function restrictToOwner(path: string, mode: number): void {
  if ((statSync(path).mode & 0o077) === 0) return;
  try {
    chmodSync(path, mode);
  } catch {
    throw new LedgergateError('invalid_config', `The development issuer key file ${path} is readable by others and cannot be restricted`, {
      path,
    });
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
