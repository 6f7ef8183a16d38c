/**
 * The first pass of verification, one event at a time (so a bundle can be streamed through it):
 * gap-free positions, each event's hash recomputed from its content and prevHash, and each prevHash
 * equal to the hash before it. Keeps 32 bytes per event for the seal checks that follow, and the
 * counters of the auditor's summary.
 */
import { createChainHasher, type ChainHasher, type HashableEvent } from './event-hash.js';

export interface VerifyFailure {
  readonly kind: 'event' | 'seal' | 'manifest';
  readonly position?: number;
  readonly streamName?: string;
  readonly type?: string;
  readonly message: string;
}

export interface ChainedRange {
  readonly count: number;
  readonly firstPosition?: number;
  readonly lastPosition?: number;
  readonly firstPrevHash?: string;
  readonly firstHash?: string;
  readonly lastHash?: string;
  /** Chain hash of the event at `position`, when that position is inside the range. */
  hashAt(position: number): Buffer | undefined;
}

export interface ActivitySummary {
  readonly requests: number;
  readonly requestsByDecision: Record<string, number>;
  readonly approvals: number;
  readonly rejections: number;
  readonly expiredApprovals: number;
  readonly maskedColumns: number;
  readonly policiesActivated: readonly string[];
  /** Positions of `Sealed` events inside the range, to match against the bundle's seal list. */
  readonly sealEventPositions: ReadonlyMap<number, RecordedSeal>;
}

export interface RecordedSeal {
  readonly streamName: string;
  readonly data: unknown;
}

export interface EventChainCheck {
  /**
   * `recomputed`, when given, is `chainHash(event.prevHash, event)` computed elsewhere (a thread that
   * parsed the same text), or '' where that threw; otherwise the hash is computed here.
   */
  add(event: unknown, recomputed?: string): void;
  /** The same checks as `add` for an event whose link was taken where it was parsed (`linkOf`). */
  addLink(link: ChainLink): void;
  readonly failures: VerifyFailure[];
  range(): ChainedRange;
  activity(): ActivitySummary;
}

/**
 * Everything the ordered checks read of an event that has an event's shape: so an event can be
 * parsed and hashed on one thread and checked in file order on another, without being parsed twice.
 */
export interface ChainLink {
  readonly position: number;
  readonly streamName: string;
  readonly type: string;
  readonly hash: string;
  readonly prevHash: string;
  /** `chainHash(prevHash, event)`; undefined where computing it threw. */
  readonly recomputed: string | undefined;
  /** What the auditor's counters read of the event's data (`tallyFactOf`). */
  readonly fact: TallyFact;
}

/**
 * The values of an event's data its type is counted by, in a fixed number per type (`tallyArity`):
 * decisions [requestId, effect], ResultMasked [number of masked columns], PolicyActivated
 * [policyHash], Sealed [data]; each undefined where the data does not hold it. Plain values, so a
 * worker thread can hand them over.
 */
export type TallyFact = readonly unknown[];

const noFact: TallyFact = [];

/** How many values `tallyFactOf` gives for an event of this type. */
export function tallyArity(type: string): number {
  switch (type) {
    case 'PolicyEvaluated':
    case 'QueryReevaluated':
      return 2;
    case 'ResultMasked':
    case 'PolicyActivated':
    case 'Sealed':
      return 1;
    default:
      return 0;
  }
}

export function tallyFactOf(type: string, eventData: unknown): TallyFact {
  const data = (eventData ?? {}) as Record<string, unknown>;
  switch (type) {
    case 'PolicyEvaluated':
    case 'QueryReevaluated':
      return [typeof data.requestId === 'string' ? data.requestId : undefined, typeof data.effect === 'string' ? data.effect : undefined];
    case 'ResultMasked':
      return [Array.isArray(data.maskedColumns) ? data.maskedColumns.length : undefined];
    case 'PolicyActivated':
      return [typeof data.policyHash === 'string' ? data.policyHash : undefined];
    case 'Sealed':
      return [eventData];
    default:
      return noFact;
  }
}

