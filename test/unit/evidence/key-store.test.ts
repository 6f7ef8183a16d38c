import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compactVerify, createLocalJWKSet, decodeProtectedHeader } from 'jose';
import { keyDirectoryOf, openKeyStore } from '../../../src/adapters/evidence/key-store.js';
import { LedgergateError } from '../../../src/domain/errors.js';
import { withTempDir } from './fixtures.js';

const payload = new TextEncoder().encode('{"a":1}');

async function verifyWith(jwks: { keys: Record<string, unknown>[] }, jws: string): Promise<string> {
  const { payload: signed } = await compactVerify(jws, createLocalJWKSet(jwks as never));
  return new TextDecoder().decode(signed);
}

describe('evidence key store', () => {
  it('generates a key on first start, private files 0600 in a 0700 directory, and reuses it next time', async () => {
    await withTempDir(async (dataDir) => {
      const first = await openKeyStore({ dataDir });
      const dir = keyDirectoryOf(dataDir);
      assert.equal((await stat(dir)).mode & 0o777, 0o700);
      const files = (await readdir(dir)).filter((name) => name.endsWith('.jwk'));
      assert.equal(files.length, 1);
      assert.equal((await stat(join(dir, files[0] as string))).mode & 0o777, 0o600);
      const again = await openKeyStore({ dataDir });
      assert.equal(again.keyId(), first.keyId());
      assert.match(first.keyId(), /^[A-Za-z0-9_-]{43}$/);
    });
  });

  it('signs compact JWS with kid in the header that verify against its public keys, which hold no private part', async () => {
    await withTempDir(async (dataDir) => {
      const store = await openKeyStore({ dataDir });
      const jws = await store.sign(payload);
      const header = decodeProtectedHeader(jws);
      assert.equal(header.kid, store.keyId());
      assert.equal(header.alg, 'ES256');
      const jwks = await store.publicKeys();
      assert.equal(jwks.keys.length, 1);
      assert.equal(jwks.keys[0]?.d, undefined);
      assert.equal(await verifyWith(jwks, jws), '{"a":1}');
    });
  });

  it('after rotation signs with the new key and keeps the old public key so old signatures still verify', async () => {
    await withTempDir(async (dataDir) => {
      const store = await openKeyStore({ dataDir });
      const oldKid = store.keyId();
      const oldJws = await store.sign(payload);
      const newKid = await store.rotate();
      assert.notEqual(newKid, oldKid);
      assert.equal(store.keyId(), newKid);
      const newJws = await store.sign(payload);
      assert.equal(decodeProtectedHeader(newJws).kid, newKid);
      const jwks = await store.publicKeys();
      assert.deepEqual(jwks.keys.map((k) => k.kid).sort(), [oldKid, newKid].sort());
      assert.equal(await verifyWith(jwks, oldJws), '{"a":1}');
      assert.equal(await verifyWith(jwks, newJws), '{"a":1}');
      assert.equal((await openKeyStore({ dataDir })).keyId(), newKid, 'a restart picks the newest key');
    });
  });

  it('two stores opening the same empty directory at once end up with one and the same key', async () => {
    await withTempDir(async (dataDir) => {
      const stores = await Promise.all(Array.from({ length: 6 }, () => openKeyStore({ dataDir })));
      assert.equal(new Set(stores.map((s) => s.keyId())).size, 1);
      const files = (await readdir(keyDirectoryOf(dataDir))).filter((name) => !name.startsWith('.'));
      assert.equal(files.length, 1);
    });
  });

  it('uses a configured key file (PEM or JWK) and refuses rotation of it', async () => {
    await withTempDir(async (dataDir) => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const pemFile = join(dataDir, 'key.pem');
      await writeFile(pemFile, privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
      const fromPem = await openKeyStore({ dataDir, keyFile: pemFile });
      const jwkFile = join(dataDir, 'key.jwk');
      await writeFile(jwkFile, JSON.stringify(privateKey.export({ format: 'jwk' })));
      const fromJwk = await openKeyStore({ dataDir, keyFile: jwkFile });
      assert.equal(fromPem.keyId(), fromJwk.keyId());
      assert.equal(await verifyWith(await fromPem.publicKeys(), await fromPem.sign(payload)), '{"a":1}');
      await assert.rejects(fromPem.rotate(), (e: unknown) => e instanceof LedgergateError && e.code === 'invalid_config');

      const ed = generateKeyPairSync('ed25519').privateKey;
      const edFile = join(dataDir, 'ed.pem');
      await writeFile(edFile, ed.export({ format: 'pem', type: 'pkcs8' }) as string);
      const edStore = await openKeyStore({ dataDir, keyFile: edFile });
      const edJws = await edStore.sign(payload);
      assert.equal(decodeProtectedHeader(edJws).alg, 'EdDSA');
      assert.equal(await verifyWith(await edStore.publicKeys(), edJws), '{"a":1}');
    });
  });

  it('rejects a key file that is missing, public-only or of an unsupported kind with invalid_config', async () => {
    await withTempDir(async (dataDir) => {
      const isConfigError = (e: unknown) => e instanceof LedgergateError && e.code === 'invalid_config';
      await assert.rejects(openKeyStore({ dataDir, keyFile: join(dataDir, 'nope.pem') }), isConfigError);
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const publicFile = join(dataDir, 'public.jwk');
      await writeFile(publicFile, JSON.stringify(publicKey.export({ format: 'jwk' })));
      await assert.rejects(openKeyStore({ dataDir, keyFile: publicFile }), isConfigError);
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      const rsaFile = join(dataDir, 'rsa.pem');
      await writeFile(rsaFile, rsa.export({ format: 'pem', type: 'pkcs8' }) as string);
      await assert.rejects(openKeyStore({ dataDir, keyFile: rsaFile }), isConfigError);
    });
  });
});

describe('evidence key store under rotation', () => {
  // The race itself (a rotation between reading the current key and listing the directory) showed up in
  // test/e2e/evidence-store-tamper.test.ts on a clean machine; this guards the outcome an auditor needs.
  it('keeps listing the key that was current when a rotation lands during publicKeys()', async () => {
    await withTempDir(async (dataDir) => {
      const store = await openKeyStore({ dataDir });
      for (let round = 0; round < 5; round++) {
        const before = store.keyId();
        const signature = await store.sign(new TextEncoder().encode(`round ${round}`));
        const [jwks] = await Promise.all([store.publicKeys(), store.rotate()]);
        const kids = jwks.keys.map((key) => key.kid);
        assert.ok(kids.includes(before), `round ${round}: the key that just signed (${before}) is listed`);
        assert.equal(new Set(kids).size, kids.length, 'no key is listed twice');
        await compactVerify(signature, createLocalJWKSet(jwks as { keys: [] }));
      }
    });
  });
});
