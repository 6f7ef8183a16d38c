/**
 * The process manager that runs allowed and approved requests: claims the execution by appending
 * ExecutionStarted at the expected revision (so one replica runs it), runs the job under an id
 * derived from the request id (so a retry finds the job instead of running it twice), masks the
 * result and records the outcome. At start it resumes every request left in flight.
 */
import { createHash } from 'node:crypto';
import { isLedgergateError, RevisionConflictError } from '../domain/errors.js';
import { evaluatePolicy } from '../domain/policy/evaluate.js';
import type { Clock, ExecuteRequest, QueryResult, Warehouse, Logger, MaskedResult, ResultMasker } from '../domain/ports.js';
import type { RequestCommand } from '../domain/request/commands.js';
import type { RequestState } from '../domain/request/request-state.js';
import { analysisFromSummary } from './analysis-summary.js';
import type { PolicyHolder } from './policy-holder.js';
import type { LoadedRequest, RequestRepository } from './request-repository.js';
import { evaluationEvent } from './evaluation-event.js';

export interface ExecutionSettings {
  readonly timeoutMs: number;
  readonly maxResultBytes: number;
  readonly maximumBytesBilled?: number;
}

export interface ExecutionSaga {
  /**
   * Runs the request if it is ready (or resumes it when `resume`); a no-op otherwise. `known` is the
   * caller's own last write of the stream, so the run starts without reading it again.
   */
  execute(requestId: string, options?: { resume?: boolean; known?: LoadedRequest; claimed?: boolean }): Promise<void>;
  /**
   * The claim of a request about to be recorded as allowed, for the caller to append together with it
   * (one durable write instead of two); then `execute` with `claimed: true` runs it without claiming again.
   */
  claimOf(requestId: string): RequestCommand;
  /** Requests this process is running now. */
  inFlight(): number;
  /** Waits for the executions under way (graceful shutdown). */
  drain(timeoutMs: number): Promise<void>;
}

