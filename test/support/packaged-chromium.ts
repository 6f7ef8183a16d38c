/**
 * The Chromium that `@sparticuz/chromium` ships inside its npm package (brotli-compressed), unpacked
 * once per checkout into node_modules/.cache. The package itself always unpacks into the temp folder
 * (`os.tmpdir()`, read at call time) and skips the work when a file is already there — so two test
 * files unpacking at once could run a half-written binary. Here each unpack happens in a child process
 * whose TMPDIR is a private folder, which is then renamed into place: rename is atomic, the first one
 * wins, and a reader only ever sees a complete build.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import { repoRoot } from './gateway-process.js';

const run = promisify(execFile);

function packageVersion(): string {
  // The package's exports do not include its manifest; its folder sits where its entry point resolves.
  const entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  const manifest = join(entry.slice(0, entry.lastIndexOf(join('node_modules', '@sparticuz', 'chromium'))), 'node_modules', '@sparticuz', 'chromium', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

export async function packagedChromium(): Promise<string> {
  let version: string;
  try {
    version = packageVersion();
  } catch {
    throw new Error('No Chromium found: install the devDependencies (npm install), install a system chromium, or set LEDGERGATE_CHROMIUM.');
  }
  const cache = join(repoRoot, 'node_modules', '.cache', 'ledgergate-chromium');
  const home = join(cache, version);
  const binary = join(home, 'chromium');
  if (existsSync(binary)) return binary;
  mkdirSync(cache, { recursive: true });
  const partial = join(cache, `${version}.partial-${process.pid}-${Date.now()}`);
  mkdirSync(partial, { recursive: true });
  try {
    const unpack = "import('@sparticuz/chromium').then((m) => m.default.executablePath()).then((p) => process.stdout.write(p))";
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', unpack], {
      cwd: repoRoot,
      env: { ...process.env, TMPDIR: partial },
      timeout: 180_000,
    });
    if (stdout !== join(partial, 'chromium')) throw new Error(`@sparticuz/chromium unpacked to ${stdout}, not ${partial}`);
    try {
      renameSync(partial, home);
    } catch (error) {
      // Another test file finished first: its complete build is as good as ours.
      if (!existsSync(binary)) throw error;
    }
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  return binary;
}
