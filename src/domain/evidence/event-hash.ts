/**
 * The hash chain over the global order: each event's hash covers its canonical content (RFC 8785)
 * and the hash of the event before it, so editing, deleting, reordering or inserting any event
 * changes every hash after it.
 */
import * as crypto from 'node:crypto';
import { createCanonicalByteWriter } from './canonical-bytes.js';
import { fastCanonicalJson, fastCanonicalJsonOfMembers } from './canonical-json.js';

/** The hash that precedes position 1. */
export const genesisHash = '0'.repeat(64);

export interface HashableEvent {
  readonly streamName: string;
  readonly revision: number;
  readonly position: number;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly recordedAt: string;
}

/** RFC 8785 JSON; identical to the `canonicalize` package (referenceCanonicalJson), only faster. */
export function canonicalJson(value: unknown): string {
  return fastCanonicalJson(value);
}

/**
 * One-shot `crypto.hash` (Node ≥ 20.12) skips building a Hash object per call, which costs more than
 * hashing an event's few hundred bytes; older Node 20 releases take the streaming API. Same digest.
 */
const oneShotHash: ((algorithm: string, data: string | Uint8Array, encoding: 'hex') => string) | undefined =
  typeof crypto.hash === 'function' ? crypto.hash : undefined;

export function sha256Hex(input: string | Uint8Array): string {
  if (oneShotHash) return oneShotHash('sha256', input, 'hex');
  return crypto.createHash('sha256').update(input).digest('hex');
}

export function eventContentOf(event: HashableEvent): HashableEvent {
  const { streamName, revision, position, type, data, metadata, recordedAt } = event;
  return { streamName, revision, position, type, data, metadata, recordedAt };
}

/** The fields of `eventContentOf`, in RFC 8785 (UTF-16) order. */
const contentKeys: readonly (keyof HashableEvent)[] = ['data', 'metadata', 'position', 'recordedAt', 'revision', 'streamName', 'type'];

/** Equal to hashing `canonicalJson(eventContentOf(event))`, without copying the event first. */
export function chainHash(prevHash: string, event: HashableEvent): string {
  return sha256Hex(`${prevHash}\n${fastCanonicalJsonOfMembers(event as unknown as Readonly<Record<string, unknown>>, contentKeys)}`);
}

export interface ChainHasher {
  /** Equal to `chainHash(prevHash, event)`. */
  hash(prevHash: string, event: HashableEvent): string;
}

/**
 * `chainHash` for hashing many events in a row (verification): the canonical text is written as
 * UTF-8 into one reused buffer instead of being built as a string, about twice as fast. Values that
 * are not plain JSON take `chainHash` itself, so both always give the same hash (or the same error).
 */
export function createChainHasher(): ChainHasher {
  const writer = createCanonicalByteWriter();
  return {
    hash(prevHash, event) {
      const bytes = writer.membersAfterLine(prevHash, event as unknown as Readonly<Record<string, unknown>>, contentKeys);
      return bytes === undefined ? chainHash(prevHash, event) : sha256Hex(bytes);
    },
  };
}
