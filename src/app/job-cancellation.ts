/**
 * Cancelling a warehouse job is a request, not a fact: BigQuery's jobs.cancel "returns
 * immediately" and the job may still finish (and be billed, and commit). So after asking, poll the
 * job until it is done and report what really happened.
 */
import type { JobState, Warehouse } from '../domain/ports.js';

export interface CancelConfirmation {
  /** How long to keep asking jobs.get after the cancel. */
  readonly waitMs: number;
  readonly pollMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * Asks the warehouse to cancel the job, then polls until it is no longer running or `waitMs` has
 * passed. Returns the last state seen: `done` (the job outran the cancel), `failed` (stopped, or
 * failed on its own), or `running` / `unknown` when nothing could be confirmed in time.
 */
export async function cancelAndConfirm(
  warehouse: Pick<Warehouse, 'cancel' | 'getJob'>,
  jobId: string,
  location: string | undefined,
  options: CancelConfirmation,
  onError: (stage: 'cancel' | 'poll', error: unknown) => void,
): Promise<JobState> {
  await warehouse.cancel(jobId, location).catch((error: unknown) => onError('cancel', error));
  const until = Date.now() + options.waitMs;
  let state: JobState = { state: 'unknown' };
  for (;;) {
    try {
      state = await warehouse.getJob(jobId, location);
    } catch (error) {
      onError('poll', error);
    }
    if (state.state === 'done' || state.state === 'failed') return state;
    if (Date.now() >= until) return state;
    await sleep(Math.min(options.pollMs, Math.max(0, until - Date.now())));
  }
}
