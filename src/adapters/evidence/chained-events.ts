/**
 * Reads the global log with every event's place in the evidence chain: its evidence sequence number and
 * its chain hash, page by page (bounded memory).
 *
 * Evidence numbers events by its own sequence (1, 2, 3… over this gateway's events in log order), never
 * by store positions: on EventStoreDB positions are byte offsets and `$all` holds other events too. A
 * store that numbers its events densely and chains them in its append transaction (SQLite) keeps its
 * own numbers and hashes — they are the sequence, re-checked on the way, and a number missing there is a
 * deleted event. A store that cannot chain (EventStoreDB: no transaction spans `$all`) gets numbers and
 * hashes here, counted and chained forward from an anchor: the last seal before the range (its
 * `toPosition`, `toStorePosition` and `lastEventHash`), or genesis.
 *
 * The trade-off: for such stores the chain only exists from the moment a sealer computes it, so a
 * change made to the store before the first seal covering an event goes unnoticed; once sealed, any
 * change shows (docs/evidence.md).
 */
import { LedgergateError } from '../../domain/errors.js';
import { createChainHasher, genesisHash, type ChainHasher } from '../../domain/evidence/event-hash.js';
import type { EventStore, RecordedEvent } from '../../domain/ports.js';

/** `position` is the evidence sequence number; `storePosition` is where the store keeps the event. */
export type ChainedEvent = RecordedEvent & { readonly hash: string; readonly prevHash: string; readonly storePosition: number };

/** A point in the chain to continue from: the event numbered `sequence`, kept at `storePosition`, hashing to `hash`. */
export interface ChainAnchor {
  readonly sequence: number;
  readonly storePosition: number;
  readonly hash: string;
}

export const genesisAnchor: ChainAnchor = { sequence: 0, storePosition: 0, hash: genesisHash };

export interface ChainedReadOptions {
  readonly anchor: ChainAnchor;
  /** Stop after the event at this store position (inclusive); default: the end of the log. */
  readonly untilStorePosition?: number;
  readonly pageSize?: number;
  /** Recompute stored hashes and fail on any mismatch (the sealer never signs what it has not checked). */
  readonly verifyStoredHashes?: boolean;
  /**
   * Pass over missing numbers of a densely numbered store instead of failing (the export: the bundle
   * then shows the store as it is, and verification names the missing event, rather than the auditor
   * getting no bundle at all).
   */
  readonly tolerateGaps?: boolean;
  /** Longest run of work between two turns of the event loop, in ms (default `defaultSliceMs`). */
  readonly sliceMs?: number;
  /**
   * After a slice whose turn found other work waiting (the turn took `busyTurnMs` or more), leave the
   * event loop free this long (ms) before the next: the sealer's read, a background chore that must not
   * take half the loop from requests while it runs, yet goes at full speed on an idle gateway.
   */
  readonly restMs?: number;
  /** The clock the slices are measured with (tests pass their own). */
  readonly now?: () => number;
}

/**
 * Why the read lets the event loop turn every few milliseconds, not only between pages: the sealer
 * reads every event since the last seal and recomputes its hash, and a page of 1,000 events with
 * delivered results (each parsed whole and canonicalised for its hash) held the event loop 120–230 ms
 * — the stalls behind the bench's "beside heavy statements" p99 over 100 ms, every seal, about every
 * two seconds under load (bench/README.md, "The sealer held the event loop"). One event is still
 * hashed in one go: a 1 MB statement takes a few milliseconds.
 */
export const defaultSliceMs = 2;
/** A turn of the event loop that took this long (ms) ran other work: the loop is busy. */
const busyTurnMs = 1;

export async function* readChainedEvents(store: EventStore, options: ChainedReadOptions): AsyncGenerator<ChainedEvent> {
  const pageSize = options.pageSize ?? 1000;
  const until = options.untilStorePosition ?? Number.MAX_SAFE_INTEGER;
  let cursor = options.anchor.storePosition;
  let sequence = options.anchor.sequence;
  let prevHash = options.anchor.hash;
  // Canonical bytes written into one reused buffer: about twice as fast as building each as a string.
  const hasher = createChainHasher();
  const now = options.now ?? (() => performance.now());
  const sliceMs = options.sliceMs ?? defaultSliceMs;
  let turnStarted = now();
  const turnIfLong = async (): Promise<void> => {
    if (now() - turnStarted < sliceMs) return;
    const yielded = now();
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (options.restMs && now() - yielded >= busyTurnMs) await new Promise<void>((resolve) => setTimeout(resolve, options.restMs));
    turnStarted = now();
  };
  while (cursor < until) {
    // Requests waiting on the event loop go between slices of the work (defaultSliceMs says why).
    await turnIfLong();
    const page = await store.readAll({ from: cursor, maxCount: pageSize });
    if (page.length === 0) return;
    for (const event of page) {
      if (event.position > until) return;
      const expected = sequence + 1;
      // A store with its own chain numbers densely: its number is the sequence, a gap is a deleted event.
      const number = event.hash === undefined ? expected : event.position;
      if (number !== expected && !(options.tolerateGaps && number > expected)) {
        throw new LedgergateError('internal', `Event log skips from position ${sequence} to ${number} (event ${expected} is missing)`, {
          position: expected,
        });
      }
      const chained = chain(hasher, { ...event, position: number, storePosition: event.position }, prevHash, options.verifyStoredHashes ?? false);
      prevHash = chained.hash;
      sequence = number;
      cursor = event.position;
      yield chained;
      await turnIfLong();
    }
  }
}

function chain(hasher: ChainHasher, event: RecordedEvent & { storePosition: number }, prevHash: string, verify: boolean): ChainedEvent {
  if (event.hash === undefined) return { ...event, prevHash, hash: hasher.hash(prevHash, event) };
  if (verify && (event.prevHash !== prevHash || hasher.hash(prevHash, event) !== event.hash)) {
    throw new LedgergateError('internal', `Event log hash chain is broken at position ${event.position}; refusing to seal`, {
      position: event.position,
    });
  }
  return { ...event, prevHash: event.prevHash ?? prevHash, hash: event.hash };
}
