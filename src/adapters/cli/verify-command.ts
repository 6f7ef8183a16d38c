/**
 * `ledgergate verify FILE [--trusted-keys JWKS_FILE] [--json]` — verifies an evidence bundle offline.
 * Exit 0: intact (with a readable summary). Exit 1: it fails, naming the first failing event or seal.
 * Exit 2: usage error or a file that cannot be read as a bundle.
 */
import { readFile } from 'node:fs/promises';
import type { Jwks } from '../../domain/evidence/bundle.js';
import type { VerifyFailure, VerifyReport } from '../../domain/evidence/verify.js';
import { verifyBundleFile, type VerifyFileOptions } from '../evidence/bundle-file.js';

export interface CommandOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

const usage = 'Usage: ledgergate verify FILE [--trusted-keys JWKS_FILE] [--json]';

/** `fileOptions`: how the file is verified (threads); tests use it to run both paths. */
export async function runVerifyCommand(argv: string[], out: CommandOutput, fileOptions: Omit<VerifyFileOptions, 'trustedKeys'> = {}): Promise<number> {
  const args = argv[0] === 'verify' ? argv.slice(1) : [...argv];
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    out.stderr(`${parsed}\n${usage}\n`);
    return 2;
  }

  let trustedKeys: Jwks | undefined;
  if (parsed.trustedKeys !== undefined) {
    try {
      trustedKeys = JSON.parse(await readFile(parsed.trustedKeys, 'utf8')) as Jwks;
      if (!Array.isArray(trustedKeys?.keys)) throw new Error('no keys');
    } catch {
      out.stderr(`Cannot read trusted keys from ${parsed.trustedKeys}: expected a JWKS ({"keys": [...]})\n`);
      return 2;
    }
  }

  let report: VerifyReport;
  try {
    report = await verifyBundleFile(parsed.file, { ...fileOptions, trustedKeys });
  } catch (error) {
    out.stderr(`Cannot read ${parsed.file} as an evidence bundle: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }

  if (parsed.json) out.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else if (report.ok) out.stdout(formatSummary(report));
  if (!report.ok) {
    out.stderr(formatFailures(report));
    return 1;
  }
  return 0;
}

function parseArgs(args: string[]): { file: string; trustedKeys?: string; json: boolean } | string {
  let file: string | undefined;
  let trustedKeys: string | undefined;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--json') json = true;
    else if (arg === '--trusted-keys') {
      trustedKeys = args[++i];
      if (trustedKeys === undefined) return '--trusted-keys needs a file';
    } else if (arg.startsWith('--')) return `Unknown option ${arg}`;
    else if (file === undefined) file = arg;
    else return `Unexpected argument ${arg}`;
  }
  if (file === undefined) return 'Missing the bundle FILE';
  return { file, trustedKeys, json };
}

export function describeFailure(failure: VerifyFailure): string {
  if (failure.kind === 'event') {
    const where = [failure.streamName && `stream ${failure.streamName}`, failure.type && `type ${failure.type}`].filter(Boolean).join(', ');
    return `event at position ${String(failure.position)}${where ? ` (${where})` : ''}: ${failure.message}`;
  }
  if (failure.kind === 'seal') return failure.message;
  return `manifest${failure.position !== undefined ? ` (position ${failure.position})` : ''}: ${failure.message}`;
}

function formatFailures(report: VerifyReport): string {
  const lines = ['Evidence bundle FAILED verification.'];
  if (report.firstFailure) lines.push(`First failure: ${describeFailure(report.firstFailure)}`);
  const others = report.failures.slice(1);
  if (others.length > 0) {
    lines.push('Further failures:');
    for (const failure of others) lines.push(`  - ${describeFailure(failure)}`);
  }
  return `${lines.join('\n')}\n`;
}

function formatSummary(report: VerifyReport): string {
  const s = report.summary;
  const decisions = Object.entries(s.requestsByDecision)
    .map(([effect, count]) => `${effect} ${count}`)
    .join(', ');
  const lines = [
    'Evidence bundle verified: intact.',
    `  Period:          ${s.period.from ?? '?'} → ${s.period.to ?? '?'} (positions ${s.period.fromPosition ?? '-'}–${s.period.toPosition ?? '-'})`,
    `  Events:          ${s.eventCount}`,
    `  Requests:        ${s.requests} (${decisions})`,
    `  Approvals:       ${s.approvals} approved, ${s.rejections} rejected, ${s.expiredApprovals} expired`,
    `  Masked columns:  ${s.maskedColumns}`,
    `  Policy versions: ${s.policyVersions.length === 0 ? 'none recorded' : s.policyVersions.join(', ')}`,
    `  Seals:           ${s.seals.count} (${s.seals.fullyVerified} fully verified, ${s.seals.partiallyVerified} partially)`,
    `  Signing keys:    ${s.keyIds.join(', ') || 'none'}`,
  ];
  if (s.seals.unsealedTail > 0) {
    lines.push(`  Unsealed tail:   ${s.seals.unsealedTail} events at the end, signed by the manifest only (not yet sealed)`);
  }
  for (const note of s.seals.notes) lines.push(`  Note: ${note}`);
  return `${lines.join('\n')}\n`;
}
