/**
 * The process manager that runs allowed and approved requests: claims the execution by appending
 * ExecutionStarted at the expected revision (so one replica runs it), runs the job under an id
 * derived from the request id (so a retry finds the job instead of running it twice), masks the
 * result and records the outcome. At start it resumes every request left in flight.
 */
import { createHash } from 'node:crypto';
import { isLedgergateError, RevisionConflictError } from '../domain/errors.js';
import { evaluatePolicy } from '../domain/policy/evaluate.js';
import type { Clock, Warehouse } from '../domain/ports.js';
import type { RequestState } from '../domain/request/request-state.js';
import { analysisFromSummary } from './analysis-summary.js';
import type { Logger } from './logger.js';
import type { PolicyHolder } from './policy-holder.js';
import type { RequestRepository } from './request-repository.js';
import type { ResultMasker } from './result-masker.js';
import { evaluationEvent } from './evaluation-event.js';

export interface ExecutionSettings {
  readonly timeoutMs: number;
  readonly maxResultBytes: number;
  readonly maximumBytesBilled?: number;
}

export interface ExecutionSaga {
  /** Runs the request if it is ready (or resumes it when `resume`); a no-op otherwise. */
  execute(requestId: string, options?: { resume?: boolean }): Promise<void>;
  /** Requests this process is running now. */
  inFlight(): number;
  /** Waits for the executions under way (graceful shutdown). */
  drain(timeoutMs: number): Promise<void>;
}

export const jobIdFor = (requestId: string): string => `ledgergate_${requestId.replace(/[^A-Za-z0-9_-]/g, '_')}`;

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

  async function claim(requestId: string, resume: boolean): Promise<RequestState | undefined> {
    const { state } = await repository.load(requestId);
    if (!state) return undefined;
    if (state.status === 'running' && !resume) return undefined;
    if (state.status !== 'ready' && state.status !== 'running') return undefined;
    const context = { causationId: `saga:${requestId}` };
    let current = state;
    if (current.status === 'ready') {
      const policy = policies.current();
      if (policy.hash !== current.policyHash && current.analysis) {
        const decision = evaluatePolicy(policy, { groups: current.request.principal.groups, analysis: analysisFromSummary(current.analysis) });
        current = (await repository.handle(requestId, { type: 'Reevaluate', evaluation: evaluationEvent(requestId, decision), now: clock.now() }, context)).state;
        if (current.status !== 'ready') return undefined;
      }
    }
    const started = await repository.handle(
      requestId,
      { type: 'StartExecution', jobId: jobIdFor(requestId), warehouse: warehouse.kind, resumed: current.status === 'running' },
      context,
    );
    return started.state;
  }

  async function run(requestId: string, resume: boolean): Promise<void> {
    let state: RequestState | undefined;
    try {
      state = await claim(requestId, resume);
    } catch (error) {
      if (error instanceof RevisionConflictError || (isLedgergateError(error) && error.code === 'invalid_transition')) return;
      throw error;
    }
    if (!state || !state.execution || !state.analysis) return;
    const jobId = state.execution.jobId;
    const context = { causationId: `job:${jobId}` };
    const startedAt = Date.now();
    try {
      const result = await warehouse.execute({
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
      });
      const masked = await masker.mask({ analysis: analysisFromSummary(state.analysis), result, policy: policies.current() });
      await repository.handle(
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
      );
    } catch (error) {
      if (error instanceof RevisionConflictError || (isLedgergateError(error) && error.code === 'invalid_transition')) {
        logger.info('execution outcome not recorded: the request moved on (cancelled or taken over)', { requestId });
        return;
      }
      const code = isLedgergateError(error) ? error.code : 'internal';
      const message = isLedgergateError(error) ? error.message : 'The query failed in the warehouse';
      if (!isLedgergateError(error)) logger.error('execution failed unexpectedly', { requestId, error: String(error) });
      try {
        await repository.handle(requestId, { type: 'FailExecution', jobId, code, message }, context);
      } catch (recordError) {
        logger.error('could not record the failed execution', { requestId, error: String(recordError) });
      }
    }
  }

  return {
    execute(requestId, options = {}) {
      const existing = running.get(requestId);
      if (existing) return existing;
      const job = run(requestId, options.resume ?? false)
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
