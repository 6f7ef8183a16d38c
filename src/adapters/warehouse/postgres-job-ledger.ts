/**
 * The job ledger in the PostgreSQL target itself (`_ledgergate.jobs`): a write's ledger row is inserted
 * in the write's own transaction, so after a crash the row exists exactly when the write committed,
 * and a retry with the same job id answers from the row instead of writing again.
 */
import type { PoolClient } from 'pg';
import type { JobState } from '../../domain/ports.js';

export interface PostgresJobRecord {
  readonly jobId: string;
  readonly state: 'done' | 'failed';
  readonly statementKind: string;
  readonly affectedRows: number | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
}

export const ledgerSchema = '_ledgergate';
const table = `${ledgerSchema}.jobs`;

export async function ensureLedger(client: PoolClient): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${ledgerSchema}`);
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${table} (job_id text PRIMARY KEY, state text NOT NULL, finished_at timestamptz NOT NULL,
      statement_kind text NOT NULL, affected_rows bigint, error_code text, error_message text)`,
  );
}

export async function findJob(client: PoolClient, jobId: string): Promise<PostgresJobRecord | undefined> {
  const result = await client.query<Record<string, string | null>>(
    `SELECT job_id, state, statement_kind, affected_rows::text AS affected_rows, error_code, error_message FROM ${table} WHERE job_id = $1`,
    [jobId],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  return {
    jobId: String(row.job_id),
    state: row.state === 'failed' ? 'failed' : 'done',
    statementKind: String(row.statement_kind),
    affectedRows: row.affected_rows === null ? null : Number(row.affected_rows),
    errorCode: row.error_code ?? null,
    errorMessage: row.error_message ?? null,
  };
}

/**
 * Inserted first inside the write's transaction, with no ON CONFLICT: a concurrent run of the same job
 * id waits on the key and then fails with a unique violation, so only one of them can commit its write.
 */
export async function insertJob(client: PoolClient, record: PostgresJobRecord, now: Date): Promise<void> {
  await client.query(
    `INSERT INTO ${table} (job_id, state, finished_at, statement_kind, affected_rows, error_code, error_message)
      VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [record.jobId, record.state, now.toISOString(), record.statementKind, record.affectedRows, record.errorCode, record.errorMessage],
  );
}

export async function setAffectedRows(client: PoolClient, jobId: string, affectedRows: number): Promise<void> {
  await client.query(`UPDATE ${table} SET affected_rows = $2 WHERE job_id = $1`, [jobId, affectedRows]);
}

/** A failure, recorded after the rollback; a job id that already has a row keeps it. */
export async function recordFailedJob(client: PoolClient, record: PostgresJobRecord, now: Date): Promise<void> {
  await client.query(
    `INSERT INTO ${table} (job_id, state, finished_at, statement_kind, affected_rows, error_code, error_message)
      VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (job_id) DO NOTHING`,
    [record.jobId, record.state, now.toISOString(), record.statementKind, record.affectedRows, record.errorCode, record.errorMessage],
  );
}

export function jobStateOf(record: PostgresJobRecord | undefined): JobState {
  if (!record) return { state: 'unknown' };
  if (record.state === 'failed') return { state: 'failed', code: record.errorCode ?? 'query_failed', message: record.errorMessage ?? 'The job failed' };
  return { state: 'done' };
}
