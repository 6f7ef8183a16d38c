/**
 * Headless Chromium for the console's browser tests: Debian's own `chromium` package driven by
 * playwright-core (no browser download). A fresh profile per launch, removed on close.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { repoRoot } from './gateway-process.js';

export const chromiumPath = process.env.LEDGERGATE_CHROMIUM ?? '/usr/bin/chromium';

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

export interface LaunchedBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<LaunchedBrowser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium is not installed at ${chromiumPath}. The console browser tests drive Debian's chromium package: ` +
        `install it with "apt-get install -y chromium" (or point LEDGERGATE_CHROMIUM at a Chromium binary).`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'ledgergate-chromium-'));
  // A persistent context is how playwright takes a user data dir; the profile is fresh and thrown away.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    timeout: 30_000,
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
