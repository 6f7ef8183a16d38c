/** Turns a policy decision into the PolicyEvaluated event's data. */
import type { PolicyEvaluated } from '../domain/events/index.js';
import type { PolicyDecision } from '../domain/policy/types.js';

export function evaluationEvent(requestId: string, decision: PolicyDecision): PolicyEvaluated {
  return {
    requestId,
    effect: decision.effect,
    rule: decision.rule,
    policyHash: decision.policyHash,
    reasons: [...decision.reasons],
    perStatement: decision.perStatement.map((p) => ({ effect: p.effect, rule: p.rule })),
    ...(decision.approval
      ? {
          approval: {
            approverGroups: [...decision.approval.approverGroups],
            required: decision.approval.required,
            expiresAfterSeconds: decision.approval.expiresAfterSeconds,
          },
        }
      : {}),
  };
}