/**
 * The link of a parsed event when it has an event's shape and its hash is the one recomputed here
 * (the case of every intact event), else undefined: the caller then hands the event itself to `add`,
 * which reports what is wrong with it. Pure apart from the hasher's buffer.
 */
export function intactLinkOf(raw: unknown, hasher: ChainHasher): ChainLink | undefined {
  const event = raw as Partial<EventShape> | undefined;
  if (shapeProblem(event) !== undefined) return undefined;
  const valid = event as EventShape;
  let recomputed: string;
  try {
    recomputed = hasher.hash(valid.prevHash, valid);
  } catch {
    return undefined;
  }
  if (recomputed !== valid.hash) return undefined;
  return linkOf(valid, recomputed);
}

function linkOf(valid: EventShape, recomputed: string | undefined): ChainLink {
  return {
    position: valid.position,
    streamName: valid.streamName,
    type: valid.type,
    hash: valid.hash,
    prevHash: valid.prevHash,
    recomputed,
    fact: tallyFactOf(valid.type, valid.data),
  };
}

const HASH = /^[0-9a-f]{64}$/;

/** The value of a lowercase hex digit's character code. */
const hexValue = (code: number): number => (code <= 0x39 ? code - 0x30 : code - 0x57);

export function createEventChainCheck(): EventChainCheck {
  const hasher = createChainHasher();
  const failures: VerifyFailure[] = [];
  let hashes = Buffer.alloc(32 * 1024);
  let count = 0;
  let firstPosition: number | undefined;
  let expectedPosition: number | undefined;
  let firstPrevHash: string | undefined;
  let firstHash: string | undefined;
  let lastHash: string | undefined;
  let lastPosition: number | undefined;

  let requests = 0;
  let approvals = 0;
  let rejections = 0;
  let expiredApprovals = 0;
  let maskedColumns = 0;
  const decisions = new Map<string, string>();
  const policiesActivated: string[] = [];
  const sealEventPositions = new Map<number, RecordedSeal>();

  const fail = (event: { readonly streamName?: unknown; readonly type?: unknown } | undefined, position: number | undefined, message: string): void => {
    failures.push({
      kind: 'event',
      position,
      streamName: typeof event?.streamName === 'string' ? event.streamName : undefined,
      type: typeof event?.type === 'string' ? event.type : undefined,
      message,
    });
  };

  const keepHash = (hash: string): void => {
    if ((count + 1) * 32 > hashes.length) {
      const grown = Buffer.alloc(hashes.length * 2);
      hashes.copy(grown);
      hashes = grown;
    }
    // A loop over the 64 lowercase hex digits (checked before) costs less than Buffer#write's call.
    const at = count * 32;
    for (let i = 0; i < 32; i++) hashes[at + i] = (hexValue(hash.charCodeAt(2 * i)) << 4) | hexValue(hash.charCodeAt(2 * i + 1));
  };

  const tally = (link: ChainLink): void => {
    const { fact } = link;
    switch (link.type) {
      case 'QueryRequested':
        requests += 1;
        break;
      case 'PolicyEvaluated':
      case 'QueryReevaluated':
        if (typeof fact[0] === 'string' && typeof fact[1] === 'string') decisions.set(fact[0], fact[1]);
        break;
      case 'QueryApproved':
        approvals += 1;
        break;
      case 'QueryRejected':
        rejections += 1;
        break;
      case 'ApprovalExpired':
        expiredApprovals += 1;
        break;
      case 'ResultMasked':
        if (typeof fact[0] === 'number') maskedColumns += fact[0];
        break;
      case 'PolicyActivated':
        if (typeof fact[0] === 'string') policiesActivated.push(fact[0]);
        break;
      case 'Sealed':
        sealEventPositions.set(link.position, { streamName: link.streamName, data: fact[0] });
        break;
    }
  };

  const addLink = (link: ChainLink): void => {
    const { recomputed } = link;
    // A hash equal to the recomputed one, or a prevHash equal to the previous event's (already
    // checked) hash, is 64 lowercase hex by construction; only the others need the pattern test.
    const hashProblem = hashFormatProblem(link, recomputed, lastHash);
    if (hashProblem !== undefined) {
      fail(link, link.position, hashProblem);
      return;
    }
    if (expectedPosition !== undefined && link.position !== expectedPosition) {
      if (link.position > expectedPosition) {
        const missing = link.position - expectedPosition === 1 ? `${expectedPosition}` : `${expectedPosition}–${link.position - 1}`;
        fail(undefined, expectedPosition, `event at position ${missing} is missing (next event found is position ${link.position}: deleted or reordered)`);
      } else {
        fail(link, link.position, `position ${link.position} appears again after ${expectedPosition - 1} (inserted, duplicated or reordered event)`);
      }
    }
    if (recomputed !== link.hash) {
      fail(link, link.position, 'content does not match its hash (event modified)');
    } else if (lastHash !== undefined && link.prevHash !== lastHash) {
      fail(link, link.position, "prevHash does not match the previous event's hash (chain broken: event inserted, deleted or reordered)");
    }
    if (firstPosition === undefined) {
      firstPosition = link.position;
      firstPrevHash = link.prevHash;
      firstHash = link.hash;
    }
    keepHash(link.hash);
    count += 1;
    lastHash = link.hash;
    lastPosition = link.position;
    expectedPosition = Math.max(expectedPosition ?? 0, link.position + 1);
    tally(link);
  };

  return {
    failures,
    add(raw, given) {
      const event = raw as Partial<EventShape> | undefined;
      const problem = shapeProblem(event);
      const position = typeof event?.position === 'number' ? event.position : undefined;
      if (problem !== undefined) {
        fail(event, position ?? expectedPosition, problem);
        return;
      }
      const valid = event as EventShape;
      let recomputed: string | undefined;
      if (given !== undefined) {
        recomputed = given === '' ? undefined : given;
      } else {
        try {
          recomputed = hasher.hash(valid.prevHash, valid);
        } catch {
          recomputed = undefined;
        }
      }
      addLink(linkOf(valid, recomputed));
    },
    addLink,
    range: () => ({
      count,
      firstPosition,
      lastPosition,
      firstPrevHash,
      firstHash,
      lastHash,
      hashAt(position) {
        if (firstPosition === undefined) return undefined;
        const index = position - firstPosition;
        if (!Number.isInteger(index) || index < 0 || index >= count) return undefined;
        return hashes.subarray(index * 32, index * 32 + 32);
      },
    }),
    activity() {
      const requestsByDecision: Record<string, number> = { allow: 0, deny: 0, approve: 0 };
      for (const effect of decisions.values()) requestsByDecision[effect] = (requestsByDecision[effect] ?? 0) + 1;
      return { requests, requestsByDecision, approvals, rejections, expiredApprovals, maskedColumns, policiesActivated, sealEventPositions };
    },
  };
}

