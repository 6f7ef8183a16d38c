import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPolicyCheckCommand } from '../../../src/adapters/cli/policy-check-command.js';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runPolicyCheckCommand(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

describe('policy check FILE', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ledgergate-policy-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 0 with a summary for the shipped policy', async () => {
    const file = fileURLToPath(new URL('../../../policy.yaml', import.meta.url));
    const result = await run([file]);
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, /valid policy/);
    assert.match(result.stdout, /rules: 6 rules \(no-destruction→deny/);
    assert.match(result.stdout, /default: deny/);
    assert.match(result.stdout, /sha256: [0-9a-f]{64}/);
  });

  it('exits 1 printing every error as FILE:LINE:COLUMN: message (at /path)', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      ['version: 1', 'default: deny', 'rules:', '  - id: a', '    match: { statements: [selct] }', '    efect: deny', ''].join('\n'),
    );
    const result = await run([file]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.deepEqual(result.stderr.trimEnd().split('\n'), [
      `${file}:4:5: missing required key "effect" (at /rules/0/effect)`,
      `${file}:5:27: "selct" is not one of: select, insert, update, delete, merge, create, alter, drop, truncate, export, load, grant, revoke, call, script, unknown (at /rules/0/match/statements/0)`,
      `${file}:6:5: unknown key "efect" (did you mean "effect"?) (at /rules/0/efect)`,
      `${file}: 3 errors`,
    ]);
  });

  it('prints YAML syntax errors at the document root', async () => {
    const file = join(dir, 'syntax.yaml');
    await writeFile(file, 'version: 1\ndefault: "deny\n');
    const result = await run([file]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: YAML: .* \\(at /\\)\\n`));
  });

  it('exits 2 with a clear message when the file is missing', async () => {
    const file = join(dir, 'nope.yaml');
    const result = await run([file]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, `policy check: cannot read ${file}: no such file\n`);
  });

  it('exits 2 with usage when the file argument is missing or extra', async () => {
    assert.deepEqual(await run([]), { code: 2, stdout: '', stderr: 'usage: ledgergate policy check FILE\n' });
    assert.equal((await run(['a.yaml', 'b.yaml'])).code, 2);
    assert.equal((await run(['--help'])).code, 0);
  });
});
