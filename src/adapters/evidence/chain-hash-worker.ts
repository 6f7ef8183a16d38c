/**
 * A thread for bundle file verification (see chain-hash-pool.ts): it receives the exact text of each
 * event the verifier's thread found, parses it, recomputes its chain hash and answers with the event's
 * link in the chain (position, stream, type, hashes, the values the summary counts) — so the
 * verifier's thread checks the chain in file order without parsing the event itself. An event that is
 * not intact (a text that does not parse, a wrong shape, a hash that differs) is answered "not
 * linked", and the verifier's thread parses and checks that one itself, reporting what is wrong
 * exactly as on one thread. Holds no state beyond its hasher's buffer.
 */
import { parentPort } from 'node:worker_threads';
import { intactLinkOf, tallyArity } from '../../domain/evidence/event-chain-check.js';
import { createChainHasher } from '../../domain/evidence/event-hash.js';

export interface ChainHashRequest {
  readonly id: number;
  readonly texts: readonly string[];
}

/**
 * Flat, because the structured clone of a few arrays of strings and numbers costs a fraction of one
 * object per event. For text i: `positions[i]` is its position, or NaN when it is not linked;
 * `hashes` holds 128 characters per text (hash then prevHash; filler where not linked); `values`
 * holds, for each linked text in order, its streamName, type and `tallyArity(type)` tally values.
 */
export interface ChainHashAnswer {
  readonly id: number;
  readonly positions: Float64Array;
  readonly hashes: string;
  readonly values: unknown[];
}

/** Where a text is not linked (never a pair of hex digests). */
export const UNLINKED = '-'.repeat(128);

const hasher = createChainHasher();

function answer({ id, texts }: ChainHashRequest): ChainHashAnswer {
  const positions = new Float64Array(texts.length);
  const hashes: string[] = [];
  const values: unknown[] = [];
  for (let i = 0; i < texts.length; i++) {
    let event: unknown;
    try {
      event = JSON.parse(texts[i] as string);
    } catch {
      event = undefined;
    }
    const link = event === undefined ? undefined : intactLinkOf(event, hasher);
    // A prevHash of another length fails its format check; the verifier's thread reports that itself.
    if (link === undefined || link.prevHash.length !== 64) {
      positions[i] = Number.NaN;
      hashes.push(UNLINKED);
      continue;
    }
    positions[i] = link.position;
    hashes.push(link.hash, link.prevHash);
    values.push(link.streamName, link.type);
    for (let k = 0; k < tallyArity(link.type); k++) values.push(link.fact[k]);
  }
  return { id, positions, hashes: hashes.join(''), values };
}

parentPort?.on('message', (request: ChainHashRequest) => {
  const reply = answer(request);
  parentPort?.postMessage(reply, [reply.positions.buffer as ArrayBuffer]);
});
