/**
 * Who may decide a pending request. Membership is read from the decider's own token at decision
 * time; the requester — by subject, by email, or through an RFC 8693 `act` delegation in either
 * direction — may never decide their own request; each person counts once.
 */
import { identitiesOf, type Principal } from '../identity/principal.js';
import type { PrincipalSnapshot } from '../events/shared-schemas.js';

export type Ineligibility = 'not_an_approver' | 'is_requester' | 'already_decided';

export function samePerson(a: Principal | PrincipalSnapshot, b: Principal | PrincipalSnapshot): boolean {
  const left = identitiesOf(a);
  const right = identitiesOf(b);
  return (
    left.subjects.some((s) => right.subjects.includes(s)) || left.emails.some((e) => right.emails.includes(e))
  );
}

export function checkEligibility(input: {
  decider: Principal;
  requester: PrincipalSnapshot;
  approverGroups: readonly string[];
  earlierDeciders: readonly PrincipalSnapshot[];
}): Ineligibility | undefined {
  if (samePerson(input.decider, input.requester)) return 'is_requester';
  if (!input.decider.groups.some((g) => input.approverGroups.includes(g))) return 'not_an_approver';
  if (input.earlierDeciders.some((earlier) => samePerson(input.decider, earlier))) return 'already_decided';
  return undefined;
}

/** Distinct people among approving decisions (a person with two identities is still one). */
export function countDistinctApprovers(approvers: readonly PrincipalSnapshot[]): number {
  const distinct: PrincipalSnapshot[] = [];
  for (const approver of approvers) {
    if (!distinct.some((d) => samePerson(d, approver))) distinct.push(approver);
  }
  return distinct.length;
}

export const isExpired = (expiresAt: string, now: Date): boolean => now.getTime() >= Date.parse(expiresAt);
