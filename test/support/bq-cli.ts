/**
 * Runs the real BigQuery command-line tool (`bq`, from google-cloud-cli) against a gateway, isolated
 * from the machine's own Google credentials and settings: a temporary HOME and CLOUDSDK_CONFIG, the
 * gateway token given with --oauth_access_token, and --headless so it never prompts.
 *
 * At every start `bq` runs `gcloud config list` to read its defaults (platform/bq/utils/bq_gcloud_utils.py);
 * on this machine that costs several seconds per call. A `gcloud` on PATH ahead of the real one answers
 * `{}` — the empty configuration of a fresh machine — so the calls stay fast; `bq` itself is untouched.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The path of `bq` on PATH, or undefined when this machine has none. */
export function findBq(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'bq');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export interface BqResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface BqRunner {
  run(args: readonly string[], options?: { timeoutMs?: number }): Promise<BqResult>;
  /** Starts `bq` and hands back the running process's result promise and a liveness check. */
  start(args: readonly string[], options?: { timeoutMs?: number }): { done: Promise<BqResult>; running: () => boolean };
  cleanup(): void;
}

export function bqRunner(bqPath: string, gatewayUrl: string, token: string): BqRunner {
  const home = mkdtempSync(join(tmpdir(), 'ledgergate-bq-'));
  const stubs = join(home, 'bin');
  mkdirSync(stubs);
  writeFileSync(join(stubs, 'gcloud'), '#!/bin/sh\necho "{}"\n', { mode: 0o755 });
  const env = {
    ...process.env,
    HOME: home,
    CLOUDSDK_CONFIG: join(home, 'gcloud'),
    PATH: `${stubs}${delimiter}${process.env.PATH ?? ''}`,
    GOOGLE_APPLICATION_CREDENTIALS: '',
    CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
  };
  const start = (args: readonly string[], options: { timeoutMs?: number } = {}) => {
    const child = spawn(bqPath, ['--headless', `--api=${gatewayUrl}`, `--oauth_access_token=${token}`, '--project_id=demo-project', ...args], {
      cwd: home,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    const done = new Promise<BqResult>((resolve) =>
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      }),
    );
    return { done, running: () => child.exitCode === null && child.signalCode === null };
  };
  return {
    run: (args, options) => start(args, options).done,
    start,
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  };
}
