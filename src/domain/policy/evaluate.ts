/**
 * Policy evaluation (CONTRACT.md "Policy"): per statement, rules in order, first match wins; across
 * statements the strictest effect wins (deny > approve > allow) and its first statement names the rule.
 */
import type { Analysis } from '../analysis/types.js';
import { matchersOf, type PolicyMatchers } from './matchers.js';
import { matchRule, type MatchContext } from './rule-match.js';
import { statementViews, type StatementView } from './statement-view.js';
import type { ApprovalSettings, Effect, Policy, PolicyDecision } from './types.js';

export interface PolicyInput {
  readonly groups: readonly string[];
  readonly analysis: Analysis;
}

interface StatementDecision {
  readonly effect: Effect;
  readonly rule: string;
  readonly reasons: readonly string[];
  readonly approval?: ApprovalSettings;
}

const strictness: Readonly<Record<Effect, number>> = { allow: 0, approve: 1, deny: 2 };

export const isStricter = (a: Effect, b: Effect): boolean => strictness[a] > strictness[b];

function byRules(policy: Policy, matchers: PolicyMatchers, view: StatementView, context: MatchContext): StatementDecision {
  const label = `statement ${view.number} (${view.kind})`;
  for (const [index, rule] of policy.rules.entries()) {
    const why = matchRule(rule, view, context, matchers.ruleTables[index]);
    if (why) {
      return { effect: rule.effect, rule: rule.id, reasons: [`${label}: rule "${rule.id}" (${rule.effect}) matched: ${why.join('; ')}`], approval: rule.approvals };
    }
  }
  if (policy.default === 'allow' && view.kinds.includes('unknown')) {
    return { effect: 'deny', rule: 'default', reasons: [`${label}: no rule matched; the default allow never applies to SQL that cannot be analysed, so deny`] };
  }
  return { effect: policy.default, rule: 'default', reasons: [`${label}: no rule matched; default ${policy.default}`] };
}

/** Raises the effect when the statement filters, joins, groups or orders on a masked column. */
function withProtectedPredicates(policy: Policy, matchers: PolicyMatchers, view: StatementView, decision: StatementDecision): StatementDecision {
  const floor = policy.masking.protectedPredicates ?? 'allow';
  if (floor === 'allow' || matchers.maskColumns.length === 0 || !isStricter(floor, decision.effect)) return decision;
  let why: string | undefined;
  if (!view.tablesKnown || view.kinds.includes('unknown')) {
    why = 'its predicates could not be analysed, so they are presumed to use masked columns (fail closed)';
  } else {
    const hit = view.predicateColumns.find((source) =>
      matchers.maskColumns.some((mask) => mask.column === source.column.toLowerCase() && mask.matchesTable(source.table)),
    );
    if (hit) why = `it filters, joins, groups or orders on masked column ${hit.table}.${hit.column}`;
  }
  if (!why) return decision;
  return {
    effect: floor,
    rule: 'protected-predicates',
    reasons: [...decision.reasons, `statement ${view.number} (${view.kind}): raised to ${floor} by masking.protectedPredicates: ${why}`],
  };
}

/**
 * The smaller scan estimates a statement is also judged at: none, and each `bytesOver` limit below
 * the estimate (at a limit, that rule's condition just fails to hold). An unknown estimate is larger
 * than every limit.
 */
function smallerEstimates(policy: Policy, estimate: number | undefined): number[] {
  const limits = policy.rules.flatMap((rule) => (rule.match.bytesOver === undefined ? [] : [rule.match.bytesOver]));
  if (limits.length === 0) return [];
  return [...new Set([0, ...limits])].filter((bytes) => estimate === undefined || bytes < estimate);
}

/**
 * First match alone would let a larger scan loosen a decision: an earlier `approve` rule with
 * `bytesOver` (costly-scans) can pre-empt a later `deny` (or the default), so adding a statement
 * that scans more would turn a denied request into one waiting for approval. A statement is
 * therefore never judged less strictly than it would be with a smaller estimate.
 */
function judgeStatement(policy: Policy, matchers: PolicyMatchers, view: StatementView, input: PolicyInput): StatementDecision {
  const judge = (bytesEstimate: number | undefined): StatementDecision =>
    withProtectedPredicates(policy, matchers, view, byRules(policy, matchers, view, { groups: input.groups, bytesEstimate }));
  const actual = judge(input.analysis.bytesEstimate);
  let decision = actual;
  for (const bytes of smallerEstimates(policy, input.analysis.bytesEstimate)) {
    const smaller = judge(bytes);
    if (isStricter(smaller.effect, decision.effect)) decision = smaller;
  }
  if (decision === actual) return actual;
  return {
    ...decision,
    reasons: [
      ...actual.reasons,
      `statement ${view.number} (${view.kind}): a smaller scan would be ${decision.effect} by "${decision.rule}", and a larger scan never loosens a decision`,
      ...decision.reasons,
    ],
  };
}

export function evaluatePolicy(policy: Policy, input: PolicyInput): PolicyDecision {
  const matchers = matchersOf(policy);
  const decisions = statementViews(input.analysis).map((view) => judgeStatement(policy, matchers, view, input));
  const deciding = decisions.reduce((strictest, decision) => (isStricter(decision.effect, strictest.effect) ? decision : strictest));
  const reasons = decisions.flatMap((decision) => decision.reasons);
  for (const problem of input.analysis.readingProblems ?? []) reasons.push(`the SQL was not read with certainty: ${problem}`);
  if (input.analysis.dryRunDisagreement !== undefined) {
    reasons.push('the warehouse dry run disagreed with the analysis; the stricter reading was used');
  }
  return {
    effect: deciding.effect,
    rule: deciding.rule,
    reasons,
    perStatement: decisions.map(({ effect, rule }) => ({ effect, rule })),
    ...(deciding.effect === 'approve' ? { approval: deciding.approval ?? policy.approvals } : {}),
    policyHash: policy.hash,
  };
}
