/**
 * Compiled table globs for one policy. parsePolicy attaches them to the (frozen) policy object it
 * returns, so evaluation compiles nothing; a policy built by hand is compiled on each evaluation.
 * The cache lives on the policy itself, never in module state.
 */
import { compileGlobs, type TableMatcher } from './glob.js';
import type { Policy } from './types.js';

export interface MaskColumnMatcher {
  readonly matchesTable: TableMatcher;
  /** Lower-cased: BigQuery column names are case-insensitive. */
  readonly column: string;
}

export interface PolicyMatchers {
  /** Indexed like `policy.rules`; undefined when the rule has no `tables`. */
  readonly ruleTables: readonly (TableMatcher | undefined)[];
  readonly maskColumns: readonly MaskColumnMatcher[];
}

const matchersKey = Symbol('ledgergate.policy.matchers');

type WithMatchers = { readonly [matchersKey]?: PolicyMatchers };

export function compileMatchers(policy: Policy): PolicyMatchers {
  return {
    ruleTables: policy.rules.map((rule) => (rule.match.tables ? compileGlobs(rule.match.tables) : undefined)),
    maskColumns: policy.masking.columns.map((entry) => ({
      matchesTable: compileGlobs([entry.table]),
      column: entry.column.toLowerCase(),
    })),
  };
}

/** Attaches compiled matchers (non-enumerable: invisible to JSON and equality checks). Call before freezing. */
export function attachMatchers<T extends Policy>(policy: T): T {
  Object.defineProperty(policy, matchersKey, { value: compileMatchers(policy), enumerable: false });
  return policy;
}

export function matchersOf(policy: Policy): PolicyMatchers {
  return (policy as Policy & WithMatchers)[matchersKey] ?? compileMatchers(policy);
}
