/**
 * What a rebuild's read may leave out (EventStore.readForProjections): event data that none of the
 * folds being fed reads. Each persisted projection declares what it does not read; only what every
 * projection of a read leaves unread is left out, so one fold that reads more gets everything.
 * test/unit/projections/rebuild-read.test.ts rebuilds from this read and from `readAll` and compares
 * the tables: a fold that starts reading a member declared here makes it fail.
 */
import type { UnreadData } from '../domain/ports.js';

/**
 * Unread by all six read models: a delivered result's rows (only its type moves a status), an
 * analysis's per-statement detail (lineage of every output column: most of a wide query's bytes; the
 * folds read its summary: tables, kinds, estimates, planned masking), a policy decision's reasons.
 */
export const unreadByReadModels: UnreadData = {
  ResultDelivered: '*',
  QueryAnalysed: ['statements'],
  PolicyEvaluated: ['reasons', 'perStatement'],
};

/** What all of them leave unread: per type, the whole data only if all do, else the members all name. */
export function unreadByAll(declared: readonly (UnreadData | undefined)[]): UnreadData {
  if (declared.length === 0) return {};
  const [first, ...rest] = declared;
  const common: Record<string, '*' | readonly string[]> = {};
  for (const [type, members] of Object.entries(first ?? {})) {
    let shared: '*' | readonly string[] = members;
    for (const other of rest) {
      const theirs = other?.[type];
      if (theirs === undefined) {
        shared = [];
        break;
      }
      if (shared === '*') shared = theirs;
      else if (theirs !== '*') shared = shared.filter((m) => theirs.includes(m));
    }
    if (shared === '*' || shared.length > 0) common[type] = shared;
  }
  return common;
}
