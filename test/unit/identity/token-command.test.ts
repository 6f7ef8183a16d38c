import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { runTokenCommand } from '../../../src/adapters/cli/token-command.js';
import { openDevIssuer } from '../../../src/adapters/identity/dev-issuer.js';

const root = mkdtempSync(join(tmpdir(), 'ledgergate-token-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runTokenCommand(argv, { LEDGERGATE_DATA_DIR: join(root, 'data'), ...env }, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { code, stdout, stderr };
}

describe('token command', () => {
  it('prints only a token that the development issuer accepts, with the given groups, email and actor', async () => {
    const { code, stdout, stderr } = await run(['--sub', 'alice', '--email', 'alice@example.com', '--groups', 'analysts, ai-agents', '--act', 'claude-code']);
    assert.equal(code, 0);
    assert.equal(stderr, '');
    assert.match(stdout, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/);
    const authenticator = openDevIssuer({ dataDir: join(root, 'data') }).authenticator({ audience: 'ledgergate', groupsClaim: 'groups' });
    const principal = await authenticator.authenticate(stdout.trim());
    assert.deepEqual(principal, {
      subject: 'alice',
      issuer: 'urn:ledgergate:dev-issuer',
      email: 'alice@example.com',
      groups: ['analysts', 'ai-agents'],
      actor: { subject: 'claude-code' },
    });
  });

  it('sets the lifetime from --ttl (default one hour)', async () => {
    const lifetime = async (argv: string[]) => {
      const claims = decodeJwt((await run(['--sub', 'a', ...argv])).stdout.trim());
      return (claims.exp ?? 0) - (claims.iat ?? 0);
    };
    assert.equal(await lifetime([]), 3600);
    assert.equal(await lifetime(['--ttl', '45s']), 45);
    assert.equal(await lifetime(['--ttl', '10m']), 600);
    assert.equal(await lifetime(['--ttl', '2h']), 7200);
  });

  it('uses the configured audience and groups claim', async () => {
    const env = { LEDGERGATE_OIDC_AUDIENCE: 'warehouse-gw', LEDGERGATE_GROUPS_CLAIM: 'realm_access.roles' };
    const { stdout } = await run(['--sub', 'a', '--groups', 'x'], env);
    const principal = await openDevIssuer({ dataDir: join(root, 'data') })
      .authenticator({ audience: 'warehouse-gw', groupsClaim: 'realm_access.roles' })
      .authenticate(stdout.trim());
    assert.deepEqual(principal.groups, ['x']);
  });

  it('exits 2 naming --sub when it is missing or empty', async () => {
    for (const argv of [[], ['--groups', 'a'], ['--sub', '  ']]) {
      const { code, stdout, stderr } = await run(argv);
      assert.equal(code, 2);
      assert.equal(stdout, '');
      assert.match(stderr, /--sub/);
    }
  });

  it('exits 2 naming --ttl when it is not a positive duration in s, m or h, or longer than a day', async () => {
    for (const ttl of ['10', '10d', '0m', '-5m', 'soon', '25h']) {
      const { code, stdout, stderr } = await run(['--sub', 'a', '--ttl', ttl]);
      assert.equal(code, 2, `ttl ${ttl}`);
      assert.equal(stdout, '');
      assert.match(stderr, /--ttl/);
    }
  });

  it('exits 2 on unknown options and stray arguments', async () => {
    assert.equal((await run(['--sub', 'a', '--admin'])).code, 2);
    assert.equal((await run(['--sub', 'a', 'extra'])).code, 2);
    assert.equal((await run(['--sub'])).code, 2);
  });

  it('exits 2 when an external OIDC issuer is configured, saying where tokens come from', async () => {
    const { code, stdout, stderr } = await run(['--sub', 'a'], { LEDGERGATE_OIDC_ISSUER: 'https://idp.example.com/realms/x' });
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /LEDGERGATE_OIDC_ISSUER/);
    assert.match(stderr, /https:\/\/idp\.example\.com\/realms\/x/);
  });

  it('prints usage for --help', async () => {
    const { code, stdout } = await run(['--help']);
    assert.equal(code, 0);
    assert.match(stdout, /usage: ledgergate token --sub/);
  });
});
