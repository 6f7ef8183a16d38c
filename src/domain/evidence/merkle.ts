/**
 * RFC 6962 Merkle tree hash (the one Certificate Transparency uses), so a seal's root can be checked
 * by any independent implementation: leaf = SHA-256(0x00 || leaf), node = SHA-256(0x01 || left || right),
 * split at the largest power of two smaller than n, empty tree = SHA-256("").
 *
 * The accumulator below builds the same root incrementally with O(log n) memory: it keeps the roots of
 * the perfect subtrees seen so far (sizes strictly decreasing, like the binary digits of n) and, at the
 * end, folds them right to left — exactly the RFC's left-heavy split.
 */
import { createHash } from 'node:crypto';

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

export function merkleLeafHash(leaf: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(leaf).digest();
}

export function merkleNodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

export const emptyMerkleRoot = (): Buffer => createHash('sha256').digest();

export interface MerkleAccumulator {
  /** Adds the next leaf's raw bytes (not yet leaf-hashed). */
  add(leaf: Uint8Array): void;
  /** Adds the next leaf given as a hex string (an event's chain hash). */
  addHex(leafHex: string): void;
  readonly size: number;
  /** The tree hash of every leaf added so far; the accumulator stays usable. */
  root(): Buffer;
  rootHex(): string;
}

export function createMerkleAccumulator(): MerkleAccumulator {
  const hashes: Buffer[] = [];
  const sizes: number[] = [];
  let size = 0;

  const add = (leaf: Uint8Array): void => {
    let hash = merkleLeafHash(leaf);
    let width = 1;
    while (sizes.length > 0 && sizes[sizes.length - 1] === width) {
      hash = merkleNodeHash(hashes.pop() as Buffer, hash);
      sizes.pop();
      width *= 2;
    }
    hashes.push(hash);
    sizes.push(width);
    size += 1;
  };

  const root = (): Buffer => {
    if (hashes.length === 0) return emptyMerkleRoot();
    let result = hashes[hashes.length - 1] as Buffer;
    for (let i = hashes.length - 2; i >= 0; i--) result = merkleNodeHash(hashes[i] as Buffer, result);
    return result;
  };

  return {
    add,
    addHex: (leafHex) => add(hexToBytes(leafHex)),
    get size() {
      return size;
    },
    root,
    rootHex: () => root().toString('hex'),
  };
}

export function merkleRoot(leaves: Iterable<Uint8Array>): Buffer {
  const accumulator = createMerkleAccumulator();
  for (const leaf of leaves) accumulator.add(leaf);
  return accumulator.root();
}

/** The root over events' chain hashes (hex), the value a seal carries. */
export function merkleRootOfHashes(leafHexes: Iterable<string>): string {
  const accumulator = createMerkleAccumulator();
  for (const leaf of leafHexes) accumulator.addHex(leaf);
  return accumulator.rootHex();
}

const HEX = /^(?:[0-9a-f]{2})*$/;

export function hexToBytes(hex: string): Buffer {
  if (!HEX.test(hex)) throw new TypeError('not a lower-case hex string of whole bytes');
  return Buffer.from(hex, 'hex');
}
