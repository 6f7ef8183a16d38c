/**
 * Event ids and large payloads on EventStoreDB.
 *
 * Ids are derived from what is appended (stream, expected revision, place in the batch, content), so a
 * retry of the same append after a timeout carries the same ids and the server's idempotency check
 * answers it as already written, instead of writing it twice or reporting a conflict.
 *
 * The server refuses appends over its maximum append size (1 MiB by default) while a delivered result
 * may be 10 MiB. A payload over `inlineLimit` is therefore stored by content hash: its JSON goes, in
 * parts small enough for one append each, to the stream `ledgergate-content-<sha256>`, and the event
 * itself carries a reference. Reading puts the payload back and checks its hash, so every reader — the
 * evidence chain among them — sees and hashes the full payload, exactly as with the embedded store.
 */
import { createHash } from 'node:crypto';
import { LedgergateError } from '../../domain/errors.js';
import { canonicalJson } from '../../domain/evidence/event-hash.js';
import type { ExpectedRevision } from '../../domain/ports.js';

/** Metadata key that tells this gateway's events from other applications' events in `$all`. */
export const ownerKey = '$ledgergate';
export const eventMarker = 'event';
export const contentMarker = 'content';
export const contentChunkType = 'LedgergateContentChunk';
export const contentStreamPrefix = 'ledgergate-content-';

export const defaultInlineLimit = 256 * 1024;
const partBytes = 192 * 1024;

export interface ContentReference {
  readonly $ledgergateContent: string;
  readonly bytes: number;
  readonly parts: number;
}

export function deterministicEventId(stream: string, expected: ExpectedRevision, index: number, type: string, data: unknown, metadata: unknown): string {
  const digest = createHash('sha256').update(`${stream}\n${String(expected)}\n${index}\n${type}\n${canonicalJson(data)}\n${canonicalJson(metadata)}`).digest('hex');
  return uuidFromHex(digest);
}

/** An RFC 4122 layout (version 5 nibble, variant 10) over the first 128 bits of a SHA-256. */
function uuidFromHex(hex: string): string {
  const v = `5${hex.slice(13, 16)}`;
  const variant = ((parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16) + hex.slice(17, 20);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${v}-${variant}-${hex.slice(20, 32)}`;
}

export interface ContentPart {
  readonly stream: string;
  readonly id: string;
  readonly data: { readonly index: number; readonly part: string };
}

/** Splits a payload's JSON into parts; the reference replaces the payload in the event. */
export function externalise(json: string): { reference: ContentReference; parts: ContentPart[] } {
  const bytes = Buffer.from(json, 'utf8');
  const hash = createHash('sha256').update(bytes).digest('hex');
  const stream = `${contentStreamPrefix}${hash}`;
  const parts: ContentPart[] = [];
  for (let offset = 0, index = 0; offset < bytes.length; offset += partBytes, index++) {
    parts.push({
      stream,
      id: uuidFromHex(createHash('sha256').update(`${hash}\n${index}`).digest('hex')),
      data: { index, part: bytes.subarray(offset, offset + partBytes).toString('base64') },
    });
  }
  return { reference: { $ledgergateContent: hash, bytes: bytes.length, parts: parts.length }, parts };
}

export function isContentReference(data: unknown): data is ContentReference {
  return typeof data === 'object' && data !== null && typeof (data as ContentReference).$ledgergateContent === 'string';
}

/** Puts a payload back together from its parts and checks it against the hash it is named by. */
export function reassemble(reference: ContentReference, parts: readonly unknown[]): unknown {
  const ordered = parts
    .filter((p): p is ContentPart['data'] => typeof (p as ContentPart['data'])?.part === 'string')
    .slice(0, reference.parts)
    .sort((a, b) => a.index - b.index);
  const bytes = Buffer.concat(ordered.map((p) => Buffer.from(p.part, 'base64')));
  const hash = createHash('sha256').update(bytes).digest('hex');
  if (ordered.length !== reference.parts || hash !== reference.$ledgergateContent) {
    throw new LedgergateError('invalid_event', `Stored content ${reference.$ledgergateContent} is incomplete or altered`, {
      content: reference.$ledgergateContent,
    });
  }
  return JSON.parse(bytes.toString('utf8')) as unknown;
}
