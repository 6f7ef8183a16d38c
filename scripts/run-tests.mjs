// Runs every test file under test/ with node's own test runner, TypeScript loaded through tsx.
// Node 20's --test does not expand globs, so the files are listed here.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
const summaryDir = mkdtempSync(join(tmpdir(), 'ledgergate-test-summary-'));
const summaryFile = join(summaryDir, 'summary.txt');
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test',
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=./scripts/summary-reporter.mjs', `--test-reporter-destination=${summaryFile}`,
  `--test-concurrency=${process.env.LEDGERGATE_TEST_CONCURRENCY ?? 2}`, '--test-timeout=300000', ...files], {
  stdio: 'inherit',
  env: { ...process.env, LEDGERGATE_LOG_LEVEL: process.env.LEDGERGATE_LOG_LEVEL ?? 'error' },
});
// The figure a reader wants, as the very last line, so nobody has to scroll for it.
let summary = '';
try {
  summary = readFileSync(summaryFile, 'utf8').trim();
} catch {
  summary = '';
}
rmSync(summaryDir, { recursive: true, force: true });
if (summary) console.log(`\n${summary}`);
else console.log('\nno test summary was written (the test runner did not finish)');
process.exit(result.status ?? 1);
