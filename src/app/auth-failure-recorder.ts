/**
 * Records failed authentications as events, throttled per client address and reason so a flood of
 * bad tokens cannot fill the log: suppressed failures ride along as a count on the next record.
 */
import { createHash } from 'node:crypto';
import { createFailureThrottle } from '../domain/identity/failure-throttle.js';
import type { AuthenticationFailed } from '../domain/events/index.js';
import type { Clock, EventStore, IdGenerator, Logger } from '../domain/ports.js';

export const authFailureStream = 'authentication-failures';

export interface AuthFailureRecorder {
  record(failure: { reason: string; clientIp?: string; userAgent?: string; path: string; token?: string; sessionId?: string }): Promise<void>;
}

export function createAuthFailureRecorder(deps: {
  store: EventStore;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  gatewayId: string;
  windowMs?: number;
  maxPerWindow?: number;
}): AuthFailureRecorder {
  const throttle = createFailureThrottle({ windowMs: deps.windowMs ?? 60_000, maxPerWindow: deps.maxPerWindow ?? 20 });
  return {
    async record(failure) {
      const now = deps.clock.now();
      const admission = throttle.admit(`${failure.clientIp ?? '?'}|${failure.reason}`, now.getTime());
      if (!admission.record) return;
      const data: AuthenticationFailed = {
        reason: failure.reason,
        path: failure.path.slice(0, 2000),
        suppressed: admission.suppressed,
        ...(failure.clientIp ? { clientIp: failure.clientIp } : {}),
        ...(failure.userAgent ? { userAgent: failure.userAgent.slice(0, 1000) } : {}),
        ...(failure.token ? { tokenFingerprint: createHash('sha256').update(failure.token).digest('hex').slice(0, 16) } : {}),
      };
      deps.logger.info('authentication failed', { reason: failure.reason, clientIp: failure.clientIp, suppressed: admission.suppressed });
      await deps.store.append(
        authFailureStream,
        [
          {
            type: 'AuthenticationFailed',
            data,
            metadata: {
              correlationId: deps.ids.next(),
              occurredAt: now.toISOString(),
              schemaVersion: 1,
              gatewayId: deps.gatewayId,
              ...(failure.clientIp ? { clientIp: failure.clientIp } : {}),
              ...(failure.userAgent ? { userAgent: failure.userAgent.slice(0, 1000) } : {}),
              ...(failure.sessionId ? { sessionId: failure.sessionId.slice(0, 200) } : {}),
            },
          },
        ],
        'any',
      );
    },
  };
}