export const jobIdFor = (requestId: string): string => `ledgergate_${requestId.replace(/[^A-Za-z0-9_-]/g, '_')}`;

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
  const claimOf = (requestId: string): RequestCommand => ({ type: 'StartExecution', jobId: jobIdFor(requestId), warehouse: warehouse.kind, resumed: false });

  async function claim(requestId: string, resume: boolean, known?: LoadedRequest, claimed = false): Promise<{ state: RequestState; loaded: LoadedRequest; resumed: boolean } | undefined> {
    let loaded = known ?? (await repository.load(requestId));
    const { state } = loaded;
    if (!state) return undefined;
    // The caller appended our claim with the request itself: this run is its first and only start.
    if (claimed && known && state.status === 'running' && state.execution?.jobId === jobIdFor(requestId) && state.execution.starts === 1) {
      return { state, loaded, resumed: false };
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
    // A resumed run keeps the job id it started with: that id is how the warehouse recognises the job.
    const jobId = resumed && current.execution ? current.execution.jobId : jobIdFor(requestId);
    const started = await repository.handle(requestId, { type: 'StartExecution', jobId, warehouse: warehouse.kind, resumed }, context, { known: loaded });
    return { state: started.state, loaded: started.loaded, resumed };
  }

  const isConflict = (error: unknown): boolean =>
    error instanceof RevisionConflictError || (isLedgergateError(error) && error.code === 'invalid_transition');

  /**
   * Appends the outcome at the revision the claim left (no read). A conflict means someone else wrote
   * first: the repository reads once and decides again — when that was an outcome or a cancellation,
   * the decider refuses and we stop; when it was only another claim, the outcome is recorded.
   */
  async function record(requestId: string, command: RequestCommand, context: { causationId: string }, known: LoadedRequest): Promise<void> {
    try {
      await repository.handle(requestId, command, context, { known, conflictRetries: 5 });
    } catch (error) {
      if (isLedgergateError(error) && error.code === 'invalid_transition') {
        logger.info('execution outcome not recorded: the request moved on (cancelled or finished elsewhere)', { requestId });
        return;
      }
      throw error;
    }
  }

  /**
   * The job's outcome after a restart: the job is looked up by its id, never run again blindly.
   * Unknown means it never reached the warehouse (the claim was written, then the process died), so
   * starting it now is its first and only run; the id still guards against a racing replica.
   */
  async function recover(request: ExecuteRequest): Promise<QueryResult> {
    const job = await warehouse.getJob(request.jobId);
    switch (job.state) {
      case 'failed':
        throw new JobFailure(job.code, job.message);
      case 'done':
        return warehouse.getResults(request.jobId, request.maxRows, request.maxResultBytes);
      case 'running':
      case 'unknown':
        // execute() on an existing id answers with that job (BigQuery: 409, then the job's results).
        return warehouse.execute(request);
    }
  }

  /** A job that ran but whose rows are gone (DuckDB keeps SELECT results in memory only). */
  async function resultsGone(error: unknown, jobId: string): Promise<boolean> {
    if (!isLedgergateError(error) || error.code !== 'not_found') return false;
    const job = await warehouse.getJob(jobId).catch(() => undefined);
    return job?.state === 'done';
  }

  async function run(requestId: string, resume: boolean, known?: LoadedRequest, claimedByCaller = false): Promise<void> {
    let claimed: Awaited<ReturnType<typeof claim>>;
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
    const jobId = state.execution.jobId;
    const context = { causationId: `job:${jobId}` };
    const startedAt = Date.now();
    const request: ExecuteRequest = {
      jobId,
      sql: state.request.sql,
      maxRows: state.request.maxRows,
      maxResultBytes: settings.maxResultBytes,
      timeoutMs: settings.timeoutMs,
      ...(settings.maximumBytesBilled ? { maximumBytesBilled: settings.maximumBytesBilled } : {}),
      labels: {
        ledgergate_request: requestId,
        ledgergate_principal: principalHash(state.request.principal.subject),
        ...(state.request.sessionId ? { ledgergate_session: state.request.sessionId } : {}),
      },
    };
    let result: QueryResult;
    try {
      result = claimed.resumed ? await recover(request) : await warehouse.execute(request);
    } catch (error) {
      const failure = await failureOf(error, jobId);
      if (failure.code === 'warehouse_timeout') {
        // The request is failed now; the job must not go on to change data nobody will see recorded.
        await warehouse.cancel(jobId).catch((cancelError: unknown) => logger.warn('could not cancel the timed-out job', { requestId, error: String(cancelError) }));
      }
      await record(requestId, { type: 'FailExecution', jobId, code: failure.code, message: failure.message }, context, claimed.loaded).catch((recordError: unknown) =>
        logger.error('could not record the failed execution', { requestId, error: String(recordError) }),
      );
      return;
    }
    let masked: MaskedResult;
    try {
      masked = await masker.mask({ analysis: analysisFromSummary(state.analysis), result, policy: policies.current() });
    } catch (error) {
      logger.error('masking failed; the result is withheld', { requestId, error: String(error) });
      await record(requestId, { type: 'FailExecution', jobId, code: 'internal', message: 'The result could not be masked, so it is withheld' }, context, claimed.loaded);
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
      claimed.loaded,
    );
  }

  async function failureOf(error: unknown, jobId: string): Promise<{ code: string; message: string }> {
    if (error instanceof JobFailure) return { code: error.code, message: error.message };
    if (await resultsGone(error, jobId)) {
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
    execute(requestId, options = {}) {
      const existing = running.get(requestId);
      if (existing) return existing;
      const job = run(requestId, options.resume ?? false, options.known, options.claimed ?? false)
        .catch((error: unknown) => logger.error('execution saga error', { requestId, error: String(error) }))
        .finally(() => running.delete(requestId));
      running.set(requestId, job);
      return job;
    },
    claimOf,
    inFlight: () => running.size,
    async drain(timeoutMs) {
      const all = Promise.allSettled([...running.values()]);
      await Promise.race([all, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
    },
  };
}
