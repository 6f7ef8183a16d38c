/**
 * Starts the gateway the way an operator does: `npm start` builds `dist/` (its `prestart`) and runs
 * `node <npm start's flags> dist/src/main.js`. Benchmarks measure that process, not the tsx path the
 * tests use: tsx compiles TypeScript in a loader thread and in every worker, which costs 70–90 MiB
 * and seconds of start-up that a deployed gateway never pays (bench/README.md, "Memory").
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startGatewayProcess, type GatewayProcess } from '../test/support/gateway-process.js';

const repoRoot = resolve(import.meta.dirname, '..');

function startScript(): string[] {
  const { scripts } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: { start: string } };
  return scripts.start.split(/\s+/);
}

/** The node flags `npm start` passes (package.json), so the gateway measured has the same heap settings. */
export function startNodeFlags(): string[] {
  return startScript().filter((token) => token.startsWith('--'));
}

/** The environment `npm start` sets in front of `node` (`NAME=value` words, e.g. glibc's arena count). */
export function startEnvironment(): Record<string, string> {
  const words = startScript();
  const assignments = words.slice(0, words.findIndex((word) => !/^[A-Z_][A-Z0-9_]*=/.test(word)));
  return Object.fromEntries(assignments.map((word) => [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]));
}

/** What `npm start`'s `prestart` does: compile `src/` into `dist/`. */
export function buildForStart(): void {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: repoRoot, stdio: 'inherit' });
}

/** The compiled gateway with `npm start`'s flags (call `buildForStart` once before). */
export function startAsNpmStart(options: Omit<Parameters<typeof startGatewayProcess>[0] & object, 'entry' | 'nodeArgs'> & { extraNodeArgs?: string[] } = {}): Promise<GatewayProcess> {
  const { extraNodeArgs, env, ...rest } = options;
  return startGatewayProcess({ ...rest, env: { ...startEnvironment(), ...env }, entry: 'compiled', nodeArgs: [...startNodeFlags(), ...(extraNodeArgs ?? [])] });
}
