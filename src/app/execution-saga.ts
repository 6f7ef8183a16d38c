/**
 * The process manager that runs allowed and approved requests: claims the execution by appending
 * ExecutionStarted at the expected revision (so one replica runs it), runs the job under an id
 * derived from the request id (so a retry finds the job instead of running it twice), masks the
 * result and records the outcome. At start it resumes every request left in flight.
 */
import { createHash } from 'node:crypto';
import { isLedgergateError, LedgergateError, RevisionConflictError, type ErrorCode } from '../domain/errors.js';
import { evaluatePolicy } from '../domain/policy/evaluate.js';
import type { ChildJob, Clock, ExecuteRequest, QueryResult, Warehouse, Logger, MaskedResult, ResultMasker } from '../domain/ports.js';
import type { RequestCommand } from '../domain/request/commands.js';
import type { RequestState } from '../domain/request/request-state.js';
import { analysisFromSummary } from './analysis-summary.js';
import type { PolicyHolder } from './policy-holder.js';
import type { LoadedRequest, RequestRepository } from './request-repository.js';
import { evaluationEvent } from './evaluation-event.js';
import { cancelAndConfirm } from './job-cancellation.js';

export interface ExecutionSettings {
  readonly timeoutMs: number;
  readonly maxResultBytes: number;
  readonly maximumBytesBilled?: number;
  /** Jobs tried per request when a job fails for a transient warehouse reason (default 3). */
  readonly maxJobAttempts?: number;
  /** After cancelling a timed-out job, how long to wait for the warehouse to confirm it stopped (default 60 s). */
  readonly cancelConfirmMs?: number;
  /** How often to ask while waiting for that confirmation (default 500 ms). */
  readonly cancelPollMs?: number;
}

export interface ExecutionSaga {
  /** Runs the request if it is ready (or resumes it when `resume`); a no-op otherwise. */
  /** `known` is the caller's own last write of the stream, so the run starts without reading it again. */
  execute(requestId: string, options?: { resume?: boolean; known?: LoadedRequest; claimed?: boolean }): Promise<void>;
  /**
   * The claim of a request about to be recorded as allowed, for the caller to append together with it
   * (one durable write instead of two); `execute` with `claimed: true` then runs it without claiming
   * again. Undefined when the job's location cannot be had now (the separate claim records why).
   */
  claimFor(requestId: string, sql: string): Promise<RequestCommand | undefined>;
  /** Requests this process is running now. */
  inFlight(): number;
  /** Waits for the executions under way (graceful shutdown). */
  drain(timeoutMs: number): Promise<void>;
}

/**
 * The job id of a request's attempt: derived, so a retry or a resume finds the job instead of
 * starting another. Attempt 1 keeps the original form (logs written before attempts existed).
 */
export const jobIdFor = (requestId: string, attempt = 1): string => {
  const safe = requestId.replace(/[^A-Za-z0-9_-]/g, '_');
  // BigQuery job ids are at most 1,024 characters: an id too long to keep readable is replaced by its digest.
  const base = safe.length > 900 ? createHash('sha256').update(requestId).digest('hex') : safe;
  return `ledgergate_${base}${attempt > 1 ? `_attempt${attempt}` : ''}`;
};

/** A job that failed for a transient warehouse reason (the adapter marks it): nothing ran, a new job may succeed. */
const isTransientJobFailure = (error: unknown): boolean => isLedgergateError(error) && error.details.transientJobFailure === true;

const childJobsIn = (error: unknown): readonly ChildJob[] | undefined => {
  const children = isLedgergateError(error) ? error.details.childJobs : undefined;
  return Array.isArray(children) ? (children as ChildJob[]) : undefined;
};

/** A job the warehouse reports as failed (its code and message are the warehouse adapter's, already sanitised). */
class JobFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const principalHash = (subject: string): string => createHash('sha256').update(subject).digest('hex').slice(0, 16);

