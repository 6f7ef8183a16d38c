/**
 * Which BigQuery-API jobs each principal has, newest first: jobs.list answers "the caller's own jobs"
 * from it. Only requests made through the BigQuery API carry a client job id.
 */
import type { RecordedEvent } from '../domain/ports.js';
import type { Projection } from './projection.js';

export interface BigQueryJobEntry {
  readonly requestId: string;
  readonly jobId: string;
  readonly createdAt: string;
}

export interface BigQueryJobIndex extends Projection {
  /** The principal's jobs, newest first. */
  jobsOf(principal: { issuer: string; subject: string }): BigQueryJobEntry[];
}

interface RequestedData {
  requestId?: unknown;
  channel?: unknown;
  clientJobId?: unknown;
  principal?: { issuer?: unknown; subject?: unknown };
}

const keyOf = (issuer: string, subject: string) => `${issuer}\u0000${subject}`;

export function createBigQueryJobIndex(): BigQueryJobIndex {
  const byPrincipal = new Map<string, BigQueryJobEntry[]>();
  return {
    name: 'bigquery-jobs',
    apply(event: RecordedEvent) {
      if (event.type !== 'QueryRequested' || !event.streamName.startsWith('query-')) return;
      const data = event.data as RequestedData;
      if (data.channel !== 'bigquery-api' || typeof data.clientJobId !== 'string' || typeof data.requestId !== 'string') return;
      const { issuer, subject } = data.principal ?? {};
      if (typeof issuer !== 'string' || typeof subject !== 'string') return;
      const key = keyOf(issuer, subject);
      const entries = byPrincipal.get(key) ?? [];
      entries.push({ requestId: data.requestId, jobId: data.clientJobId, createdAt: event.metadata.occurredAt });
      byPrincipal.set(key, entries);
    },
    jobsOf: (principal) => [...(byPrincipal.get(keyOf(principal.issuer, principal.subject)) ?? [])].reverse(),
  };
}
