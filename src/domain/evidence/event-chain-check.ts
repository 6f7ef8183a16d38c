/**
 * The first pass of verification, one event at a time (so a bundle can be streamed through it):
 * gap-free positions, each event's hash recomputed from its content and prevHash, and each prevHash
 * equal to the hash before it. Keeps 32 bytes per event for the seal checks that follow, and the
 * counters of the auditor's summary.
 */
import { createChainHasher, type HashableEvent } from './event-hash.js';

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
  add(event: unknown): void;
  readonly failures: VerifyFailure[];
  range(): ChainedRange;
  activity(): ActivitySummary;
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

  const fail = (event: Partial<EventShape> | undefined, position: number | undefined, message: string): void => {
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

  const tally = (event: EventShape): void => {
    const data = (event.data ?? {}) as Record<string, unknown>;
    switch (event.type) {
      case 'QueryRequested':
        requests += 1;
        break;
      case 'PolicyEvaluated':
      case 'QueryReevaluated':
        if (typeof data.requestId === 'string' && typeof data.effect === 'string') decisions.set(data.requestId, data.effect);
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
        if (Array.isArray(data.maskedColumns)) maskedColumns += data.maskedColumns.length;
        break;
      case 'PolicyActivated':
        if (typeof data.policyHash === 'string') policiesActivated.push(data.policyHash);
        break;
      case 'Sealed':
        sealEventPositions.set(event.position, { streamName: event.streamName, data: event.data });
        break;
    }
  };

  return {
    failures,
    add(raw) {
      const event = raw as Partial<EventShape> | undefined;
      const problem = shapeProblem(event);
      const position = typeof event?.position === 'number' ? event.position : undefined;
      if (problem !== undefined) {
        fail(event, position ?? expectedPosition, problem);
        return;
      }
      const valid = event as EventShape;
      let recomputed: string | undefined;
      try {
        recomputed = hasher.hash(valid.prevHash, valid);
      } catch {
        recomputed = undefined;
      }
      // A hash equal to the recomputed one, or a prevHash equal to the previous event's (already
      // checked) hash, is 64 lowercase hex by construction; only the others need the pattern test.
      const hashProblem = hashFormatProblem(valid, recomputed, lastHash);
      if (hashProblem !== undefined) {
        fail(valid, valid.position, hashProblem);
        return;
      }
      if (expectedPosition !== undefined && valid.position !== expectedPosition) {
        if (valid.position > expectedPosition) {
          const missing = valid.position - expectedPosition === 1 ? `${expectedPosition}` : `${expectedPosition}–${valid.position - 1}`;
          fail(undefined, expectedPosition, `event at position ${missing} is missing (next event found is position ${valid.position}: deleted or reordered)`);
        } else {
          fail(valid, valid.position, `position ${valid.position} appears again after ${expectedPosition - 1} (inserted, duplicated or reordered event)`);
        }
      }
      if (recomputed !== valid.hash) {
        fail(valid, valid.position, 'content does not match its hash (event modified)');
      } else if (lastHash !== undefined && valid.prevHash !== lastHash) {
        fail(valid, valid.position, "prevHash does not match the previous event's hash (chain broken: event inserted, deleted or reordered)");
      }
      if (firstPosition === undefined) {
        firstPosition = valid.position;
        firstPrevHash = valid.prevHash;
        firstHash = valid.hash;
      }
      keepHash(valid.hash);
      count += 1;
      lastHash = valid.hash;
      lastPosition = valid.position;
      expectedPosition = Math.max(expectedPosition ?? 0, valid.position + 1);
      tally(valid);
    },
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
function hashFormatProblem(event: EventShape, recomputed: string | undefined, previousHash: string | undefined): string | undefined {
  if (event.hash !== recomputed && !HASH.test(event.hash)) return 'hash missing or malformed';
  if (event.prevHash !== previousHash && !HASH.test(event.prevHash)) return 'prevHash missing or malformed';
  return undefined;
}
