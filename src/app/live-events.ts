/**
 * What this replica does with each live event once the read models have it: wake long-polls (for
 * other replicas' events; this one's own appends wake them as they are written), feed
 * the approval webhook, and pick up what another replica started — a request it made runnable (an
 * approval through it, for instance) and a policy it activated.
 */
import type { PolicyActivated } from '../domain/events/index.js';
import type { RecordedEvent } from '../domain/ports.js';
import { asRequestEvent, requestIdOfStream } from '../domain/request/request-stream.js';
import type { ApprovalWebhook } from './approval-webhook.js';
import type { ExecutionSaga } from './execution-saga.js';
import { policyStream, type PolicyHolder } from './policy-holder.js';
import type { RequestNotifier } from './request-notifier.js';

/** How long another replica's runnable request waits before this one runs it (the writer usually has by then). */
export const crossReplicaRunDelayMs = 2_000;

export function createLiveEventHandler(deps: {
  gatewayId: string;
  notifier: RequestNotifier;
  saga: ExecutionSaga;
  policies: PolicyHolder;
  webhook?: ApprovalWebhook;
}): (event: RecordedEvent) => void {
  const { gatewayId, notifier, saga, policies, webhook } = deps;
  return (event) => {
    const requestId = requestIdOfStream(event.streamName);
    webhook?.onEvent(event);
    // This process's own appends woke their waiters already (request-repository): one wake-up per append.
    if (event.metadata.gatewayId === gatewayId) return;
    if (requestId) notifier.notify(requestId);
    if (requestId && madeRunnable(event)) setTimeout(() => void saga.execute(requestId), crossReplicaRunDelayMs).unref();
    if (event.streamName === policyStream && event.type === 'PolicyActivated') policies.adopt(event.data as PolicyActivated);
  };
}

/** Approved, or allowed outright: the request may run now. */
function madeRunnable(event: RecordedEvent): boolean {
  const requestEvent = asRequestEvent(event);
  return requestEvent?.type === 'QueryApproved' || (requestEvent?.type === 'PolicyEvaluated' && requestEvent.data.effect === 'allow');
}
