/**
 * `ledgergate policy check FILE`: validates a policy file offline.
 * Exit 0 valid (prints a summary), 1 invalid (prints every error with its location), 2 usage or I/O.
 */
import { readFile } from 'node:fs/promises';
import { parsePolicy } from '../../domain/policy/parse.js';
import { formatPolicyError } from '../../domain/policy/format-error.js';
import type { Policy } from '../../domain/policy/types.js';

export interface CommandOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

const usage = 'usage: ledgergate policy check FILE';

function summary(file: string, policy: Policy): string {
  const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
  return [
    `${file}: valid policy`,
    `  rules: ${count(policy.rules.length, 'rule')} (${policy.rules.map((rule) => `${rule.id}→${rule.effect}`).join(', ') || 'none'})`,
    `  default: ${policy.default}`,
    `  masking: ${count(policy.masking.columns.length, 'column rule')}, detectors: ${policy.masking.detectors.join(', ') || 'none'}, protectedPredicates: ${policy.masking.protectedPredicates ?? 'allow'}`,
    `  approvals: ${policy.approvals.approverGroups.join(', ') || 'none'}, required ${policy.approvals.required}, expires after ${policy.approvals.expiresAfterSeconds}s`,
    `  sha256: ${policy.hash}`,
  ].join('\n');
}

function readProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES') return 'permission denied';
  return (error as Error).message;
}

/** `argv` is what follows `policy check` on the command line. */
export async function runPolicyCheckCommand(argv: string[], out: CommandOutput): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    out.stdout(`${usage}\n`);
    return 0;
  }
  if (argv.length !== 1 || argv[0].startsWith('-')) {
    out.stderr(`${usage}\n`);
    return 2;
  }
  const file = argv[0];
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    out.stderr(`policy check: cannot read ${file}: ${readProblem(error)}\n`);
    return 2;
  }
  const result = parsePolicy(text);
  if (!result.ok) {
    for (const error of result.errors) out.stderr(`${formatPolicyError(file, error)}\n`);
    out.stderr(`${file}: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}\n`);
    return 1;
  }
  out.stdout(`${summary(file, result.policy)}\n`);
  return 0;
}
