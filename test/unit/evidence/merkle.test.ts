import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  createMerkleAccumulator,
  merkleRoot,
  merkleRootOfHashes,
} from '../../../src/domain/evidence/merkle.js';

// RFC 6962 test vectors as published by Certificate Transparency (transparency-dev/merkle
// testonly constants): the leaves, then the tree head for each size 0..8.
const ctLeaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(
  (hex) => Buffer.from(hex, 'hex'),
);
const ctRoots = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

/** The RFC's recursive definition, written out literally, as a second opinion for larger trees. */
function referenceRoot(leaves: Buffer[]): Buffer {
  const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
  if (leaves.length === 0) return sha();
  if (leaves.length === 1) return sha(Buffer.from([0]), leaves[0] as Buffer);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha(Buffer.from([1]), referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

describe('RFC 6962 Merkle tree hash', () => {
  it('matches the Certificate Transparency tree heads for sizes 0 to 8', () => {
    for (let size = 0; size <= 8; size++) {
      assert.equal(merkleRoot(ctLeaves.slice(0, size)).toString('hex'), ctRoots[size], `size ${size}`);
    }
  });

  it('agrees with the recursive definition for every size up to 70 and some odd large ones', () => {
    const leaves = Array.from({ length: 1100 }, (_, i) => createHash('sha256').update(`leaf ${i}`).digest());
    for (const size of [...Array.from({ length: 71 }, (_, i) => i), 127, 128, 129, 1023, 1025, 1100]) {
      assert.equal(merkleRoot(leaves.slice(0, size)).toString('hex'), referenceRoot(leaves.slice(0, size)).toString('hex'), `size ${size}`);
    }
  });

  it('the accumulator gives the root of everything so far at any point and keeps going', () => {
    const accumulator = createMerkleAccumulator();
    for (let size = 1; size <= 8; size++) {
      accumulator.add(ctLeaves[size - 1] as Buffer);
      assert.equal(accumulator.size, size);
      assert.equal(accumulator.rootHex(), ctRoots[size]);
    }
  });

  it('takes event chain hashes as hex and rejects what is not hex', () => {
    const hashes = ['aa'.repeat(32), 'bb'.repeat(32), 'cc'.repeat(32)];
    assert.equal(merkleRootOfHashes(hashes), referenceRoot(hashes.map((h) => Buffer.from(h, 'hex'))).toString('hex'));
    assert.notEqual(merkleRootOfHashes(hashes), merkleRootOfHashes([hashes[1], hashes[0], hashes[2]] as string[]));
    assert.throws(() => merkleRootOfHashes(['not hex']), TypeError);
    assert.throws(() => merkleRootOfHashes(['AB']), TypeError);
  });
});
