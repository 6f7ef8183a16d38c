/**
 * Headless Chromium for the console's browser tests, driven by playwright-core. Never a downloaded
 * browser: the first of
 *   1. `LEDGERGATE_CHROMIUM` (a Chromium binary you name),
 *   2. a system Chromium (Debian's `chromium` package, or one on PATH),
 *   3. the Chromium shipped inside the `@sparticuz/chromium` npm package (a devDependency), so that
 *      `npm install` is all the set-up a fresh machine needs.
 * A fresh profile per launch, removed on close.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { repoRoot } from './gateway-process.js';
import { packagedChromium } from './packaged-chromium.js';

const systemChromiumCandidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export interface ChromiumChoice {
  readonly executablePath: string;
  readonly source: 'LEDGERGATE_CHROMIUM' | 'system' | 'npm package';
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Which Chromium the browser tests drive (see the header for the order). */
export async function chooseChromium(): Promise<ChromiumChoice> {
  const named = process.env.LEDGERGATE_CHROMIUM;
  if (named) {
    if (!existsSync(named)) throw new Error(`LEDGERGATE_CHROMIUM names ${named}, which does not exist.`);
    return { executablePath: named, source: 'LEDGERGATE_CHROMIUM' };
  }
  const system = onPath('chromium') ?? onPath('chromium-browser') ?? systemChromiumCandidates.find((path) => existsSync(path));
  if (system) return { executablePath: system, source: 'system' };
  return { executablePath: await packagedChromium(), source: 'npm package' };
}

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-quic',
  '--no-first-run',
  '--disable-sync',
];

/**
 * The packaged build is made for sandbox-less serverless hosts: it needs to run as one process (it
 * cannot drop privileges for a zygote) and renders with its bundled SwiftShader.
 */
const packagedChromiumArgs = ['--single-process', '--no-zygote', '--use-gl=angle', '--use-angle=swiftshader'];

export interface LaunchedBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<LaunchedBrowser> {
  const choice = await chooseChromium();
  const profile = mkdtempSync(join(tmpdir(), 'ledgergate-chromium-'));
  // A persistent context is how playwright takes a user data dir; the profile is fresh and thrown away.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: choice.executablePath,
    headless: true,
    args: choice.source === 'npm package' ? [...chromiumArgs, ...packagedChromiumArgs] : chromiumArgs,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    timeout: 60_000,
  });
  // Generous: CI machines have two cores and run test files side by side.
  context.setDefaultTimeout(45_000);
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** test-artifacts/console/<name>.png (the folder is gitignored). */
export function screenshotPath(name: string): string {
  const dir = join(repoRoot, 'test-artifacts', 'console');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}
