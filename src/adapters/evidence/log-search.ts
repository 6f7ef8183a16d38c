/**
 * Finding places in the global log without reading all of it and without arithmetic on positions
 * (on EventStoreDB they are byte offsets): seals are the signposts. Each seal names the last evidence
 * number it covers, where the store keeps that event, and the chain hash there.
 */
import { policyStream } from '../../app/policy-holder.js';
import { sealBodyOf, sealSigningInput } from '../../domain/evidence/seal.js';
import { createSignatureChecker } from '../../domain/evidence/signature-check.js';
import type { Sealed } from '../../domain/events/system-events.js';
import type { EventStore, RecordedEvent, Signer } from '../../domain/ports.js';
import { genesisAnchor, type ChainAnchor } from './chained-events.js';

export interface RangeStart {
  /** Evidence sequence number the range starts at. */
  readonly fromPosition?: number;
  /** Time the range starts at (by the store's recordedAt). */
  readonly from?: Date;
}

/**
 * The chain point to start reading from: the last seal, signed by one of this gateway's keys, that ends
 * before the range (by number, or — for a period — whose own event was recorded before it starts; a
 * seal is recorded after the events it covers). Genesis when there is none.
 */
export async function anchorBefore(seals: readonly RecordedEvent[], signer: Signer, start: RangeStart): Promise<ChainAnchor> {
  const checker = createSignatureChecker(await signer.publicKeys());
  let anchor = genesisAnchor;
  for (const event of seals) {
    const seal = event.data as Sealed;
    const before =
      start.fromPosition !== undefined
        ? seal.toPosition < start.fromPosition
        : start.from !== undefined && Date.parse(event.recordedAt) < start.from.getTime();
    if (!before || seal.toPosition <= anchor.sequence) continue;
    if (await checker.check(seal.signature, sealSigningInput(sealBodyOf(seal)), seal.keyId)) continue;
    anchor = { sequence: seal.toPosition, storePosition: seal.toStorePosition ?? seal.toPosition, hash: seal.lastEventHash };
  }
  return anchor;
}

/** Seal events whose range overlaps [first, last] (by evidence number). */
export function sealsOverlapping(
  seals: readonly RecordedEvent[],
  first: { readonly position: number } | undefined,
  last: { readonly position: number } | undefined,
): RecordedEvent[] {
  if (!first || !last) return [];
  return seals.filter((event) => {
    const seal = event.data as Sealed;
    return seal.toPosition >= first.position && seal.fromPosition <= last.position;
  });
}

/** Hash of the policy activated last before `storePosition` (as a one-element list), from the policy stream. */
export async function policyInForceBefore(store: EventStore, storePosition: number): Promise<string[]> {
  const activations = (await store.readStream(policyStream)).filter((event) => event.type === 'PolicyActivated' && event.position < storePosition);
  const policyHash = (activations.at(-1)?.data as { policyHash?: unknown } | undefined)?.policyHash;
  return typeof policyHash === 'string' ? [policyHash] : [];
}

