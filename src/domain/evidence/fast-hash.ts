/**
 * Kept for the callers that named the fast path explicitly: canonicalJson and chainHash in
 * event-hash.ts now use the fast canonicaliser themselves (canonical-json.ts), so these are the same
 * functions.
 */
export { fastCanonicalJson } from './canonical-json.js';
export { chainHash as fastChainHash } from './event-hash.js';
