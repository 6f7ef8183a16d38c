import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { DEV_ISSUER, openDevIssuer } from '../../../src/adapters/identity/dev-issuer.js';
import { devSigningKeyPath } from '../../../src/adapters/identity/dev-signing-key.js';
import { isLedgergateError } from '../../../src/domain/errors.js';
import { expectRefusal } from '../../contract/authenticator.contract.js';

const directories: string[] = [];
function freshDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ledgergate-dev-issuer-'));
  directories.push(dir);
  return join(dir, 'data');
}
afterEach(() => {
  for (const dir of directories.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('development issuer', () => {
  it('creates its key on first use, readable only by the owner, and reuses it afterwards', () => {
    const dataDir = freshDataDir();
    const first = openDevIssuer({ dataDir });
    assert.equal(statSync(join(dataDir, 'dev-issuer')).mode & 0o777, 0o700);
    assert.equal(statSync(devSigningKeyPath(dataDir)).mode & 0o777, 0o600);
    const second = openDevIssuer({ dataDir });
    assert.deepEqual(second.jwks(), first.jwks());
    const [key] = first.jwks().keys;
    assert.equal(key.kty, 'EC');
    assert.equal(key.crv, 'P-256');
    assert.equal(key.alg, 'ES256');
    assert.equal('d' in key, false, 'the JWKS must not contain the private key');
  });

  it('mints tokens its authenticator accepts, with groups, email and actor', async () => {
    const issuer = openDevIssuer({ dataDir: freshDataDir() });
    const token = await issuer.mint({ sub: 'alice', email: 'alice@example.com', groups: ['analysts', 'ai-agents'], act: 'claude-code' });
    const principal = await issuer.authenticator({ audience: 'ledgergate', groupsClaim: 'groups' }).authenticate(token);
    assert.deepEqual(principal, {
      subject: 'alice',
      issuer: DEV_ISSUER,
      email: 'alice@example.com',
      groups: ['analysts', 'ai-agents'],
      actor: { subject: 'claude-code' },
    });
    const header = decodeProtectedHeader(token);
    assert.equal(header.alg, 'ES256');
    assert.equal(header.kid, issuer.jwks().keys[0].kid);
  });

  it('uses a fixed issuer that does not depend on any port', async () => {
    const issuer = openDevIssuer({ dataDir: freshDataDir() });
    assert.equal(issuer.issuer, 'urn:ledgergate:dev-issuer');
    assert.equal(decodeJwt(await issuer.mint({ sub: 'a' })).iss, 'urn:ledgergate:dev-issuer');
  });

  it('honours the audience and a nested groups claim', async () => {
    const issuer = openDevIssuer({ dataDir: freshDataDir() });
    const token = await issuer.mint({ sub: 'a', groups: ['x'], audience: 'other', groupsClaim: 'realm_access.roles' });
    const principal = await issuer.authenticator({ audience: 'other', groupsClaim: 'realm_access.roles' }).authenticate(token);
    assert.deepEqual(principal.groups, ['x']);
    await expectRefusal(issuer.authenticator({ audience: 'ledgergate', groupsClaim: 'groups' }).authenticate(token), 'wrong_audience');
  });

  it('gives tokens the requested lifetime', async () => {
    const dataDir = freshDataDir();
    const start = new Date('2030-01-01T00:00:00Z');
    const minting = openDevIssuer({ dataDir, clock: () => start });
    const token = await minting.mint({ sub: 'a', ttlSeconds: 600 });
    const claims = decodeJwt(token);
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 600);
    const at = (seconds: number) => openDevIssuer({ dataDir, clock: () => new Date(start.getTime() + seconds * 1000) });
    const audience = { audience: 'ledgergate', groupsClaim: 'groups' };
    assert.equal((await at(590).authenticator(audience).authenticate(token)).subject, 'a');
    await expectRefusal(at(700).authenticator(audience).authenticate(token), 'expired');
  });

  it('refuses to mint without a subject or with a nonsensical lifetime', async () => {
    const issuer = openDevIssuer({ dataDir: freshDataDir() });
    for (const options of [{ sub: '' }, { sub: 'a', ttlSeconds: 0 }, { sub: 'a', ttlSeconds: 1.5 }]) {
      await assert.rejects(issuer.mint(options), (e: unknown) => isLedgergateError(e) && e.code === 'invalid_request');
    }
  });

  it('refuses a corrupt key file with a clear configuration error', () => {
    const dataDir = freshDataDir();
    mkdirSync(join(dataDir, 'dev-issuer'), { recursive: true });
    writeFileSync(devSigningKeyPath(dataDir), '{"alg":"ES256","privateJwk":{"kty":"oct"}}', { mode: 0o600 });
    assert.throws(
      () => openDevIssuer({ dataDir }),
      (e: unknown) => isLedgergateError(e) && e.code === 'invalid_config' && e.message.includes('signing-key.json'),
    );
  });

  it('tightens a key file that others can read', () => {
    const dataDir = freshDataDir();
    openDevIssuer({ dataDir });
    chmodSync(devSigningKeyPath(dataDir), 0o644);
    openDevIssuer({ dataDir });
    assert.equal(statSync(devSigningKeyPath(dataDir)).mode & 0o777, 0o600);
  });

  it('serves an informational discovery document', () => {
    const issuer = openDevIssuer({ dataDir: freshDataDir() });
    const document = issuer.discoveryDocument('http://127.0.0.1:8080/');
    assert.equal(document.issuer, DEV_ISSUER);
    assert.equal(document.jwks_uri, 'http://127.0.0.1:8080/.well-known/jwks.json');
  });

  it('creates exactly one key when several processes start on an empty data directory at once', async () => {
    const dataDir = freshDataDir();
    const module = resolve('src/adapters/identity/dev-issuer.ts');
    const script = `import { openDevIssuer } from ${JSON.stringify(module)};
      process.stdout.write(openDevIssuer({ dataDir: process.env.LG_DATA_DIR }).jwks().keys[0].kid);`;
    const runOne = () =>
      new Promise<string>((done, fail) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
          env: { ...process.env, LG_DATA_DIR: dataDir },
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (chunk) => (out += chunk));
        child.stderr.on('data', (chunk) => (err += chunk));
        child.on('close', (code) => (code === 0 ? done(out) : fail(new Error(`child exited ${code}: ${err}`))));
      });
    const kids = await Promise.all([runOne(), runOne(), runOne()]);
    assert.equal(new Set(kids).size, 1, `processes disagree on the key: ${kids.join(', ')}`);
    assert.equal(kids[0], openDevIssuer({ dataDir }).jwks().keys[0].kid);
    assert.deepEqual(readdirSync(join(dataDir, 'dev-issuer')), ['signing-key.json'], 'temporary files were left behind');
  });
});
