/**
 * A seal commits, under the gateway's signature, to a contiguous range of the hash chain: the Merkle
 * root over the range's event hashes, the last hash (which by the chain commits to everything before
 * it) and the previous seal (so seals form a chain of their own and none can be dropped unnoticed).
 */
import type { Sealed } from '../events/system-events.js';
import { canonicalJson, sha256Hex } from './event-hash.js';

/** Stream the sealer appends `Sealed` events to; the expected revision serialises competing sealers. */
export const sealStreamName = 'evidence-seals';

export interface SealBody {
  readonly fromPosition: number;
  readonly toPosition: number;
  readonly count: number;
  readonly merkleRoot: string;
  readonly lastEventHash: string;
  readonly previousSealHash?: string;
  /** Store position of the event numbered toPosition (positions are not evidence numbers on every store). */
  readonly toStorePosition?: number;
  readonly keyId: string;
}

/** The signed part of a seal: every field except the signature itself. */
export function sealBodyOf(seal: Sealed | SealBody): SealBody {
  const { fromPosition, toPosition, count, merkleRoot, lastEventHash, previousSealHash, toStorePosition, keyId } = seal;
  return {
    fromPosition,
    toPosition,
    count,
    merkleRoot,
    lastEventHash,
    ...(previousSealHash === undefined ? {} : { previousSealHash }),
    ...(toStorePosition === undefined ? {} : { toStorePosition }),
    keyId,
  };
}

/** The bytes the gateway signs (compact JWS payload): RFC 8785 JSON of the body, UTF-8. */
export function sealSigningInput(body: SealBody): Uint8Array {
  return new TextEncoder().encode(canonicalJson(sealBodyOf(body)));
}

/** What the next seal names as `previousSealHash`: covers the whole seal, signature included. */
export function sealHash(seal: Sealed): string {
  return sha256Hex(canonicalJson(seal));
}

export function sealWithSignature(body: SealBody, signature: string): Sealed {
  return { ...sealBodyOf(body), signature };
}
