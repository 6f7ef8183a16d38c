/**
 * Offline verification of an evidence bundle: needs nothing but the bundle (and, optionally, the keys
 * the auditor trusts). Pure except for the signature checks, which jose performs.
 *
 * Order of the checks, and so of the failures: events (content, positions, chain), then seals, then
 * the manifest. The first failure names the place an auditor should look first.
 */
import { bundleFormat, manifestSigningInput, type BundleManifest, type BundleSeal, type EvidenceBundle, type Jwks } from './bundle.js';
import { createEventChainCheck, type ActivitySummary, type ChainedRange, type ChainLink, type VerifyFailure } from './event-chain-check.js';
import { checkSeals, type SealCheckResult } from './seal-check.js';
import { createSignatureChecker, type SignatureChecker } from './signature-check.js';

export type { ChainLink, VerifyFailure } from './event-chain-check.js';

export interface VerifyOptions {
  /** Keys the auditor trusts (e.g. the gateway's published JWKS); when set, any other signer fails. */
  readonly trustedKeys?: Jwks;
  /** How many failures to list beyond the first (default 20). */
  readonly maxFailures?: number;
}

/** What an auditor reads: the chain's activity counts, the period, policies, seals and keys. */
export interface VerifySummary
  extends Pick<ActivitySummary, 'requests' | 'requestsByDecision' | 'approvals' | 'rejections' | 'expiredApprovals' | 'maskedColumns'> {
  readonly period: { readonly from?: string; readonly to?: string; readonly fromPosition?: number; readonly toPosition?: number };
  readonly eventCount: number;
  readonly policyVersions: readonly string[];
  readonly seals: {
    readonly count: number;
    readonly fullyVerified: number;
    readonly partiallyVerified: number;
    readonly notes: readonly string[];
    /** Events at the end of the bundle that no seal covers yet (signed by the manifest only). */
    readonly unsealedTail: number;
  };
  readonly keyIds: readonly string[];
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly firstFailure?: VerifyFailure;
  readonly failures: readonly VerifyFailure[];
  readonly summary: VerifySummary;
}

/** What follows the events in a bundle; kept apart so a bundle can be verified while it streams in. */
export type BundleTail = Omit<EvidenceBundle, 'events'>;

export interface BundleVerifier {
  /** `recomputed`: the event's chain hash computed elsewhere, see EventChainCheck.add. */
  addEvent(event: unknown, recomputed?: string): void;
  /** An intact event's link, taken where it was parsed (see event-chain-check.ts `intactLinkOf`). */
  addLink(link: ChainLink): void;
  finish(tail: BundleTail): Promise<VerifyReport>;
}

export async function verifyBundle(bundle: EvidenceBundle, options: VerifyOptions = {}): Promise<VerifyReport> {
  const verifier = createBundleVerifier(options);
  for (const event of Array.isArray(bundle?.events) ? bundle.events : []) verifier.addEvent(event);
  return verifier.finish(bundle);
}

export function createBundleVerifier(options: VerifyOptions = {}): BundleVerifier {
  const events = createEventChainCheck();
  return {
    addEvent: (event, recomputed) => events.add(event, recomputed),
    addLink: (link) => events.addLink(link),
    async finish(tail) {
      const range = events.range();
      const activity = events.activity();
      const signatures = createSignatureChecker(tail?.keys, options.trustedKeys);
      const seals = await checkSeals(tail?.seals ?? [], range, activity.sealEventPositions, signatures);
      const manifestFailures = await checkManifest(tail, range, activity, signatures);
      const failures = [...events.failures, ...seals.failures, ...manifestFailures];
      return {
        ok: failures.length === 0,
        firstFailure: failures[0],
        failures: failures.slice(0, 1 + (options.maxFailures ?? 20)),
        summary: summarise(tail, range, activity, seals, signatures),
      };
    },
  };
}

