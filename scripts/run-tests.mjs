// Runs every test file under test/ with node's own test runner, TypeScript loaded through tsx.
// Node 20's --test does not expand globs, so the files are listed here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const filter = process.argv.slice(2);
const files = findTests('test').filter((f) => filter.length === 0 || filter.some((part) => f.includes(part))).sort();
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${process.env.LEDGERGATE_TEST_CONCURRENCY ?? 2}`, '--test-timeout=300000', ...files], {
  stdio: 'inherit',
  env: { ...process.env, LEDGERGATE_LOG_LEVEL: process.env.LEDGERGATE_LOG_LEVEL ?? 'error' },
});
process.exit(result.status ?? 1);
