/**
 * Which mask rule wins when several reach one column. Most strict first:
 *
 *   null > redact > hash > year > last4 > email
 *
 * `null` reveals nothing (not even that a value existed); `redact` reveals presence only; `hash`
 * reveals equality between values (joins, counts); `year` reveals a coarse part of a date; `last4`
 * reveals four characters; `email` reveals a character and the whole domain.
 */
import type { MaskRuleName } from '../policy/types.js';

export const maskRuleStrictness: readonly MaskRuleName[] = ['null', 'redact', 'hash', 'year', 'last4', 'email'];

const rank = (rule: MaskRuleName): number => maskRuleStrictness.indexOf(rule);

/** The stricter of two rules; undefined means "no rule" and always loses. */
export function stricterRule(a: MaskRuleName | undefined, b: MaskRuleName | undefined): MaskRuleName | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return rank(a) <= rank(b) ? a : b;
}

export function strictestRule(rules: Iterable<MaskRuleName | undefined>): MaskRuleName | undefined {
  let strictest: MaskRuleName | undefined;
  for (const rule of rules) strictest = stricterRule(strictest, rule);
  return strictest;
}
