/**
 * A thread for bundle file verification (see chain-hash-pool.ts): it receives the exact text of each
 * event the verifier's thread parsed, parses it again and recomputes its chain hash. JSON.parse of
 * the same text gives the same value, so what is hashed here is what the verifier checks. Holds no
 * state beyond its hasher's buffer.
 */
import { parentPort } from 'node:worker_threads';
import { createChainHasher, type HashableEvent } from '../../domain/evidence/event-hash.js';

export interface ChainHashRequest {
  readonly id: number;
  readonly texts: readonly string[];
}

export interface ChainHashAnswer {
  readonly id: number;
  /** 64 characters per text: its chain hash, or UNHASHED. One string: cheaper to pass than many. */
  readonly hashes: string;
}

/** In place of the hash of a text that is not an event that hashes (never a hex digest). */
export const UNHASHED = '-'.repeat(64);

const hasher = createChainHasher();

const hashOf = (text: string): string => {
  try {
    const event: unknown = JSON.parse(text);
    if (event === null || typeof event !== 'object') return UNHASHED;
    const { prevHash } = event as { prevHash?: unknown };
    return typeof prevHash === 'string' ? hasher.hash(prevHash, event as HashableEvent) : UNHASHED;
  } catch {
    return UNHASHED;
  }
};

parentPort?.on('message', ({ id, texts }: ChainHashRequest) => {
  const answer: ChainHashAnswer = { id, hashes: texts.map(hashOf).join('') };
  parentPort?.postMessage(answer);
});
