import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runVerifyCommand } from '../../../src/adapters/cli/verify-command.js';
import { withTempDir } from './fixtures.js';
import { copyOf, exportBundle, sealedLog, type TamperableEvent } from './scenario.js';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runVerifyCommand(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

describe('ledgergate verify FILE', () => {
  it('exits 0 with a readable summary for an intact bundle', async () => {
    await withTempDir(async (dir) => {
      const scenario = await sealedLog(dir, { rotateAfter: 2 });
      const file = join(dir, 'bundle.json');
      await writeFile(file, JSON.stringify(await exportBundle(scenario)));
      const result = await run(['verify', file]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '');
      assert.match(result.stdout, /Evidence bundle verified: intact/);
      assert.match(result.stdout, /Events:\s+52/);
      assert.match(result.stdout, /Requests:\s+12 \(allow 6, deny 3, approve 3\)/);
      assert.match(result.stdout, /Seals:\s+3 \(3 fully verified, 0 partially\)/);
      assert.match(result.stdout, new RegExp(scenario.signer.keyId()));
    });
  });

  it('exits 1 naming the first failing event by position, stream and type', async () => {
    await withTempDir(async (dir) => {
      const bundle = copyOf(await exportBundle(await sealedLog(dir)));
      const target = bundle.events[11] as TamperableEvent;
      target.data.requestId = 'someone-else';
      const file = join(dir, 'bundle.json');
      await writeFile(file, JSON.stringify(bundle, null, 1));
      const result = await run([file]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /FAILED/);
      assert.match(result.stderr, new RegExp(`First failure: event at position 12 \\(stream ${target.streamName}, type ${target.type}\\)`));
    });
  });

  it('exits 1 naming a failing seal', async () => {
    await withTempDir(async (dir) => {
      const bundle = copyOf(await exportBundle(await sealedLog(dir)));
      const seal = bundle.seals[0];
      assert.ok(seal);
      seal.data.lastEventHash = '0'.repeat(64);
      const file = join(dir, 'bundle.json');
      await writeFile(file, JSON.stringify(bundle));
      const result = await run([file]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`First failure: seal at position ${seal.position}`));
    });
  });

  it('pins trusted keys with --trusted-keys and prints the report as JSON with --json', async () => {
    await withTempDir(async (dir) => {
      const scenario = await sealedLog(dir, { batches: 1 });
      const file = join(dir, 'bundle.json');
      await writeFile(file, JSON.stringify(await exportBundle(scenario)));
      const trusted = join(dir, 'trusted.json');
      await writeFile(trusted, JSON.stringify(await scenario.signer.publicKeys()));
      const good = await run([file, '--trusted-keys', trusted, '--json']);
      assert.equal(good.code, 0);
      assert.equal((JSON.parse(good.stdout) as { ok: boolean }).ok, true);
      const other = join(dir, 'other.json');
      await writeFile(other, JSON.stringify({ keys: [] }));
      const bad = await run([file, '--trusted-keys', other]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /not one of the trusted keys/);
    });
  });

  it('exits 2 on usage errors and unreadable files', async () => {
    await withTempDir(async (dir) => {
      assert.equal((await run([])).code, 2);
      assert.equal((await run(['a', 'b'])).code, 2);
      assert.equal((await run(['--nope', 'a'])).code, 2);
      const missing = await run([join(dir, 'missing.json')]);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /Cannot read/);
      const broken = join(dir, 'broken.json');
      await writeFile(broken, '{"format": "ledgergate-evidence/1", "events": [');
      assert.equal((await run([broken])).code, 2);
    });
  });
});
