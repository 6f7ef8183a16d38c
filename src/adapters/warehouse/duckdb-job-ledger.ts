/**
 * The job ledger: which job ids ran, and how they ended, kept in the warehouse file itself so the
 * record of a write commits (or vanishes) together with the write.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { JobState } from '../../domain/ports.js';

export type StatementKind = 'select' | 'insert' | 'update' | 'delete' | 'merge' | 'create' | 'alter' | 'drop';

export interface JobRecord {
  readonly jobId: string;
  readonly state: 'running' | 'done' | 'failed';
  readonly statementKind: StatementKind | null;
  readonly affectedRows: number | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
}

const table = '_ledgergate.jobs';

export async function ensureLedger(connection: DuckDBConnection): Promise<void> {
  await connection.run('CREATE SCHEMA IF NOT EXISTS _ledgergate');
  await connection.run(
    `CREATE TABLE IF NOT EXISTS ${table} (job_id VARCHAR PRIMARY KEY, state VARCHAR NOT NULL,
      started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP, statement_kind VARCHAR, affected_rows BIGINT,
      error_code VARCHAR, error_message VARCHAR)`,
  );
}

/** Only one process holds the file read-write, so a job still "running" at open died with its process. */
export async function failOrphanedJobs(connection: DuckDBConnection, now: Date): Promise<void> {
  await connection.run(
    `UPDATE ${table} SET state = 'failed', finished_at = $1::TIMESTAMP, error_code = 'query_failed',
      error_message = 'The gateway stopped while the job was running' WHERE state = 'running'`,
    [now.toISOString()],
  );
}

export async function findJob(connection: DuckDBConnection, jobId: string): Promise<JobRecord | undefined> {
  const reader = await connection.runAndReadAll(
    `SELECT job_id, state, statement_kind, affected_rows, error_code, error_message FROM ${table} WHERE job_id = $1`,
    [jobId],
  );
  const row = reader.getRowsJS()[0];
  if (!row) return undefined;
  return {
    jobId: String(row[0]),
    state: row[1] as JobRecord['state'],
    statementKind: (row[2] ?? null) as StatementKind | null,
    affectedRows: row[3] === null ? null : Number(row[3]),
    errorCode: (row[4] ?? null) as string | null,
    errorMessage: (row[5] ?? null) as string | null,
  };
}

export async function insertJob(connection: DuckDBConnection, record: JobRecord, now: Date): Promise<void> {
  await connection.run(
    `INSERT INTO ${table} (job_id, state, started_at, finished_at, statement_kind, affected_rows, error_code, error_message)
      VALUES ($1, $2, $3::TIMESTAMP, CASE WHEN $2 = 'running' THEN NULL ELSE $3::TIMESTAMP END, $4, $5, $6, $7)`,
    [record.jobId, record.state, now.toISOString(), record.statementKind, record.affectedRows, record.errorCode, record.errorMessage],
  );
}

export async function finishJob(
  connection: DuckDBConnection,
  jobId: string,
  outcome: Pick<JobRecord, 'state' | 'affectedRows' | 'errorCode' | 'errorMessage'>,
  now: Date,
): Promise<void> {
  await connection.run(
    `UPDATE ${table} SET state = $2, finished_at = $3::TIMESTAMP, affected_rows = $4, error_code = $5, error_message = $6
      WHERE job_id = $1`,
    [jobId, outcome.state, now.toISOString(), outcome.affectedRows, outcome.errorCode, outcome.errorMessage],
  );
}

export function jobStateOf(record: JobRecord | undefined): JobState {
  if (!record) return { state: 'unknown' };
  if (record.state === 'failed') {
    return { state: 'failed', code: record.errorCode ?? 'query_failed', message: record.errorMessage ?? 'The job failed' };
  }
  return { state: record.state };
}