async function checkManifest(
  tail: BundleTail,
  range: ChainedRange,
  activity: ActivitySummary,
  signatures: SignatureChecker,
): Promise<VerifyFailure[]> {
  const failures: VerifyFailure[] = [];
  const fail = (message: string, position?: number): void => {
    failures.push({ kind: 'manifest', position, message });
  };
  if (tail?.format !== bundleFormat) fail(`format is ${String(tail?.format)}, expected ${bundleFormat}`);
  const manifest = tail?.manifest as BundleManifest | undefined;
  if (!manifest || typeof manifest !== 'object' || !manifest.range) {
    fail('manifest missing');
    return failures;
  }

  const { fromPosition, toPosition } = manifest.range;
  if (range.count > 0 && range.firstPosition !== fromPosition) {
    fail(`bundle starts at position ${String(range.firstPosition)}, the manifest says ${fromPosition} (events missing at the start)`, fromPosition);
  }
  if ((range.lastPosition ?? fromPosition - 1) < toPosition) {
    const firstMissing = (range.lastPosition ?? fromPosition - 1) + 1;
    fail(`events ${firstMissing}–${toPosition} are missing: the manifest says the range ends at ${toPosition}`, firstMissing);
  } else if ((range.lastPosition ?? 0) > toPosition) {
    fail(`bundle holds events after the manifest's last position ${toPosition}`, toPosition + 1);
  }
  if (manifest.eventCount !== range.count) fail(`manifest counts ${manifest.eventCount} events, the bundle holds ${range.count}`);
  if (manifest.firstPrevHash !== (range.firstPrevHash ?? null)) fail('firstPrevHash differs from the first event', range.firstPosition);
  if (manifest.firstHash !== (range.firstHash ?? null)) fail('firstHash differs from the first event', range.firstPosition);
  if (manifest.lastHash !== (range.lastHash ?? null)) fail('lastHash differs from the last event (events dropped or changed at the end)', range.lastPosition);
  const sealCount = Array.isArray(tail.seals) ? tail.seals.length : 0;
  if (manifest.sealCount !== sealCount) fail(`manifest counts ${manifest.sealCount} seals, the bundle holds ${sealCount}`);
  const listed = new Set(Array.isArray(manifest.policyVersions) ? manifest.policyVersions : []);
  for (const policyHash of activity.policiesActivated) {
    if (!listed.has(policyHash)) fail(`policy ${policyHash} activated in the range is missing from policyVersions`);
  }

  const problem = await signatures.check(tail.manifestSignature, manifestSigningInput(manifest), manifest.keyId);
  if (problem) fail(`manifest signature: ${problem}`);
  return failures;
}

function summarise(
  tail: BundleTail,
  range: ChainedRange,
  activity: ActivitySummary,
  seals: SealCheckResult,
  signatures: SignatureChecker,
): VerifySummary {
  const manifest = tail?.manifest as BundleManifest | undefined;
  const sealList: readonly BundleSeal[] = Array.isArray(tail?.seals) ? tail.seals : [];
  const unsealedTail = range.lastPosition === undefined ? 0 : Math.max(0, range.lastPosition - Math.max(seals.sealedThrough, (range.firstPosition ?? 1) - 1));
  return {
    period: {
      from: manifest?.from,
      to: manifest?.to,
      fromPosition: range.firstPosition ?? manifest?.range?.fromPosition,
      toPosition: range.lastPosition ?? manifest?.range?.toPosition,
    },
    eventCount: range.count,
    requests: activity.requests,
    requestsByDecision: activity.requestsByDecision,
    approvals: activity.approvals,
    rejections: activity.rejections,
    expiredApprovals: activity.expiredApprovals,
    maskedColumns: activity.maskedColumns,
    policyVersions: Array.isArray(manifest?.policyVersions) ? manifest.policyVersions : activity.policiesActivated,
    seals: {
      count: sealList.length,
      fullyVerified: seals.fullyVerified,
      partiallyVerified: seals.partiallyVerified,
      notes: seals.notes,
      unsealedTail,
    },
    keyIds: signatures.usedKeyIds(),
  };
}
