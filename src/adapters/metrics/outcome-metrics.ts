/**
 * A projection that feeds the query and masking counters. It follows every request to its final
 * status (remembering its channel and decision only while it is in flight), but counts only events
 * this gateway instance wrote: each instance reports its own work, so sums across replicas are right,
 * and replaying the log at start does not count history again.
 */
import type { RecordedEvent } from '../../domain/ports.js';
import { asRequestEvent, requestIdOfStream } from '../../domain/request/request-stream.js';
import { statusAfter, terminalStatuses } from '../../domain/request/request-status.js';
import { detectorNames, maskRuleNames } from '../../domain/policy/types.js';
import type { Projection } from '../../projections/projection.js';
import type { GatewayMetrics } from './gateway-metrics.js';

const oneOf = (value: string, allowed: readonly string[]): string => (allowed.includes(value) ? value : 'other');
const decisions = ['allow', 'approve', 'deny'] as const;
const channels = ['rest', 'mcp', 'bigquery-api'] as const;

export function createOutcomeMetrics(deps: { metrics: GatewayMetrics; gatewayId: string }): Projection {
  const { metrics, gatewayId } = deps;
  const inFlight = new Map<string, { channel: string; decision: string }>();

  const finish = (requestId: string, status: string, own: boolean) => {
    const known = inFlight.get(requestId);
    inFlight.delete(requestId);
    if (own) metrics.queries.inc({ decision: known?.decision ?? 'unknown', status, channel: known?.channel ?? 'unknown' });
  };

  return {
    name: 'metrics-outcomes',
    apply(recorded: RecordedEvent) {
      const requestId = requestIdOfStream(recorded.streamName);
      const event = requestId ? asRequestEvent(recorded) : undefined;
      if (!requestId || !event) return;
      const own = recorded.metadata.gatewayId === gatewayId;
      // Final statuses in the shared vocabulary: a cancellation counts as cancelled, not failed.
      const status = statusAfter('ready', event.type);
      if (event.type !== 'QueryRequested' && terminalStatuses.has(status)) finish(requestId, status, own);
      switch (event.type) {
        case 'QueryRequested':
          inFlight.set(requestId, { channel: oneOf(event.data.channel, channels), decision: 'unknown' });
          break;
        case 'PolicyEvaluated': {
          const entry = inFlight.get(requestId);
          if (entry) entry.decision = oneOf(event.data.effect, decisions);
          break;
        }
        case 'ResultMasked':
          if (!own) break;
          for (const column of event.data.maskedColumns) metrics.maskedColumns.inc({ rule: oneOf(column.rule, maskRuleNames) });
          for (const hit of event.data.detectorHits) metrics.detectorHits.inc({ detector: oneOf(hit.detector, detectorNames) }, hit.count);
          break;
        default:
          break;
      }
    },
  };
}