export function createExecutionSaga(deps: {
  repository: RequestRepository;
  warehouse: Warehouse;
  policies: PolicyHolder;
  masker: ResultMasker;
  clock: Clock;
  logger: Logger;
  settings: ExecutionSettings;
}): ExecutionSaga {
  const { repository, warehouse, policies, masker, clock, logger, settings } = deps;
  const running = new Map<string, Promise<void>>();

  /** Claims the request (appends ExecutionStarted at the expected revision); `resumed` when it was already running. */
  async function claimFor(requestId: string, sql: string): Promise<RequestCommand | undefined> {
    let location: string | undefined;
    try {
      location = warehouse.jobLocation ? await warehouse.jobLocation(sql) : undefined;
    } catch {
      return undefined;
    }
    return { type: 'StartExecution', jobId: jobIdFor(requestId), warehouse: warehouse.kind, resumed: false, ...(location ? { location } : {}), attempt: 1 };
  }

  async function claim(requestId: string, resume: boolean, known?: LoadedRequest, claimedByCaller = false): Promise<{ state: RequestState; resumed: boolean } | undefined> {
    let loaded = known ?? (await repository.load(requestId));
    const { state } = loaded;
    if (!state) return undefined;
    // The caller appended this saga's claim with the request itself: this run is its first and only start.
    if (claimedByCaller && known && state.status === 'running' && state.execution?.jobId === jobIdFor(requestId) && state.execution.starts === 1) {
      return { state, resumed: false };
    }
    if (state.status === 'running' && !resume) return undefined;
    if (state.status !== 'ready' && state.status !== 'running') return undefined;
    const context = { causationId: `saga:${requestId}` };
    let current = state;
    if (current.status === 'ready') {
      const policy = policies.current();
      if (policy.hash !== current.policyHash && current.analysis) {
        const decision = evaluatePolicy(policy, { groups: current.request.principal.groups, analysis: analysisFromSummary(current.analysis) });
        const reevaluated = await repository.handle(requestId, { type: 'Reevaluate', evaluation: evaluationEvent(requestId, decision), now: clock.now() }, context, { known: loaded });
        current = reevaluated.state;
        loaded = reevaluated.loaded;
        if (current.status !== 'ready') return undefined;
      }
    }
    const resumed = current.status === 'running';
    // A resumed run keeps the job id (and attempt) it started with: that id is how the warehouse recognises the job.
    const jobId = resumed && current.execution ? current.execution.jobId : jobIdFor(requestId);
    const attempt = resumed && current.execution ? current.execution.attempt : 1;
    let location: string | undefined;
    try {
      location = await locate(current, resumed);
    } catch (error) {
      if (resumed) {
        // A job may be running: never fail it for want of a location; look it up as before, without one.
        logger.warn('job location unknown on resume; looking the job up without it', { requestId, error: String(error) });
      } else {
        // No job was created: the request fails with the reason (e.g. the warehouse is unreachable or the SQL invalid).
        const failure = isLedgergateError(error) ? { code: error.code, message: error.message } : { code: 'internal', message: 'The job location could not be determined' };
        await repository.handle(requestId, { type: 'FailExecution', jobId, ...failure }, context, { known: loaded });
        return undefined;
      }
    }
    const started = await repository.handle(
      requestId,
      { type: 'StartExecution', jobId, warehouse: warehouse.kind, resumed, ...(location ? { location } : {}), attempt },
      context,
      { known: loaded },
    );
    return { state: started.state, resumed };
  }

  /**
   * Where the job runs, known before it is created so the start records it: the location recorded
   * by an earlier start, else the warehouse's answer for this SQL (BigQuery: configured, or where
   * the datasets read live). Undefined for warehouses without locations.
   */
  async function locate(state: RequestState, resumed: boolean): Promise<string | undefined> {
    if (resumed && state.execution?.location) return state.execution.location;
    return warehouse.jobLocation ? warehouse.jobLocation(state.request.sql) : undefined;
  }

  /** How long an outcome waits for the event store to come back before the request is left to resume-at-start or takeover. */
  const outcomeOutageBudgetMs = 120_000;
  const isConflict = (error: unknown): boolean =>
    error instanceof RevisionConflictError || (isLedgergateError(error) && error.code === 'invalid_transition');

  /**
   * Appends the outcome. A conflict means someone else wrote first: when that was an outcome or a
   * cancellation, the decider refuses and we stop; when it was only another claim, we try again.
   */
  async function record(requestId: string, command: RequestCommand, context: { causationId: string }): Promise<void> {
    let outageWaitMs = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        await repository.handle(requestId, command, context);
        return;
      } catch (error) {
        if (isLedgergateError(error) && error.code === 'invalid_transition') {
          logger.info('execution outcome not recorded: the request moved on (cancelled or finished elsewhere)', { requestId });
          return;
        }
        // The job has run: its outcome must reach the log, so a store outage (a leader change) is waited
        // out rather than leaving the request "running" until a restart. A retry after a lost answer is safe:
        // the append names the expected revision, so a write that did land makes the decider refuse the copy.
        if (isLedgergateError(error) && error.code === 'store_unavailable' && outageWaitMs < outcomeOutageBudgetMs) {
          const pause = Math.min(5_000, 100 * 2 ** Math.min(attempt, 6));
          outageWaitMs += pause;
          logger.warn('event store unavailable while recording an outcome; retrying', { requestId, retryInMs: pause });
          await new Promise((resolve) => setTimeout(resolve, pause));
          continue;
        }
        if (!(error instanceof RevisionConflictError) || attempt >= 5) throw error;
      }
    }
  }

  /**
   * The job's outcome after a restart: the job is looked up by its id, never run again blindly.
   * Unknown means it never reached the warehouse (the claim was written, then the process died), so
   * starting it now is its first and only run; the id still guards against a racing replica.
   */
  async function recover(request: ExecuteRequest): Promise<QueryResult> {
    const job = await warehouse.getJob(request.jobId, request.location);
    switch (job.state) {
      case 'failed':
        // A job that failed transiently left nothing behind: a new attempt follows, as it would have without the restart.
        if (job.transient) throw new LedgergateError(job.code as ErrorCode, job.message, { transientJobFailure: true });
        throw new JobFailure(job.code, job.message);
      case 'done':
        return warehouse.getResults(request.jobId, request.maxRows, request.maxResultBytes, request.location);
      case 'running':
      case 'unknown':
        // execute() on an existing id answers with that job (BigQuery: 409, then the job's results).
        return warehouse.execute(request);
    }
  }

  /** A job that ran but whose rows are gone (DuckDB keeps SELECT results in memory only). */
  async function resultsGone(error: unknown, jobId: string, location: string | undefined): Promise<boolean> {
    if (!isLedgergateError(error) || error.code !== 'not_found') return false;
    const job = await warehouse.getJob(jobId, location).catch(() => undefined);
    return job?.state === 'done';
  }

  async function run(requestId: string, resume: boolean, known?: LoadedRequest, claimedByCaller = false): Promise<void> {
    let claimed: { state: RequestState; resumed: boolean } | undefined;
    try {
      claimed = await claim(requestId, resume, known, claimedByCaller);
    } catch (error) {
      if (!isConflict(error)) throw error;
      // Another replica appended first (its ExecutionStarted, or a cancellation): it owns the run.
      logger.info('execution claimed elsewhere; backing off', { requestId, code: isLedgergateError(error) ? error.code : 'conflict' });
      return;
    }
    const state = claimed?.state;
    if (!claimed || !state || !state.execution || !state.analysis) return;
    let jobId = state.execution.jobId;
    let attempt = state.execution.attempt;
    const location = state.execution.location;
    const startedAt = Date.now();
    const requestFor = (id: string): ExecuteRequest => ({
      jobId: id,
      sql: state.request.sql,
      maxRows: state.request.maxRows,
      maxResultBytes: settings.maxResultBytes,
      timeoutMs: settings.timeoutMs,
      ...(settings.maximumBytesBilled ? { maximumBytesBilled: settings.maximumBytesBilled } : {}),
      ...(location ? { location } : {}),
      labels: {
        ledgergate_request: requestId,
        ledgergate_principal: principalHash(state.request.principal.subject),
        ...(state.request.sessionId ? { ledgergate_session: state.request.sessionId } : {}),
      },
    });
    let result: QueryResult | undefined;
    let cancelRequested = false;
    let recovering = claimed.resumed;
    while (!result) {
      const request = requestFor(jobId);
      const context = { causationId: `job:${jobId}` };
      try {
        result = recovering ? await recover(request) : await warehouse.execute(request);
      } catch (error) {
        recovering = false;
        if (isTransientJobFailure(error) && attempt < (settings.maxJobAttempts ?? 3)) {
          // The job failed without running the statement: a new job under a new id, recorded before it is created.
          attempt += 1;
          jobId = jobIdFor(requestId, attempt);
          logger.info('job failed transiently; retrying under a new job id', { requestId, jobId, attempt });
          if (!(await startAttempt(requestId, jobId, attempt, location))) return;
          continue;
        }
        const failure = await failureOf(error, jobId, location);
        if (failure.code !== 'warehouse_timeout') {
          await recordFailure(requestId, { type: 'FailExecution', jobId, ...failure }, context);
          return;
        }
        const settled = await settleTimedOut(requestId, request);
        if ('failure' in settled) {
          await recordFailure(requestId, { type: 'FailExecution', jobId, ...settled.failure }, context);
          return;
        }
        result = settled.result;
        cancelRequested = true;
      }
    }
    const context = { causationId: `job:${jobId}` };
    let masked: MaskedResult;
    try {
      masked = await masker.mask({ analysis: analysisFromSummary(state.analysis), result, policy: policies.current() });
    } catch (error) {
      logger.error('masking failed; the result is withheld', { requestId, error: String(error) });
      await record(requestId, { type: 'FailExecution', jobId, code: 'internal', message: 'The result could not be masked, so it is withheld' }, context);
      return;
    }
    await record(
      requestId,
      {
        type: 'CompleteExecution',
        succeeded: {
          requestId,
          jobId,
          rowCount: result.rows.length,
          totalRows: result.totalRows,
          truncated: result.truncated,
          bytesProcessed: result.bytesProcessed,
          ...(result.affectedRows !== undefined ? { affectedRows: result.affectedRows } : {}),
          durationMs: Date.now() - startedAt,
          ...(cancelRequested ? { cancelRequested: true } : {}),
          ...(result.childJobs && result.childJobs.length > 0 ? { childJobs: [...result.childJobs] } : {}),
          ...(result.warnings && result.warnings.length > 0 ? { warnings: [...result.warnings] } : {}),
        },
        masked: { requestId, maskedColumns: masked.maskedColumns, detectorHits: masked.detectorHits, resultHash: masked.resultHash },
        delivered: {
          requestId,
          columns: masked.columns,
          rows: masked.rows,
          rowCount: masked.rows.length,
          truncated: result.truncated,
          bytesProcessed: result.bytesProcessed,
          resultHash: masked.resultHash,
        },
      },
      context,
    );
  }

  /** Appends the next attempt's start; false when the request moved on meanwhile (cancelled, or another writer). */
  async function startAttempt(requestId: string, jobId: string, attempt: number, location: string | undefined): Promise<boolean> {
    try {
      await repository.handle(
        requestId,
        { type: 'StartExecution', jobId, warehouse: warehouse.kind, resumed: false, attempt, ...(location ? { location } : {}) },
        { causationId: `saga:${requestId}` },
      );
      return true;
    } catch (error) {
      if (!isConflict(error)) throw error;
      logger.info('retry not started: the request moved on', { requestId, jobId });
      return false;
    }
  }

  async function recordFailure(requestId: string, command: RequestCommand, context: { causationId: string }): Promise<void> {
    await record(requestId, command, context).catch((recordError: unknown) =>
      logger.error('could not record the failed execution', { requestId, error: String(recordError) }),
    );
  }

  /**
   * The job passed its deadline: the request must not end while the job can still change data
   * nobody sees recorded. Cancel it, wait for the warehouse to say how it ended, and record that:
   * the result when it outran the cancel, a timeout when it stopped.
   */
  async function settleTimedOut(
    requestId: string,
    request: ExecuteRequest,
  ): Promise<{ result: QueryResult } | { failure: { code: string; message: string; childJobs?: readonly ChildJob[] } }> {
    const { jobId, location } = request;
    const final = await cancelAndConfirm(
      warehouse,
      jobId,
      location,
      { waitMs: settings.cancelConfirmMs ?? 60_000, pollMs: settings.cancelPollMs ?? 500 },
      (stage, error) => logger.warn(stage === 'cancel' ? 'could not cancel the timed-out job' : 'could not check the cancelled job', { requestId, error: String(error) }),
    );
    const limit = `${settings.timeoutMs} ms`;
    switch (final.state) {
      case 'done':
        try {
          return { result: await warehouse.getResults(jobId, request.maxRows, request.maxResultBytes, location) };
        } catch (error) {
          return { failure: await failureOf(error, jobId, location) };
        }
      case 'failed':
        return final.reason === 'stopped'
          ? { failure: { code: 'warehouse_timeout', message: `The job ran past the time limit of ${limit}; it was cancelled and the warehouse confirmed it stopped` } }
          : { failure: { code: final.code, message: final.message } };
      case 'unknown':
        return { failure: { code: 'warehouse_timeout', message: `The query did not finish within the time limit of ${limit}` } };
      case 'running':
        return {
          failure: {
            code: 'warehouse_timeout',
            message: `The job ran past the time limit of ${limit}; it was cancelled, but the warehouse had not confirmed it stopped when last asked (job ${jobId})`,
          },
        };
    }
  }

  async function failureOf(error: unknown, jobId: string, location: string | undefined): Promise<{ code: string; message: string; childJobs?: readonly ChildJob[] }> {
    if (error instanceof JobFailure) return { code: error.code, message: error.message };
    const childJobs = childJobsIn(error);
    if (childJobs && isLedgergateError(error)) return { code: error.code, message: error.message, childJobs };
    if (await resultsGone(error, jobId, location)) {
      return {
        code: 'result_unavailable',
        message: 'The query ran, but its result was lost when the gateway restarted and cannot be fetched again; submit the query again to see the rows',
      };
    }
    if (isLedgergateError(error)) return { code: error.code, message: error.message };
    logger.error('execution failed unexpectedly', { jobId, error: String(error) });
    return { code: 'internal', message: 'The query failed in the warehouse' };
  }

  return {
    claimFor,
    execute(requestId, options = {}) {
      const existing = running.get(requestId);
      if (existing) return existing;
      const job = run(requestId, options.resume ?? false, options.known, options.claimed ?? false)
        .catch((error: unknown) => logger.error('execution saga error', { requestId, error: String(error) }))
        .finally(() => running.delete(requestId));
      running.set(requestId, job);
      return job;
    },
    inFlight: () => running.size,
    async drain(timeoutMs) {
      const all = Promise.allSettled([...running.values()]);
      await Promise.race([all, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
    },
  };
}
