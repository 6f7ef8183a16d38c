/**
 * Reads a range of the global log with every event's chain hash, page by page (bounded memory).
 *
 * Stores that chain in their append transaction (SQLite) hand the hashes over; they can be re-checked
 * on the way. Stores that cannot (EventStoreDB: no transaction spans $all) get the chain computed here,
 * after the fact, from the nearest seal before the range (its lastEventHash) or from genesis. The
 * trade-off: for such stores the chain only exists from the moment a sealer (one at a time, serialised
 * by the seal stream's expected revision) computes it, so a change made to the store before the first
 * seal covering an event goes unnoticed; once sealed, any change shows.
 */
import { LedgergateError } from '../../domain/errors.js';
import { genesisHash } from '../../domain/evidence/event-hash.js';
import { chainHash } from '../../domain/evidence/event-hash.js';
import type { Sealed } from '../../domain/events/system-events.js';
import type { EventStore, RecordedEvent } from '../../domain/ports.js';

export type ChainedEvent = RecordedEvent & { readonly hash: string; readonly prevHash: string };

export interface ChainedReadOptions {
  readonly fromPosition: number;
  /** Inclusive. */
  readonly toPosition: number;
  readonly pageSize?: number;
  /** Hash of the event at fromPosition - 1, when the caller knows it (the previous seal's lastEventHash). */
  readonly knownPrevHash?: string;
  /** Seals to start the after-the-fact chain from, for stores without hashes. */
  readonly seals?: readonly Sealed[];
  /** Recompute stored hashes and fail on any mismatch (the sealer never signs what it has not checked). */
  readonly verifyStoredHashes?: boolean;
  /**
   * Pass over missing positions instead of failing (the export: the bundle then shows the store as it
   * is, and verification names the missing position, rather than the auditor getting no bundle at all).
   */
  readonly tolerateGaps?: boolean;
}

export async function* readChainedEvents(store: EventStore, options: ChainedReadOptions): AsyncGenerator<ChainedEvent> {
  const pageSize = options.pageSize ?? 1000;
  let prevHash = options.knownPrevHash;
  let cursor = options.fromPosition - 1;
  while (cursor < options.toPosition) {
    const page = await store.readAll({ from: cursor, maxCount: Math.min(pageSize, options.toPosition - cursor) });
    if (page.length === 0) {
      throw new LedgergateError('internal', `Event log ends at position ${cursor}, before ${options.toPosition}`);
    }
    for (const event of page) {
      if (event.position !== cursor + 1 && !(options.tolerateGaps && event.position > cursor + 1)) {
        throw new LedgergateError('internal', `Event log skips from position ${cursor} to ${event.position} (event ${cursor + 1} is missing)`, {
          position: cursor + 1,
        });
      }
      if (prevHash === undefined) prevHash = event.prevHash ?? (await hashBefore(store, event.position, options.seals ?? [], pageSize));
      const chained = chain(event, prevHash, options.verifyStoredHashes ?? false);
      prevHash = chained.hash;
      cursor = event.position;
      yield chained;
      if (cursor >= options.toPosition) return;
    }
  }
}

function chain(event: RecordedEvent, prevHash: string, verify: boolean): ChainedEvent {
  if (event.hash === undefined) return { ...event, prevHash, hash: chainHash(prevHash, event) };
  if (verify && (event.prevHash !== prevHash || chainHash(prevHash, event) !== event.hash)) {
    throw new LedgergateError('internal', `Event log hash chain is broken at position ${event.position}; refusing to seal`, {
      position: event.position,
    });
  }
  return { ...event, prevHash: event.prevHash ?? prevHash, hash: event.hash };
}

/** The chain hash of the event at `position - 1`, computed forward from the nearest seal before it. */
async function hashBefore(store: EventStore, position: number, seals: readonly Sealed[], pageSize: number): Promise<string> {
  if (position <= 1) return genesisHash;
  const anchor = seals.filter((seal) => seal.toPosition < position).sort((a, b) => b.toPosition - a.toPosition)[0];
  let hash = anchor?.lastEventHash ?? genesisHash;
  let cursor = anchor?.toPosition ?? 0;
  while (cursor < position - 1) {
    const page = await store.readAll({ from: cursor, maxCount: Math.min(pageSize, position - 1 - cursor) });
    if (page.length === 0) throw new LedgergateError('internal', `Event log ends at position ${cursor}`);
    for (const event of page) {
      if (event.position !== cursor + 1) throw new LedgergateError('internal', `Event log skips from position ${cursor} to ${event.position}`);
      hash = event.hash ?? chainHash(hash, event);
      cursor = event.position;
      if (cursor >= position - 1) break;
    }
  }
  return hash;
}
