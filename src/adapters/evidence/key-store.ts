/**
 * The gateway's evidence signing keys. A key is generated on first start under
 * `<dataDir>/evidence/keys/` (directory 0700, files 0600); rotation adds a newer key and keeps the old
 * ones, whose public halves stay in the JWKS so seals signed before the rotation still verify.
 *
 * Key files are numbered (`key-000001.jwk`, …); the highest number is the current key. A new file is
 * written under a temporary name and then hard-linked to its final name, which fails if the name is
 * taken: two gateways starting (or rotating) at once never overwrite each other, and nobody ever
 * reads a half-written key. The loser adopts the winner's key.
 *
 * `kid` is always the key's RFC 7638 thumbprint, so a key id cannot be claimed by another key.
 */
import { createPrivateKey, randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, readdir, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CompactSign, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { LedgergateError } from '../../domain/errors.js';
import type { Signer } from '../../domain/ports.js';

export type SigningAlgorithm = 'ES256' | 'EdDSA';

export interface KeyStoreOptions {
  readonly dataDir: string;
  /** An existing private key (JWK JSON or PKCS#8 PEM) to sign with instead of generated ones. */
  readonly keyFile?: string;
  /** Algorithm of generated keys. */
  readonly algorithm?: SigningAlgorithm;
}

export interface KeyStore extends Signer {
  /** Makes a new current key (older ones keep verifying); returns its key id. */
  rotate(): Promise<string>;
  /** When the current key was made (its file's `createdAt`, else the file's modification time). */
  currentKeyCreatedAt(): Date;
  /**
   * Rotates when the current key is at least `maxAgeMs` old at `now` (LEDGERGATE_EVIDENCE_KEY_MAX_AGE);
   * returns the new key id, or undefined when the key is young enough or comes from a configured key file.
   */
  rotateIfOlderThan(maxAgeMs: number, now: Date): Promise<string | undefined>;
}

interface LoadedKey {
  readonly createdAt: Date;
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly privateKey: CryptoKey | Uint8Array;
  readonly publicJwk: Record<string, unknown>;
}

const KEY_FILE = /^key-(\d{6,})\.jwk$/;

export function keyDirectoryOf(dataDir: string): string {
  return join(dataDir, 'evidence', 'keys');
}

export async function openKeyStore(options: KeyStoreOptions): Promise<KeyStore> {
  const directory = keyDirectoryOf(options.dataDir);
  const algorithm = options.algorithm ?? 'ES256';
  let current: LoadedKey;

  if (options.keyFile !== undefined) {
    current = await loadConfiguredKey(options.keyFile);
  } else {
    await ensureDirectory(directory);
    const files = await listKeyFiles(directory);
    const newest = files.at(-1);
    current = newest ? await loadKeyFile(join(directory, newest.name)) : await createKey(directory, 1, algorithm);
  }

  return {
    keyId: () => current.kid,
    async sign(payload) {
      return new CompactSign(payload)
        .setProtectedHeader({ alg: current.alg, kid: current.kid, typ: 'ledgergate-evidence+jws' })
        .sign(current.privateKey);
    },
    async publicKeys() {
      // Read afresh each time: another process sharing the directory may have rotated. A rotation can
      // also land while we read, so the key current before the read stays listed too: it may just
      // have signed a seal or a manifest.
      const before = current;
      const onDisk = await loadAllKeys(directory);
      const seen = new Set<string>();
      const keys = [current, before, ...onDisk].filter((key) => !seen.has(key.kid) && seen.add(key.kid));
      return { keys: keys.map((key) => key.publicJwk) };
    },
    rotate,
    currentKeyCreatedAt: () => current.createdAt,
    async rotateIfOlderThan(maxAgeMs, now) {
      if (options.keyFile !== undefined) return undefined;
      // Another process sharing the directory may have rotated already: adopt its key rather than rotating twice.
      const newest = (await listKeyFiles(directory)).at(-1);
      if (newest) {
        const onDisk = await loadKeyFile(join(directory, newest.name));
        if (onDisk.kid !== current.kid && onDisk.createdAt >= current.createdAt) current = onDisk;
      }
      if (now.getTime() - current.createdAt.getTime() < maxAgeMs) return undefined;
      return rotate();
    },
  };

  async function rotate(): Promise<string> {
    if (options.keyFile !== undefined) {
      throw new LedgergateError('invalid_config', 'The evidence key comes from a key file; rotate it by configuring a new file');
    }
    const files = await listKeyFiles(directory);
    const next = (files.at(-1)?.sequence ?? 0) + 1;
    current = await createKey(directory, next, algorithm);
    return current.kid;
  }
}

async function ensureDirectory(directory: string): Promise<void> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  await chmod(directory, 0o700);
}

