/**
 * Stopping a PostgreSQL job: `pg_cancel_backend(<pid>)` from a connection of its own (the job's own
 * connection is busy). A cancel signal that reaches the backend between two statements of the job is
 * ignored by PostgreSQL, so it is repeated until the job ends (bounded), and the job checks for a stop
 * before each of its steps; a stop asked before the job has a backend is kept and honoured at its
 * first step.
 */
import pg from 'pg';

export interface RunningJob {
  pid?: number;
  cancelled: boolean;
  timedOut: boolean;
  ended: boolean;
}

const repeatEveryMs = 250;
const maxSignals = 40;

/** Thrown between steps; carries PostgreSQL's query_canceled SQLSTATE so it is told like a server cancel. */
export function throwIfStopped(job: RunningJob): void {
  if (job.cancelled || job.timedOut) throw Object.assign(new Error('canceling statement due to user request'), { code: '57014' });
}

async function signal(connectionString: string, pid: number): Promise<void> {
  const canceller = new pg.Client({ connectionString });
  try {
    await canceller.connect();
    await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
  } finally {
    await canceller.end().catch(() => undefined);
  }
}

/**
 * Signals now, then again in the background until the job ends. Best effort: a signal that cannot be
 * sent (the server is unreachable) still leaves the job's own stop flag, honoured at its next step.
 */
export async function interruptUntilEnded(job: RunningJob, connectionString: string): Promise<void> {
  if (job.pid !== undefined && !job.ended) await signal(connectionString, job.pid).catch(() => undefined);
  let sent = 1;
  const timer = setInterval(() => {
    if (job.ended || sent >= maxSignals) return clearInterval(timer);
    sent += 1;
    if (job.pid !== undefined) void signal(connectionString, job.pid).catch(() => undefined);
  }, repeatEveryMs);
  timer.unref();
}
