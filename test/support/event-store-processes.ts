/** Starts event-store-race-child.ts as separate OS processes and releases them at the same moment. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const childScript = fileURLToPath(new URL('./event-store-race-child.ts', import.meta.url));

export interface ChildProcessRun {
  readonly ready: Promise<void>;
  readonly result: Promise<Record<string, unknown>>;
  go(): void;
}

export function startChild(args: readonly string[]): ChildProcessRun {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout });
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const result = new Promise<Record<string, unknown>>((resolve, reject) => {
    let last: Record<string, unknown> | undefined;
    lines.on('line', (line) => {
      if (line === 'ready') return markReady();
      last = JSON.parse(line) as Record<string, unknown>;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      // A child may report and then kill itself (to leave only what is on disk behind).
      const reportedThenKilled = last?.outcome === 'killed-after-report' && signal === 'SIGKILL';
      if (last && (code === 0 || reportedThenKilled)) resolve(last);
      else reject(new Error(`child exited with ${String(code)} without a result: ${stderr.slice(0, 2000)}`));
    });
  });
  // A child that dies before "ready" must not leave the parent waiting forever.
  const readyOrDead = Promise.race([ready, result.then(() => undefined)]);
  return { ready: readyOrDead, result, go: () => child.stdin.end('go\n') };
}

/** Starts every child, waits until all have opened the store, then releases them together. */
export async function runTogether(argsList: readonly (readonly string[])[]): Promise<Record<string, unknown>[]> {
  const children = argsList.map(startChild);
  await Promise.all(children.map((c) => c.ready));
  for (const child of children) child.go();
  return Promise.all(children.map((c) => c.result));
}
