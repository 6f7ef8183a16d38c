/**
 * Tells people about approvals through an optional webhook: when a request starts waiting and when
 * it is approved, rejected or expires. Driven by the projection runner's live events, so every path
 * (a decision over HTTP, the expiry sweep, a re-evaluation) notifies without each one remembering
 * to, and only the replica that wrote an event announces it. Delivery is fire-and-forget: a slow or
 * failing receiver never holds up a request; each outcome is recorded in the `webhooks` stream.
 */
import type { WebhookDelivered, WebhookFailed } from '../domain/events/index.js';
import type { ApprovalNotice, ApprovalNoticeKind, Clock, EventStore, Logger, RecordedEvent, WebhookOutcome, WebhookPoster } from '../domain/ports.js';
import { asRequestEvent, requestIdOfStream } from '../domain/request/request-stream.js';
import type { PendingApproval } from '../projections/approval-queue.js';

export interface ApprovalWebhook {
  /** Feed every live event; returns at once. */
  onEvent(event: RecordedEvent): void;
  /** Deliveries under way (tests and shutdown). */
  idle(): Promise<void>;
  /** Aborts deliveries still under way after `graceMs` and waits for their outcomes to be recorded. */
  stop(graceMs: number): Promise<void>;
}

export const webhookStream = 'webhooks';

export function createApprovalWebhook(deps: {
  poster: WebhookPoster;
  store: EventStore;
  clock: Clock;
  logger: Logger;
  gatewayId: string;
  approvalOf: (requestId: string) => PendingApproval | undefined;
  /** Beyond this many deliveries under way, new ones are recorded as failed instead of queued. */
  maxInFlight?: number;
}): ApprovalWebhook {
  const { poster, store, clock, logger, gatewayId, approvalOf } = deps;
  const maxInFlight = deps.maxInFlight ?? 100;
  const inFlight = new Set<Promise<void>>();
  const abort = new AbortController();

  function noticeOf(event: RecordedEvent): ApprovalNotice | undefined {
    const requestId = requestIdOfStream(event.streamName);
    const requestEvent = requestId ? asRequestEvent(event) : undefined;
    if (!requestId || !requestEvent) return undefined;
    let kind: ApprovalNoticeKind;
    let decision: { decidedBy?: string[]; comment?: string } = {};
    switch (requestEvent.type) {
      case 'ApprovalRequested':
        kind = 'approval_requested';
        break;
      case 'QueryApproved':
        kind = 'approved';
        decision = { decidedBy: requestEvent.data.approvers.map((a) => a.subject) };
        break;
      case 'QueryRejected':
        kind = 'rejected';
        decision = { decidedBy: [requestEvent.data.by], ...(requestEvent.data.comment ? { comment: requestEvent.data.comment } : {}) };
        break;
      case 'ApprovalExpired':
        kind = 'expired';
        break;
      default:
        return undefined;
    }
    const approval = approvalOf(requestId);
    if (!approval) {
      logger.warn('approval webhook: no approval known for the request', { requestId, event: event.type });
      return undefined;
    }
    return {
      kind,
      requestId,
      sql: approval.sql,
      requester: approval.requester,
      reason: approval.reason,
      rule: approval.rule,
      tables: approval.tables,
      costEstimateUsd: approval.costEstimateUsd,
      required: approval.required,
      approverGroups: approval.approverGroups,
      expiresAt: approval.expiresAt,
      ...decision,
    };
  }

  async function record(notice: ApprovalNotice, outcome: WebhookOutcome, causedBy: RecordedEvent): Promise<void> {
    const data: WebhookDelivered | WebhookFailed = outcome.ok
      ? { requestId: notice.requestId, event: notice.kind, status: outcome.status, attempts: outcome.attempts }
      : { requestId: notice.requestId, event: notice.kind, error: outcome.error.slice(0, 500), attempts: outcome.attempts };
    try {
      await store.append(
        webhookStream,
        [
          {
            type: outcome.ok ? 'WebhookDelivered' : 'WebhookFailed',
            data,
            metadata: {
              correlationId: notice.requestId,
              causationId: `event:${causedBy.position}`,
              occurredAt: clock.now().toISOString(),
              schemaVersion: 1,
              gatewayId,
            },
          },
        ],
        'any',
      );
    } catch (error) {
      logger.warn('approval webhook: could not record the delivery outcome', { requestId: notice.requestId, error: String(error) });
    }
    if (!outcome.ok) logger.warn('approval webhook delivery failed', { requestId: notice.requestId, event: notice.kind, error: outcome.error, attempts: outcome.attempts });
  }

  function deliver(notice: ApprovalNotice, causedBy: RecordedEvent): void {
    const delivery: Promise<void> = (async () => {
      const outcome: WebhookOutcome =
        inFlight.size > maxInFlight
          ? { ok: false, error: 'too many webhook deliveries under way; this one was dropped', attempts: 1 }
          : await poster.post(notice, abort.signal).catch((error: unknown) => ({ ok: false as const, error: `poster error: ${String(error)}`, attempts: 1 }));
      await record(notice, outcome, causedBy);
    })().finally(() => inFlight.delete(delivery));
    inFlight.add(delivery);
  }

  return {
    onEvent(event) {
      // Each replica announces only what it wrote itself, so one event makes one message.
      if (event.metadata.gatewayId !== gatewayId || abort.signal.aborted) return;
      const notice = noticeOf(event);
      if (notice) deliver(notice, event);
    },
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    async stop(graceMs) {
      const all = Promise.allSettled([...inFlight]);
      const timer = setTimeout(() => abort.abort(), graceMs);
      await all;
      clearTimeout(timer);
      abort.abort();
    },
  };
}
