/**
 * Starts the real gateway (`src/main.ts`) as a child process on a free port with its own data
 * directory, and talks to it over HTTP — the way an operator and an agent would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDevIssuer, type DevMintOptions } from '../../src/adapters/identity/dev-issuer.js';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

export interface GatewayProcess {
  readonly url: string;
  readonly dataDir: string;
  readonly child: ChildProcess;
  output(): string;
  token(options: DevMintOptions): Promise<string>;
  /** Sends a signal and waits for the process to exit; resolves its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Removes the data directory (after stop). */
  cleanup(): void;
}

export function freshDataDir(prefix = 'ledgergate-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startGatewayProcess(
  options: {
    env?: Record<string, string>;
    dataDir?: string;
    timeoutMs?: number;
    /** Extra node flags (--cpu-prof, for a profile). */
    nodeArgs?: string[];
    /**
     * `sources` (default): `src/main.ts` through tsx, as tests run it. `compiled`: `dist/src/main.js`,
     * what `npm start` runs after its `prestart` build — the caller builds first (benchmarks do).
     */
    entry?: 'sources' | 'compiled';
  } = {},
): Promise<GatewayProcess> {
  const dataDir = options.dataDir ?? freshDataDir();
  const entry = options.entry === 'compiled' ? [join(repoRoot, 'dist', 'src', 'main.js')] : ['--import', 'tsx', join(repoRoot, 'src', 'main.ts')];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...entry], {
    cwd: repoRoot,
    env: {
      ...process.env,
      LEDGERGATE_PORT: '0',
      LEDGERGATE_DATA_DIR: dataDir,
      LEDGERGATE_LOG_LEVEL: process.env.LEDGERGATE_TEST_LOG_LEVEL ?? 'warn',
      // The analysis deadline is wall-clock time; on a test machine shared by many suites a plain SELECT
      // can wait seconds for a core, so tests that do not test the deadline keep it out of the way.
      LEDGERGATE_ANALYSIS_TIMEOUT: '120s',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));

  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      // Never leave a half-started gateway behind holding its data directory.
      child.kill('SIGKILL');
      reject(new Error(`gateway did not start in time:\n${output}`));
    }, options.timeoutMs ?? 60_000);
    const check = () => {
      const match = /serving at (http:\/\/[^\s]+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code} before serving:\n${output}`));
    });
  });

  const issuer = openDevIssuer({ dataDir });
  return {
    url,
    dataDir,
    child,
    output: () => output,
    token: (mint) => issuer.mint(mint),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** Runs the CLI (`bin/ledgergate.js`) and collects its output. */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'ledgergate.js'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  return { code, stdout, stderr };
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

export async function call(url: string, options: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
  const response = await fetch(url, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  let body: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text && !(response.headers.get('content-type') ?? '').includes('ndjson')) {
    body = JSON.parse(text);
  }
  return { status: response.status, headers: response.headers, body, text };
}
