/**
 * The evidence bundle: everything an auditor needs to check, offline, that a period of the log is
 * whole and unchanged — the events with their chain hashes, the seals that cover them, the public
 * keys, and a signed manifest that pins the range's ends (so a dropped tail or head shows).
 *
 * JSON key order on the wire is format, events, seals, keys, manifest, manifestSignature: the manifest
 * is computed while the events stream out, so it comes last.
 */
import type { Sealed } from '../events/system-events.js';
import type { RecordedEvent } from '../ports.js';
import { canonicalJson } from './event-hash.js';

export const bundleFormat = 'ledgergate-evidence/1';

export interface BundleManifest {
  readonly range: { readonly fromPosition: number; readonly toPosition: number };
  /** The period asked for (or the first and last events' times when none was). ISO-8601. */
  readonly from: string;
  readonly to: string;
  readonly eventCount: number;
  readonly sealCount: number;
  /** Null only for an empty range. */
  readonly firstHash: string | null;
  readonly lastHash: string | null;
  readonly firstPrevHash: string | null;
  /** Hashes of the policies in force during the range: the one active at its start, then each activated inside it. */
  readonly policyVersions: readonly string[];
  readonly gatewayVersion: string;
  readonly generatedAt: string;
  readonly keyId: string;
}

export interface BundleSeal {
  /** Global position of the `Sealed` event itself (after the range it covers). */
  readonly position: number;
  readonly data: Sealed;
}

export interface Jwks {
  readonly keys: readonly Record<string, unknown>[];
}

export interface EvidenceBundle {
  readonly format: typeof bundleFormat;
  readonly events: readonly RecordedEvent[];
  readonly seals: readonly BundleSeal[];
  readonly keys: Jwks;
  readonly manifest: BundleManifest;
  /** Compact JWS whose payload is the RFC 8785 JSON of the manifest. */
  readonly manifestSignature: string;
}

export function manifestSigningInput(manifest: BundleManifest): Uint8Array {
  return new TextEncoder().encode(canonicalJson(manifest));
}

/** A recorded event in the field order bundles write (stable, readable diffs between bundles). */
export function bundleEventOf(event: RecordedEvent): RecordedEvent {
  const { position, streamName, revision, type, data, metadata, recordedAt, prevHash, hash } = event;
  return { position, streamName, revision, type, data, metadata, recordedAt, prevHash, hash };
}
