/**
 * The gateway's Prometheus metrics, in a registry of their own per gateway instance (never the
 * module-global default registry), so two gateways in one process never share counters.
 * Every label value comes from a fixed set: no SQL, names, ids or values ever become a label.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface GatewayMetrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly queries: Counter<'decision' | 'status' | 'channel'>;
  readonly maskedColumns: Counter<'rule'>;
  readonly detectorHits: Counter<'detector'>;
  readonly appendDuration: Histogram<'outcome'>;
  /** Adds the gauges read at scrape time, once the parts they read exist. */
  observe(sources: GaugeSources): void;
}

export interface GaugeSources {
  readonly pendingApprovals: () => number;
  readonly headPosition: () => Promise<number>;
  readonly projectionPosition: () => number;
  /** The store's live feed (read models and the saga follow it): lag, and recoveries from store failures. */
  readonly feed?: { lagSeconds(): number; retries(): number; failing(): number };
}

export function createGatewayMetrics(options: { version: string }): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];

  new Gauge({ name: 'ledgergate_build_info', help: 'Gateway version (value is always 1)', labelNames: ['version'], registers }).set({ version: options.version }, 1);

  const httpRequests = new Counter({
    name: 'ledgergate_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: 'ledgergate_http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to finishing its answer (long polls included)',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers,
  });
  const queries = new Counter({
    name: 'ledgergate_queries_total',
    help: 'Query requests this instance brought to a final status, by policy decision, final status and channel',
    labelNames: ['decision', 'status', 'channel'] as const,
    registers,
  });
  const maskedColumns = new Counter({
    name: 'ledgergate_masked_columns_total',
    help: 'Result columns masked by a policy column rule, by mask rule',
    labelNames: ['rule'] as const,
    registers,
  });
  const detectorHits = new Counter({
    name: 'ledgergate_detector_hits_total',
    help: 'Values masked by a content detector, by detector',
    labelNames: ['detector'] as const,
    registers,
  });
  const appendDuration = new Histogram({
    name: 'ledgergate_event_store_append_duration_seconds',
    help: 'Event store append latency, by outcome (ok, conflict, error)',
    labelNames: ['outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });

  return {
    registry,
    httpRequests,
    httpDuration,
    queries,
    maskedColumns,
    detectorHits,
    appendDuration,
    observe(sources) {
      new Gauge({
        name: 'ledgergate_pending_approvals',
        help: 'Requests waiting for an approval decision',
        registers,
        collect() {
          this.set(sources.pendingApprovals());
        },
      });
      const position = new Gauge({ name: 'ledgergate_projection_position', help: 'Global log position the read models have applied', registers });
      new Gauge({
        name: 'ledgergate_projection_lag_events',
        help: 'Events written to the log that the read models have not applied yet (head position minus projection position)',
        registers,
        async collect() {
          const applied = sources.projectionPosition();
          position.set(applied);
          const head = await sources.headPosition().catch(() => applied);
          this.set(Math.max(0, head - applied));
        },
      });
      const feed = sources.feed;
      if (!feed) return;
      new Gauge({
        name: 'ledgergate_live_feed_lag_seconds',
        help: 'How far the live feed is behind the log: 0 when caught up, else the age of the newest event it delivered',
        registers,
        collect() {
          this.set(feed.lagSeconds());
        },
      });
      new Gauge({
        name: 'ledgergate_live_feed_retries',
        help: 'Event store reads the live feed retried after a transient failure (since start)',
        registers,
        collect() {
          this.set(feed.retries());
        },
      });
      new Gauge({
        name: 'ledgergate_live_feed_failing',
        help: 'Live feed subscriptions currently waiting to retry a failed read (0 when the store answers)',
        registers,
        collect() {
          this.set(feed.failing());
        },
      });
    },
  };
}
