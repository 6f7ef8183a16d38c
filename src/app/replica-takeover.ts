/**
 * Replicas hold leases on the requests they run, and a live replica takes over a dead one's.
 *
 * The lease is implicit in the log, so it costs no extra events: a replica that is running a request
 * appends to its stream at least once per lease period (ExecutionStarted, then its outcome within the
 * query timeout, then masking and delivery), each event carrying its `gatewayId`. A request still in
 * flight whose last event is older than the lease, written by another replica, belongs to a replica that
 * died (or hung); this sweep resumes it here. At-most-once still holds: the resume claims the request at
 * its expected revision (two sweeping replicas cannot both claim it), and keeps the job id derived from
 * the request, so the warehouse answers with the job the dead replica started instead of running it again.
 */
import type { EventStore, Logger } from '../domain/ports.js';
import { requestStreamName } from '../domain/request/request-stream.js';

export interface TakeoverOptions {
  readonly store: Pick<EventStore, 'readStream'>;
  /** Requests the read model shows as ready or running. */
  inFlight(): readonly string[];
  /** Resumes one request in this process (a no-op when it already runs here or is no longer in flight). */
  resume(requestId: string): void;
  readonly gatewayId: string;
  /** How long a request may go without an event from the replica running it (query timeout plus slack). */
  readonly leaseMs: number;
  readonly intervalMs: number;
  readonly now: () => number;
  readonly logger: Logger;
}

export interface Takeover {
  /** One look at every in-flight request; resolves to the ids taken over. */
  sweep(): Promise<string[]>;
  stop(): void;
}

export function startTakeover(options: TakeoverOptions): Takeover {
  const sweep = async (): Promise<string[]> => {
    const taken: string[] = [];
    for (const requestId of options.inFlight()) {
      const last = (await options.store.readStream(requestStreamName(requestId))).at(-1);
      if (!last || last.metadata.gatewayId === options.gatewayId) continue;
      const idleMs = options.now() - Date.parse(last.recordedAt);
      if (!(idleMs > options.leaseMs)) continue;
      options.logger.warn('taking over a request whose replica stopped renewing its lease', {
        requestId,
        previousGateway: last.metadata.gatewayId ?? 'unknown',
        idleSeconds: Math.round(idleMs / 1000),
      });
      options.resume(requestId);
      taken.push(requestId);
    }
    return taken;
  };
  let sweeping = false;
  const timer = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    sweep()
      .catch((error: unknown) => options.logger.warn('replica takeover sweep failed; retrying at the next interval', { error: String(error) }))
      .finally(() => (sweeping = false));
  }, options.intervalMs);
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
