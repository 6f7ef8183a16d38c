/** Builders for the decider's inputs: principals, a submitted request, policy evaluations. */
import type { PolicyEvaluated } from '../../../src/domain/events/index.js';
import type { Principal } from '../../../src/domain/identity/principal.js';
import type { RequestCommand } from '../../../src/domain/request/commands.js';
import { snapshotOf } from '../../../src/domain/request/decide.js';
import { requestDecider } from '../../../src/domain/request/request-decider.js';
import type { RequestEvent } from '../../../src/domain/request/request-stream.js';
import type { RequestDeciderState, RequestState } from '../../../src/domain/request/request-state.js';

export const t0 = new Date('2030-01-01T10:00:00.000Z');
export const at = (seconds: number): Date => new Date(t0.getTime() + seconds * 1000);
export const hash = (c: string): string => c.repeat(64);

export const person = (subject: string, groups: string[] = [], extra: Partial<Principal> = {}): Principal => ({
  subject,
  issuer: 'https://issuer.test',
  groups,
  ...extra,
});

export const requestId = 'req-1';

export function evaluation(effect: 'allow' | 'deny' | 'approve', policyHash = hash('a'), approval = { approverGroups: ['data-owners'], required: 1, expiresAfterSeconds: 3600 }): PolicyEvaluated {
  return {
    requestId,
    effect,
    rule: `rule-${effect}`,
    policyHash,
    reasons: effect === 'deny' ? ['writes are off'] : [],
    perStatement: [{ effect, rule: `rule-${effect}` }],
    ...(effect === 'approve' ? { approval } : {}),
  };
}

export function submitCommand(requester: Principal, evaluated: PolicyEvaluated, now = t0): RequestCommand {
  return {
    type: 'SubmitQuery',
    requested: {
      requestId,
      sql: "INSERT INTO sales.orders (order_id) VALUES (1)",
      sqlHash: hash('b'),
      maxRows: 100,
      principal: snapshotOf(requester),
      channel: 'rest',
    },
    analysed: { requestId, statements: [], tables: ['demo-project.sales.orders'], kinds: ['insert'] },
    evaluation: evaluated,
    now,
  };
}

/** Applies the command's events the way the repository does, with the command's time as occurrence time. */
export function apply(state: RequestDeciderState, command: RequestCommand, occurredAt = t0): { state: RequestState; events: RequestEvent[] } {
  const events = requestDecider.decide(command, state);
  const next = events.reduce((s, e) => requestDecider.evolve(s, e, occurredAt.toISOString()), state);
  if (next.status === 'none') throw new Error('no state');
  return { state: next, events };
}

export const pendingRequest = (requester: Principal, required = 1, groups = ['data-owners'], expiresAfterSeconds = 3600): RequestState =>
  apply(requestDecider.initialState(), submitCommand(requester, evaluation('approve', hash('a'), { approverGroups: groups, required, expiresAfterSeconds }))).state;

export const approveBy = (approver: Principal, now = at(10), decision: 'approve' | 'reject' = 'approve', comment?: string): RequestCommand => ({
  type: 'DecideApproval',
  approver,
  decision,
  ...(comment ? { comment } : {}),
  now,
});

export const types = (events: readonly RequestEvent[]): string[] => events.map((e) => e.type);