/** A bundle event: the hashed content plus its place in the chain. */
interface EventShape extends HashableEvent {
  readonly hash: string;
  readonly prevHash: string;
}

function shapeProblem(event: Partial<EventShape> | undefined): string | undefined {
  if (!event || typeof event !== 'object' || Array.isArray(event)) return 'not an event object';
  if (!Number.isSafeInteger(event.position) || (event.position as number) < 1) return 'position is not a positive integer';
  if (typeof event.streamName !== 'string' || typeof event.type !== 'string') return 'streamName or type missing';
  if (!Number.isSafeInteger(event.revision) || typeof event.recordedAt !== 'string') return 'revision or recordedAt missing';
  if (typeof event.hash !== 'string') return 'hash missing or malformed';
  if (typeof event.prevHash !== 'string') return 'prevHash missing or malformed';
  return undefined;
}

/** The rest of the shape check, after the hash is recomputed: the same answers as testing both fields against HASH. */
function hashFormatProblem(event: Pick<EventShape, 'hash' | 'prevHash'>, recomputed: string | undefined, previousHash: string | undefined): string | undefined {
  if (event.hash !== recomputed && !HASH.test(event.hash)) return 'hash missing or malformed';
  if (event.prevHash !== previousHash && !HASH.test(event.prevHash)) return 'prevHash missing or malformed';
  return undefined;
}
