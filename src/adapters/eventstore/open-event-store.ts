/** Chooses and opens the event store named by LEDGERGATE_EVENT_STORE. */
import type { EventRegistry } from '../../domain/events/registry.js';
import type { EventStore } from '../../domain/ports.js';
import type { PullSubscriptionOptions } from './pull-subscription.js';
import { openSqliteEventStore } from './sqlite-event-store.js';

export type EventStoreTarget = { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'esdb'; readonly connectionString: string };

export async function openEventStore(target: EventStoreTarget, registry: EventRegistry, subscription?: PullSubscriptionOptions): Promise<EventStore> {
  if (target.kind === 'sqlite') return openSqliteEventStore({ file: target.file, registry, ...(subscription ? { subscription } : {}) });
  // Loaded only when configured, like the BigQuery client: the gRPC stack is heavy.
  const { openEsdbEventStore } = await import('./esdb-event-store.js');
  return openEsdbEventStore({ connectionString: target.connectionString, registry, ...(subscription ? { subscription } : {}) });
}
