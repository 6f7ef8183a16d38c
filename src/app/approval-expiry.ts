/**
 * Approval expiry is a durable deadline: it lives in the log (ApprovalRequested.expiresAt), and this
 * loop turns passed deadlines into ApprovalExpired — also for deadlines that passed while the
 * gateway was down, since the queue is rebuilt from the log at start.
 */
import { isLedgergateError, RevisionConflictError } from '../domain/errors.js';
import type { Clock, Logger } from '../domain/ports.js';
import type { ApprovalQueue } from '../projections/approval-queue-queries.js';
import type { RequestRepository } from './request-repository.js';

/** The queue's answer, or `fallback` while it is being rebuilt. */
function whileRebuilding<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch (error) {
    if (isLedgergateError(error) && error.code === 'read_model_rebuilding') return fallback;
    throw error;
  }
}

export interface ApprovalExpiry {
  /** Expires every pending request whose deadline has passed; returns how many. */
  sweep(): Promise<number>;
  stop(): void;
}

export function startApprovalExpiry(deps: {
  queue: ApprovalQueue;
  repository: RequestRepository;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
}): ApprovalExpiry {
  const { queue, repository, clock, logger } = deps;
  let sweeping: Promise<number> | undefined;

  async function sweepOnce(): Promise<number> {
    let expired = 0;
    const now = clock.now();
    // While the queue is rebuilt, deadlines wait for the next sweep (they are durable in the log).
    for (const pending of whileRebuilding(() => queue.pending(), [])) {
      if (Date.parse(pending.expiresAt) > now.getTime()) continue;
      try {
        const handled = await repository.handle(pending.requestId, { type: 'ExpireApproval', now }, { causationId: 'approval-expiry' });
        if (handled.events.length > 0) expired++;
      } catch (error) {
        if (!(error instanceof RevisionConflictError)) logger.warn('could not expire a request', { requestId: pending.requestId, error: String(error) });
      }
    }
    return expired;
  }

  const sweep = () => (sweeping ??= sweepOnce().finally(() => (sweeping = undefined)));
  const timer = setInterval(() => {
    const next = whileRebuilding(() => queue.nextDeadline(), undefined);
    if (next && Date.parse(next.expiresAt) <= clock.now().getTime()) void sweep();
  }, deps.intervalMs);
  timer.unref();

  return { sweep, stop: () => clearInterval(timer) };
}
