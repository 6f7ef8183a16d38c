/** A sealed log and its exported bundle, the common starting point of the evidence tests. */
import { openKeyStore, type KeyStore } from '../../../src/adapters/evidence/key-store.js';
import { startSealer, type Sealer } from '../../../src/adapters/evidence/sealer.js';
import { writeEvidenceBundle, type ExportOptions } from '../../../src/adapters/evidence/export.js';
import type { EvidenceBundle } from '../../../src/domain/evidence/bundle.js';
import { verifyBundle, type VerifyOptions, type VerifyReport } from '../../../src/domain/evidence/verify.js';
import type { EventStore } from '../../../src/domain/ports.js';
import { activatePolicy, appendRequests, policyHashA, steppingClock, textSink } from './fixtures.js';
import { createMemoryEventStore, type MemoryEventStore } from '../../support/memory-event-store.js';

export interface Scenario {
  readonly store: MemoryEventStore;
  readonly signer: KeyStore;
  readonly sealer: Sealer;
  readonly clock: () => Date;
}

/** A sealer that only seals when told to (its timers are far away). */
export function manualSealer(store: EventStore, signer: KeyStore, clock: () => Date): Sealer {
  return startSealer({ store, signer, everyEvents: 1e9, everyMs: 1e9, pollMs: 1e9, clock, onError: (e) => { throw e; } });
}

/**
 * `batches` rounds of `requestsPerBatch` requests, each round followed by a seal; a policy activation
 * first; `rotateAfter` rotates the key after that many seals.
 */
export async function sealedLog(
  dataDir: string,
  options: { batches?: number; requestsPerBatch?: number; rotateAfter?: number; withoutHashes?: boolean; unsealedRequests?: number } = {},
): Promise<Scenario> {
  const clock = steppingClock();
  const store = createMemoryEventStore({ clock, withoutHashes: options.withoutHashes });
  const signer = await openKeyStore({ dataDir });
  const sealer = manualSealer(store, signer, clock);
  await activatePolicy(store, policyHashA);
  for (let batch = 0; batch < (options.batches ?? 3); batch++) {
    await appendRequests(store, options.requestsPerBatch ?? 4, `b${batch}-`);
    await sealer.sealNow();
    if (options.rotateAfter !== undefined && batch + 1 === options.rotateAfter) await signer.rotate();
  }
  if (options.unsealedRequests) await appendRequests(store, options.unsealedRequests, 'tail-');
  return { store, signer, sealer, clock };
}

export async function exportBundle(
  scenario: Pick<Scenario, 'store' | 'signer' | 'clock'>,
  options: Partial<Omit<ExportOptions, 'store' | 'signer' | 'out'>> = {},
): Promise<EvidenceBundle> {
  const sink = textSink();
  await writeEvidenceBundle({
    store: scenario.store,
    signer: scenario.signer,
    gatewayVersion: '0.1.0-test',
    clock: scenario.clock,
    ...options,
    out: sink.out,
  });
  return JSON.parse(sink.text()) as EvidenceBundle;
}

export interface TamperableEvent extends Record<string, unknown> {
  position: number;
  streamName: string;
  type: string;
  data: Record<string, unknown>;
  hash: string;
  prevHash: string;
}

/** A bundle as plain mutable JSON, for tampering. */
export interface TamperableBundle {
  format: string;
  events: TamperableEvent[];
  seals: { position: number; data: Record<string, unknown> }[];
  keys: { keys: Record<string, unknown>[] };
  manifest: Record<string, unknown>;
  manifestSignature: string;
}

export function copyOf(bundle: EvidenceBundle): TamperableBundle {
  return structuredClone(bundle) as unknown as TamperableBundle;
}

export function verifyTampered(bundle: TamperableBundle, options?: VerifyOptions): Promise<VerifyReport> {
  return verifyBundle(bundle as unknown as EvidenceBundle, options);
}
