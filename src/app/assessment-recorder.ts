/**
 * Records what a caller was told without a request being made: a dry run's analysis and decision, or a
 * job refused before it was created. Each is one event in its own stream, written before the answer
 * leaves, so probing the policy or the catalog through dry runs leaves the same trail as querying.
 */
import { assessmentStreamPrefix, type QueryAssessed } from '../domain/events/index.js';
import type { Principal } from '../domain/identity/principal.js';
import type { Clock, EventStore, IdGenerator } from '../domain/ports.js';
import { snapshotOf } from '../domain/request/decide.js';

export interface AssessmentCaller {
  readonly principal: Principal;
  readonly clientIp?: string;
  readonly userAgent?: string;
  readonly sessionId?: string;
  readonly requestTraceId?: string;
}

export interface AssessmentRecorder {
  /** Appends the assessment durably; resolves its id. */
  record(caller: AssessmentCaller, assessment: Omit<QueryAssessed, 'assessmentId' | 'principal'>): Promise<string>;
}

export function createAssessmentRecorder(deps: { store: EventStore; clock: Clock; ids: IdGenerator; gatewayId: string }): AssessmentRecorder {
  return {
    async record(caller, assessment) {
      const assessmentId = deps.ids.next();
      const { principal } = caller;
      const data: QueryAssessed = {
        assessmentId,
        ...assessment,
        principal: snapshotOf(principal),
      };
      await deps.store.append(
        `${assessmentStreamPrefix}${assessmentId}`,
        [
          {
            type: 'QueryAssessed',
            data,
            metadata: {
              correlationId: assessmentId,
              occurredAt: deps.clock.now().toISOString(),
              schemaVersion: 1,
              gatewayId: deps.gatewayId,
              principal: { subject: principal.subject, ...(principal.email ? { email: principal.email } : {}), ...(principal.actor ? { actor: principal.actor.subject } : {}) },
              ...(caller.clientIp ? { clientIp: caller.clientIp } : {}),
              ...(caller.userAgent ? { userAgent: caller.userAgent.slice(0, 1000) } : {}),
              ...(caller.sessionId ? { sessionId: caller.sessionId.slice(0, 200) } : {}),
              ...(caller.requestTraceId ? { causationId: caller.requestTraceId.slice(0, 200) } : {}),
            },
          },
        ],
        'no_stream',
      );
      return assessmentId;
    },
  };
}
