/**
 * The second pass: every seal in the bundle — its signature (across key rotations), its place in the
 * chain of seals, and its Merkle root and last hash over the events it covers. A seal whose range
 * reaches outside the bundle is checked for what the bundle can show and reported as partial.
 */
import { Value } from '@sinclair/typebox/value';
import { Sealed } from '../events/system-events.js';
import type { BundleSeal } from './bundle.js';
import { canonicalJson } from './event-hash.js';
import type { ChainedRange, RecordedSeal, VerifyFailure } from './event-chain-check.js';
import { createMerkleAccumulator } from './merkle.js';
import { sealBodyOf, sealHash, sealSigningInput, sealStreamName } from './seal.js';
import type { SignatureChecker } from './signature-check.js';

export interface SealCheckResult {
  readonly failures: VerifyFailure[];
  readonly fullyVerified: number;
  readonly partiallyVerified: number;
  readonly notes: string[];
  /** Highest position any seal covers (0 when none). */
  readonly sealedThrough: number;
}

export async function checkSeals(
  seals: readonly BundleSeal[],
  range: ChainedRange,
  sealEvents: ReadonlyMap<number, RecordedSeal>,
  signatures: SignatureChecker,
): Promise<SealCheckResult> {
  const failures: VerifyFailure[] = [];
  const notes: string[] = [];
  let fullyVerified = 0;
  let partiallyVerified = 0;
  let sealedThrough = 0;
  const listed = new Set<number>();
  let previous: BundleSeal | undefined;

  for (const seal of Array.isArray(seals) ? seals : []) {
    const position = typeof seal?.position === 'number' ? seal.position : undefined;
    const fail = (message: string): void => {
      failures.push({ kind: 'seal', position, message: `seal at position ${String(position)}: ${message}` });
    };
    if (position === undefined || !Value.Check(Sealed, seal.data)) {
      fail('malformed seal record');
      previous = undefined;
      continue;
    }
    const data = seal.data;
    listed.add(position);

    const signatureProblem = await signatures.check(data.signature, sealSigningInput(sealBodyOf(data)), data.keyId);
    if (signatureProblem) fail(signatureProblem);

    if (data.toPosition < data.fromPosition || data.count !== data.toPosition - data.fromPosition + 1) {
      fail(`count ${data.count} does not fit range ${data.fromPosition}–${data.toPosition}`);
    }
    if (position <= data.toPosition) fail(`the seal event must come after the events it covers (it covers up to ${data.toPosition})`);

    const recorded = sealEvents.get(position);
    if (recorded !== undefined) {
      if (recorded.streamName !== sealStreamName) fail(`its event is in stream ${recorded.streamName}, not ${sealStreamName}`);
      if (canonicalJson(recorded.data) !== canonicalJson(data)) fail('differs from the Sealed event recorded at its position');
    } else if (range.hashAt(position) !== undefined) {
      fail('the event at its position is not a Sealed event');
    }

    if (previous === undefined) {
      if (data.fromPosition === 1 && data.previousSealHash !== undefined) fail('the first seal of the log names a previous seal');
      if (data.fromPosition > 1 && data.previousSealHash === undefined) fail('names no previous seal although it does not start the log');
    } else {
      if (position <= previous.position) fail('seals are not in log order');
      if (data.fromPosition !== previous.data.toPosition + 1) {
        fail(`starts at ${data.fromPosition} but the previous seal ended at ${previous.data.toPosition} (seal missing or overlapping)`);
      }
      if (data.previousSealHash !== sealHash(previous.data)) fail('previousSealHash does not match the previous seal (seal chain broken)');
    }

    const coverage = checkCoverage(data, range);
    failures.push(...coverage.problems.map((message) => ({ kind: 'seal' as const, position, message: `seal at position ${position}: ${message}` })));
    if (coverage.full) fullyVerified += 1;
    else {
      partiallyVerified += 1;
      notes.push(`seal at position ${position} covers ${data.fromPosition}–${data.toPosition}, partly outside the bundle: ${coverage.checked}`);
    }
    sealedThrough = Math.max(sealedThrough, data.toPosition);
    previous = seal;
  }

  for (const position of sealEvents.keys()) {
    if (!listed.has(position)) {
      failures.push({ kind: 'seal', position, message: `seal at position ${position} is in the events but missing from the seal list` });
    }
  }
  return { failures, fullyVerified, partiallyVerified, notes, sealedThrough };
}

function checkCoverage(
  data: Sealed,
  range: ChainedRange,
): { full: boolean; problems: string[]; checked: string } {
  const problems: string[] = [];
  const lastHash = range.hashAt(data.toPosition);
  if (lastHash !== undefined && lastHash.toString('hex') !== data.lastEventHash) {
    problems.push(`lastEventHash does not match the event at ${data.toPosition}`);
  }
  const inside = range.hashAt(data.fromPosition) !== undefined && lastHash !== undefined;
  if (!inside) {
    const checked = lastHash !== undefined ? 'its last hash and signature were checked, not its Merkle root' : 'only its signature and place in the seal chain were checked';
    return { full: false, problems, checked };
  }
  const accumulator = createMerkleAccumulator();
  for (let position = data.fromPosition; position <= data.toPosition; position++) {
    accumulator.add(range.hashAt(position) as Buffer);
  }
  if (accumulator.rootHex() !== data.merkleRoot) {
    problems.push(`Merkle root over ${data.fromPosition}–${data.toPosition} does not match (events in its range changed)`);
  }
  return { full: true, problems, checked: 'fully' };
}
