/**
 * Whether one rule matches one statement, and why. The conditions of a match are combined with AND.
 * Where the analysis cannot tell, allow rules do not match and approve/deny rules do (fail closed).
 */
import type { TableMatcher } from './glob.js';
import type { PolicyRule } from './types.js';
import type { StatementView } from './statement-view.js';
import { formatBytes } from './units.js';

export interface MatchContext {
  readonly groups: readonly string[];
  readonly bytesEstimate: number | undefined;
}

/** The reasons the rule matched, or undefined when it does not. */
export type RuleMatchResult = readonly string[] | undefined;

const list = (items: readonly string[]): string => items.join(', ');

function statementsPart(rule: PolicyRule, view: StatementView): string | undefined | null {
  const wanted = rule.match.statements;
  if (!wanted) return null;
  if (rule.effect === 'allow') {
    // An allow rule must cover everything the statement does, nested statements included.
    return view.kinds.every((kind) => wanted.includes(kind)) ? `statement kinds ${list(view.kinds)} all in [${list(wanted)}]` : undefined;
  }
  const hit = view.kinds.filter((kind) => wanted.includes(kind));
  return hit.length > 0 ? `statement kind ${list(hit)} in [${list(wanted)}]` : undefined;
}

function groupsPart(rule: PolicyRule, context: MatchContext): string | undefined | null {
  const wanted = rule.match.groups;
  if (!wanted) return null;
  const hit = wanted.filter((group) => context.groups.includes(group));
  return hit.length > 0 ? `caller in group ${list(hit)}` : undefined;
}

function tablesPart(rule: PolicyRule, view: StatementView, inside: TableMatcher | undefined): string | undefined | null {
  const globs = rule.match.tables;
  if (!globs || !inside) return null;
  if (rule.effect === 'allow') {
    if (!view.tablesKnown) return undefined;
    if (view.tables.length === 0) {
      // `SELECT 1` reads nothing; anything else without tables is a statement we do not understand.
      return view.kinds.every((kind) => kind === 'select') ? 'no tables referenced (plain select)' : undefined;
    }
    return view.tables.every(inside) ? `every table (${list(view.tables)}) inside [${list(globs)}]` : undefined;
  }
  if (!view.tablesKnown) return `tables could not be fully determined, treated as inside [${list(globs)}] (fail closed)`;
  const hit = view.tables.filter(inside);
  return hit.length > 0 ? `table ${list(hit)} inside [${list(globs)}]` : undefined;
}

function bytesPart(rule: PolicyRule, context: MatchContext): string | undefined | null {
  const limit = rule.match.bytesOver;
  if (limit === undefined) return null;
  if (context.bytesEstimate === undefined) {
    return rule.effect === 'allow' ? undefined : `bytes estimate unknown, treated as over ${formatBytes(limit)} (fail closed)`;
  }
  return context.bytesEstimate > limit ? `estimated ${formatBytes(context.bytesEstimate)} over ${formatBytes(limit)}` : undefined;
}

export function matchRule(rule: PolicyRule, view: StatementView, context: MatchContext, inside: TableMatcher | undefined): RuleMatchResult {
  // Unknown SQL is never allowed, whatever the rule says.
  if (rule.effect === 'allow' && view.kinds.includes('unknown')) return undefined;
  // Opaque statements (scripts, CALL, dynamic SQL) are allowed only by a rule that names their kinds.
  if (rule.effect === 'allow' && !view.tablesKnown && !rule.match.statements) return undefined;
  const parts = [statementsPart(rule, view), groupsPart(rule, context), tablesPart(rule, view, inside), bytesPart(rule, context)];
  if (parts.some((part) => part === undefined)) return undefined;
  const reasons = parts.filter((part): part is string => typeof part === 'string');
  return reasons.length > 0 ? reasons : ['empty match: matches every statement'];
}