async function listKeyFiles(directory: string): Promise<{ name: string; sequence: number }[]> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .flatMap((name) => {
      const match = KEY_FILE.exec(name);
      return match ? [{ name, sequence: Number(match[1]) }] : [];
    })
    .sort((a, b) => a.sequence - b.sequence);
}

/** Every key in the directory, newest first. */
async function loadAllKeys(directory: string): Promise<LoadedKey[]> {
  const files = await listKeyFiles(directory);
  const keys = await Promise.all(files.map((file) => loadKeyFile(join(directory, file.name))));
  return keys.reverse();
}

/** Writes key number `sequence`; if another process got there first, returns that process's key. */
async function createKey(directory: string, sequence: number, algorithm: SigningAlgorithm): Promise<LoadedKey> {
  const { privateKey } = await generateKeyPair(algorithm, { extractable: true, crv: algorithm === 'EdDSA' ? 'Ed25519' : undefined });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  const target = join(directory, `key-${String(sequence).padStart(6, '0')}.jwk`);
  const temporary = join(directory, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  await writeFile(temporary, JSON.stringify({ ...jwk, kid, alg: algorithm, createdAt: new Date().toISOString() }), { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary);
  }
  await chmod(target, 0o600);
  return loadKeyFile(target);
}

async function loadKeyFile(path: string): Promise<LoadedKey> {
  const { createdAt, ...jwk } = JSON.parse(await readFile(path, 'utf8')) as JWK & { createdAt?: unknown };
  const recorded = typeof createdAt === 'string' ? new Date(createdAt) : undefined;
  const created = recorded && !Number.isNaN(recorded.getTime()) ? recorded : (await stat(path)).mtime;
  return fromPrivateJwk(jwk, path, created);
}

/** A configured key file: a private JWK (JSON) or a PKCS#8 / SEC1 PEM, P-256 or Ed25519. */
async function loadConfiguredKey(path: string): Promise<LoadedKey> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new LedgergateError('invalid_config', `Evidence key file ${path} cannot be read`);
  }
  try {
    const keyObject = text.trimStart().startsWith('{')
      ? createPrivateKey({ key: JSON.parse(text) as import('node:crypto').JsonWebKey, format: 'jwk' })
      : createPrivateKey(text);
    return await fromPrivateJwk(keyObject.export({ format: 'jwk' }) as JWK, path, (await stat(path)).mtime);
  } catch (error) {
    if (error instanceof LedgergateError) throw error;
    throw new LedgergateError('invalid_config', `Evidence key file ${path} does not hold a private P-256 or Ed25519 key`);
  }
}

async function fromPrivateJwk(jwk: JWK, source: string, createdAt: Date): Promise<LoadedKey> {
  const alg = algorithmOf(jwk);
  if (!alg || typeof jwk.d !== 'string') {
    throw new LedgergateError('invalid_config', `Evidence key ${source} is not a private P-256 or Ed25519 key`);
  }
  const publicJwk: JWK = jwk.kty === 'EC' ? { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y } : { kty: 'OKP', crv: jwk.crv, x: jwk.x };
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const privateKey = await importJWK({ ...jwk, alg }, alg);
  return { createdAt, kid, alg, privateKey, publicJwk: { ...publicJwk, kid, alg, use: 'sig' } };
}

function algorithmOf(jwk: JWK): SigningAlgorithm | undefined {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  return undefined;
}
