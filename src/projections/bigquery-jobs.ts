/**
 * Which BigQuery-API jobs each principal has, newest first: jobs.list answers "the caller's own jobs"
 * from it, a page at a time. Only requests made through the BigQuery API carry a client job id.
 * Persisted in `bigquery_jobs`, indexed by principal and log position.
 */
import type Database from 'better-sqlite3';
import type { FoldableEvent } from '../domain/ports.js';
import type { SqlProjection } from './projection.js';
import { unreadByReadModels } from './unread-data.js';
import { onFirstUse } from './read-model-db.js';
import type { ReadModelStatus } from './read-model-status.js';

export interface BigQueryJobEntry {
  readonly requestId: string;
  readonly jobId: string;
  readonly createdAt: string;
}

export interface BigQueryJobPage {
  /** Creation time bounds in epoch milliseconds, both inclusive. */
  readonly minCreationMs?: number;
  readonly maxCreationMs?: number;
  /** How many entries to skip (jobs.list's page token) and how many to return. */
  readonly offset: number;
  readonly limit: number;
}

export interface BigQueryJobIndex {
  /** One page of the principal's jobs, newest first, and whether more follow. */
  jobsOf(principal: { issuer: string; subject: string }, page: BigQueryJobPage): { entries: BigQueryJobEntry[]; more: boolean };
}

interface RequestedData {
  requestId?: unknown;
  channel?: unknown;
  clientJobId?: unknown;
  principal?: { issuer?: unknown; subject?: unknown };
}

const keyOf = (issuer: string, subject: string) => `${issuer}\u0000${subject}`;

export const bigQueryJobsProjection: SqlProjection = {
  name: 'bigquery_jobs',
  version: 1,
  unreadData: unreadByReadModels,
  create(db: Database.Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS bigquery_jobs (
        position INTEGER PRIMARY KEY, principal TEXT NOT NULL, request_id TEXT NOT NULL, job_id TEXT NOT NULL,
        created_at TEXT NOT NULL, created_ms INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS bigquery_jobs_principal ON bigquery_jobs (principal, position);
    `);
  },
  drop: (db) => db.exec('DROP TABLE IF EXISTS bigquery_jobs'),
  applier(db) {
    const insert = db.prepare('INSERT OR REPLACE INTO bigquery_jobs (position, principal, request_id, job_id, created_at, created_ms) VALUES (?, ?, ?, ?, ?, ?)');
    return {
      apply(event: FoldableEvent) {
        if (event.type !== 'QueryRequested' || !event.streamName.startsWith('query-')) return;
        const data = event.data as RequestedData;
        if (data.channel !== 'bigquery-api' || typeof data.clientJobId !== 'string' || typeof data.requestId !== 'string') return;
        const { issuer, subject } = data.principal ?? {};
        if (typeof issuer !== 'string' || typeof subject !== 'string') return;
        const at = event.metadata.occurredAt;
        insert.run(event.position, keyOf(issuer, subject), data.requestId, data.clientJobId, at, Date.parse(at));
      },
      flush: () => undefined,
      discard: () => undefined,
    };
  },
};

export function createBigQueryJobIndex(db: Database.Database, status: ReadModelStatus): BigQueryJobIndex {
  const page = onFirstUse(() => db.prepare(
    `SELECT request_id AS requestId, job_id AS jobId, created_at AS createdAt FROM bigquery_jobs
     WHERE principal = @principal AND created_ms >= @min AND created_ms <= @max ORDER BY position DESC LIMIT @limit OFFSET @offset`,
  ));
  return {
    jobsOf(principal, { minCreationMs, maxCreationMs, offset, limit }) {
      status.assertReady(bigQueryJobsProjection.name);
      const entries = page().all({
        principal: keyOf(principal.issuer, principal.subject),
        min: minCreationMs ?? Number.MIN_SAFE_INTEGER,
        max: maxCreationMs ?? Number.MAX_SAFE_INTEGER,
        limit: limit + 1,
        offset,
      }) as BigQueryJobEntry[];
      return { entries: entries.slice(0, limit), more: entries.length > limit };
    },
  };
}
