/** Every group that may approve something under a policy: the policy's own approvers and each rule's. */
import type { Policy } from './types.js';

export function approverGroupsOf(policy: Policy): string[] {
  return [...new Set([...policy.approvals.approverGroups, ...policy.rules.flatMap((rule) => rule.approvals?.approverGroups ?? [])])];
}
