/**
 * The hash chain over the global order: each event's hash covers its canonical content (RFC 8785)
 * and the hash of the event before it, so editing, deleting, reordering or inserting any event
 * changes every hash after it.
 */
import { createHash } from 'node:crypto';
import { fastCanonicalJson } from './canonical-json.js';

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

export function sha256Hex(input: string | Uint8Array): string {
  return createHash('sha256').update(input).digest('hex');
}

export function eventContentOf(event: HashableEvent): HashableEvent {
  const { streamName, revision, position, type, data, metadata, recordedAt } = event;
  return { streamName, revision, position, type, data, metadata, recordedAt };
}

export function chainHash(prevHash: string, event: HashableEvent): string {
  return sha256Hex(`${prevHash}\n${canonicalJson(eventContentOf(event))}`);
}
