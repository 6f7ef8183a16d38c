/**
 * What agents and approvers ask of the gateway: submit a query, read it (long-polling), decide an
 * approval, cancel. Each call is analysed, judged and recorded before anything runs.
 */
import { createHash } from 'node:crypto';
import { coarseStatement, type Analysis } from '../domain/analysis/types.js';
import { samePerson } from '../domain/approvals/eligibility.js';
import { LedgergateError } from '../domain/errors.js';
import type { Principal } from '../domain/identity/principal.js';
import { evaluatePolicy } from '../domain/policy/evaluate.js';
import type { QueryAssessed } from '../domain/events/index.js';
import type { AssessmentRecorder } from './assessment-recorder.js';
import type { Effect, PolicyDecision } from '../domain/policy/types.js';
import { approverGroupsOf } from '../domain/policy/approver-groups.js';
import type { Analyser, Clock, IdGenerator, Warehouse, Logger } from '../domain/ports.js';
import { snapshotOf } from '../domain/request/decide.js';
import { terminalStatuses, type RequestState } from '../domain/request/request-state.js';
import { toQueryView, type QueryView } from '../domain/request/request-view.js';
import type { RequestCommand } from '../domain/request/commands.js';
import { summariseAnalysis } from './analysis-summary.js';
import { crossCheckDryRun } from './dry-run-check.js';
import { tableRefOf } from './table-ref.js';
import { evaluationEvent } from './evaluation-event.js';
import type { ExecutionSaga } from './execution-saga.js';
import type { PolicyHolder } from './policy-holder.js';
import { newRequest, type CommandContext, type LoadedRequest, type RequestRepository } from './request-repository.js';
import type { RequestNotifier } from './request-notifier.js';

export interface QuerySettings {
  readonly defaultProject: string;
  readonly defaultMaxRows: number;
  readonly maxRowsCap: number;
  readonly maxSqlLength: number;
  /** How long POST waits for an allowed query when the caller gives no `wait`. */
  readonly defaultWaitSeconds: number;
  readonly maxWaitSeconds: number;
  readonly auditorGroups: readonly string[];
  readonly pricePerTiBUsd: number;
  /** Pauses between further cancel attempts for a job the warehouse did not know yet (default 250, 1000, 3000 ms). */
  readonly cancelRetryDelaysMs?: readonly number[];
}

export interface CallerContext {
  readonly principal: Principal;
  readonly clientIp?: string;
  readonly userAgent?: string;
  readonly sessionId?: string;
  readonly requestTraceId?: string;
}

export interface SubmitInput {
  readonly sql: string;
  readonly reason?: string;
  readonly maxRows?: number;
  readonly waitSeconds?: number;
  readonly channel: 'rest' | 'mcp' | 'bigquery-api';
  /** A request id the caller derived itself (the BigQuery API namespaces client job ids with it). */
  readonly requestId?: string;
  readonly clientJobId?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** What a query would meet without running it: the analysis and the policy's decision (a dry run). */
export interface Assessment {
  readonly analysis: Analysis;
  readonly decision: { readonly effect: Effect; readonly rule: string; readonly reasons: readonly string[] };
  readonly policyHash: string;
}

/** Why an assessment was answered to the caller, and what they were refused, if anything. */
export interface AssessmentOutcome {
  readonly purpose: QueryAssessed['purpose'];
  readonly channel: QueryAssessed['channel'];
  readonly refusal?: string;
}

export interface QueryService {
  submit(caller: CallerContext, input: SubmitInput): Promise<QueryView>;
  /** Analyses and judges without recording or running anything (dry runs, bytes-limit checks). */
  assess(caller: CallerContext, sql: string): Promise<Assessment>;
  /** Records an assessment the caller is answered from, durably, before the answer leaves. */
  recordAssessment(caller: CallerContext, sql: string, assessment: Assessment, outcome: AssessmentOutcome): Promise<void>;
  get(caller: CallerContext, requestId: string, waitSeconds?: number, signal?: AbortSignal): Promise<QueryView>;
  decide(caller: CallerContext, requestId: string, decision: 'approve' | 'reject', comment?: string): Promise<QueryView>;
  cancel(caller: CallerContext, requestId: string): Promise<QueryView>;
  /** The raw state, for callers that need more than the view (access checks included). */
  load(caller: CallerContext, requestId: string): Promise<RequestState>;
}

export const sqlHashOf = (sql: string): string => createHash('sha256').update(sql, 'utf8').digest('hex');

const fallbackAnalysis = (): Analysis => ({
  statements: [coarseStatement('unknown', [], { unparsed: true, lineageIncomplete: true })],
  tables: [],
  kinds: ['unknown'],
});

export function createQueryService(deps: {
  repository: RequestRepository;
  analyser: Analyser;
  warehouse: Warehouse;
  policies: PolicyHolder;
  saga: ExecutionSaga;
  notifier: RequestNotifier;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  settings: QuerySettings;
  assessments: AssessmentRecorder;
}): QueryService {
  const { repository, analyser, warehouse, policies, saga, notifier, clock, ids, logger, settings, assessments } = deps;

  const contextOf = (caller: CallerContext): CommandContext => ({
    principal: {
      subject: caller.principal.subject,
      ...(caller.principal.email ? { email: caller.principal.email } : {}),
      ...(caller.principal.actor ? { actor: caller.principal.actor.subject } : {}),
    },
    ...(caller.clientIp ? { clientIp: caller.clientIp } : {}),
    ...(caller.userAgent ? { userAgent: caller.userAgent } : {}),
    ...(caller.sessionId ? { sessionId: caller.sessionId } : {}),
    ...(caller.requestTraceId ? { causationId: caller.requestTraceId } : {}),
  });

  /** The analysis, or the analysis limit the statement is over (the request is then recorded as unknown and refused). */
  async function analyse(sql: string): Promise<{ analysis: Analysis; limit?: LedgergateError }> {
    try {
      return { analysis: await analyseWithEstimate(sql) };
    } catch (error) {
      if (error instanceof LedgergateError && error.code === 'analysis_limit') {
        logger.info('statement over an analysis limit; recorded as unknown and refused', { reason: String(error.details.reason ?? '') });
        return { analysis: fallbackAnalysis(), limit: error };
      }
      throw error;
    }
  }

  async function analyseWithEstimate(sql: string): Promise<Analysis> {
    let analysis: Analysis;
    try {
      analysis = await analyser.analyse(sql, { defaultProject: settings.defaultProject });
    } catch (error) {
      if (error instanceof LedgergateError && error.code === 'analysis_limit') throw error;
      logger.warn('analysis failed; treating the request as unknown', { error: String(error) });
      return fallbackAnalysis();
    }
    if (analysis.kinds.includes('unknown')) return analysis;
    if (!warehouse.dryRun) return withCatalogEstimate(analysis);
    try {
      return crossCheckDryRun(analysis, await warehouse.dryRun(sql));
    } catch (error) {
      // A failed dry run leaves the estimate unknown; bytesOver rules then fail closed.
      logger.info('dry run failed', { code: error instanceof LedgergateError ? error.code : 'unknown' });
      return analysis;
    }
  }

  /** Without a dry run, the referenced tables' storage sizes bound what the query can scan. */
  async function withCatalogEstimate(analysis: Analysis): Promise<Analysis> {
    if (analysis.tables.length === 0) return { ...analysis, bytesEstimate: 0 };
    const sizes = await Promise.all(
      analysis.tables.map(async (table) => {
        const ref = tableRefOf(table);
        return ref ? (await warehouse.getTable(ref).catch(() => undefined))?.numBytes : undefined;
      }),
    );
    if (sizes.some((size) => size === undefined)) return analysis;
    return { ...analysis, bytesEstimate: sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0) };
  }

  const isApproverOrAuditor = (principal: Principal, state: RequestState): boolean => {
    const approverGroups = new Set([
      ...approverGroupsOf(policies.current()),
      ...(state.approval?.requested.settings.approverGroups ?? []),
      ...settings.auditorGroups,
    ]);
    return principal.groups.some((g) => approverGroups.has(g));
  };

  /** The request with its revision, when the caller may see it (one read). */
  async function loadVisibleStream(caller: CallerContext, requestId: string): Promise<LoadedRequest & { state: RequestState }> {
    const loaded = await repository.load(requestId);
    const { state } = loaded;
    // Requests of others are reported as absent, so ids cannot be probed.
    if (!state || !(samePerson(caller.principal, state.request.principal) || isApproverOrAuditor(caller.principal, state))) {
      throw new LedgergateError('not_found', `No query ${requestId} visible to you`);
    }
    return { ...loaded, state };
  }

  const loadVisible = async (caller: CallerContext, requestId: string): Promise<RequestState> => (await loadVisibleStream(caller, requestId)).state;

  /**
   * Waits for `done`, reading the stream again only when it changed. `fresh` says `state` is this
   * process's own write and the listener goes up before any other append can land (the saga's first
   * append is at least one await away), so there is nothing to re-read until a notification comes.
   */
  async function waitUntil(
    requestId: string,
    state: RequestState,
    done: (s: RequestState) => boolean,
    waitSeconds: number,
    options: { signal?: AbortSignal; fresh?: boolean } = {},
  ): Promise<RequestState> {
    const { signal } = options;
    const deadline = Date.now() + Math.min(waitSeconds, settings.maxWaitSeconds) * 1000;
    let current = state;
    let stale = !options.fresh;
    while (!done(current) && Date.now() < deadline && !signal?.aborted) {
      // Listen before re-reading, so a change that lands while we read is not missed.
      const changed = notifier.waitForChange(requestId, Math.min(deadline - Date.now(), 1000), signal);
      if (stale) {
        const { state: reloaded } = await repository.load(requestId);
        if (reloaded) current = reloaded;
        if (done(current)) break;
      }
      // A wake-up means a change to read; a timeout re-reads too, as a guard against a missed wake-up.
      await changed;
      stale = true;
    }
    return current;
  }

  /**
   * Cancels the job now; when the warehouse does not know it yet (the saga claimed the request but
   * has not submitted the job), tries again in the background so a late-starting job is stopped too.
   */
  async function cancelJob(requestId: string, jobId: string, location: string | undefined): Promise<void> {
    const attempt = async (): Promise<boolean> => {
      // The job's recorded location goes with every call: a regional job is not found without it.
      await warehouse.cancel(jobId, location).catch((error: unknown) => logger.info('job cancel failed', { requestId, error: String(error) }));
      const job = await warehouse.getJob(jobId, location).catch(() => undefined);
      return job !== undefined && job.state !== 'unknown';
    };
    if (await attempt()) return;
    void (async () => {
      for (const delayMs of settings.cancelRetryDelaysMs ?? [250, 1000, 3000]) {
        await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
        if (await attempt()) return;
      }
    })();
  }

  return {
    async submit(caller, input) {
      if (input.sql.length > settings.maxSqlLength) {
        throw new LedgergateError('sql_too_long', `sql is longer than ${settings.maxSqlLength} characters`);
      }
      const requestId = input.requestId ?? ids.next();
      const maxRows = Math.min(input.maxRows ?? settings.defaultMaxRows, settings.maxRowsCap);
      const { analysis, limit } = await analyse(input.sql);
      const policy = policies.current();
      // Over a limit, nothing was read with certainty: refused whatever the policy says of unknown SQL.
      const decision: PolicyDecision = limit
        ? { effect: 'deny', rule: 'analysis-limit', reasons: [limit.message], perStatement: [{ effect: 'deny', rule: 'analysis-limit' }], policyHash: policy.hash }
        : evaluatePolicy(policy, { groups: caller.principal.groups, analysis });
      const costEstimateUsd =
        analysis.bytesEstimate !== undefined ? (analysis.bytesEstimate / 2 ** 40) * settings.pricePerTiBUsd : undefined;
      const submitCommand: RequestCommand = {
        type: 'SubmitQuery',
        requested: {
          requestId,
          sql: input.sql,
          sqlHash: sqlHashOf(input.sql),
          ...(input.reason ? { reason: input.reason } : {}),
          maxRows,
          principal: snapshotOf(caller.principal),
          ...(caller.sessionId ? { sessionId: caller.sessionId } : {}),
          ...(caller.clientIp ? { clientIp: caller.clientIp } : {}),
          ...(caller.userAgent ? { userAgent: caller.userAgent } : {}),
          channel: input.channel,
          ...(input.clientJobId ? { clientJobId: input.clientJobId } : {}),
          ...(input.labels ? { labels: { ...input.labels } } : {}),
        },
        analysed: summariseAnalysis(requestId, analysis, costEstimateUsd !== undefined ? { costEstimateUsd } : {}),
        evaluation: evaluationEvent(requestId, decision),
        now: clock.now(),
      };
      // An allowed query is recorded and claimed for execution in one durable write.
      const claim = decision.effect === 'allow' && !limit ? await saga.claimFor(requestId, input.sql) : undefined;
      const submitted = await repository.handle(requestId, claim ? [submitCommand, claim] : submitCommand, contextOf(caller), { known: newRequest });
      const { state } = submitted;
      if (limit) throw new LedgergateError('analysis_limit', limit.message, { ...limit.details, id: requestId, rule: 'analysis-limit' });
      if (state.status === 'ready' || (claim && state.status === 'running')) void saga.execute(requestId, { known: submitted.loaded, claimed: claim !== undefined });
      const explicitWait = input.waitSeconds !== undefined;
      const waitSeconds = input.waitSeconds ?? settings.defaultWaitSeconds;
      const finished = await waitUntil(
        requestId,
        state,
        (s) => terminalStatuses.has(s.status) || (!explicitWait && s.status === 'pending_approval'),
        waitSeconds,
        { fresh: true },
      );
      return toQueryView(finished);
    },

    async assess(caller, sql) {
      if (sql.length > settings.maxSqlLength) {
        throw new LedgergateError('sql_too_long', `sql is longer than ${settings.maxSqlLength} characters`);
      }
      // An assessment records nothing: a statement over an analysis limit is refused outright.
      const { analysis, limit } = await analyse(sql);
      if (limit) throw limit;
      const decision = evaluatePolicy(policies.current(), { groups: caller.principal.groups, analysis });
      return { analysis, decision: { effect: decision.effect, rule: decision.rule, reasons: decision.reasons }, policyHash: decision.policyHash };
    },

    async recordAssessment(caller, sql, { analysis, decision, policyHash }, outcome) {
      await assessments.record(caller, {
        purpose: outcome.purpose,
        channel: outcome.channel,
        sql,
        sqlHash: sqlHashOf(sql),
        tables: [...analysis.tables],
        kinds: [...analysis.kinds],
        ...(analysis.bytesEstimate !== undefined ? { bytesEstimate: analysis.bytesEstimate } : {}),
        ...(analysis.readingProblems?.length ? { readingProblems: [...analysis.readingProblems] } : {}),
        decision: { effect: decision.effect, rule: decision.rule, reasons: [...decision.reasons] },
        policyHash,
        ...(outcome.refusal ? { refusal: outcome.refusal } : {}),
      });
    },

    async get(caller, requestId, waitSeconds = 0, signal) {
      const state = await loadVisible(caller, requestId);
      const finished = await waitUntil(requestId, state, (s) => terminalStatuses.has(s.status), waitSeconds, { ...(signal ? { signal } : {}) });
      return toQueryView(finished);
    },

    async decide(caller, requestId, decision, comment) {
      // The decider answers not_found for an unknown id; conflicts read again and decide again.
      const handled = await repository.handle(
        requestId,
        () => ({ type: 'DecideApproval', approver: caller.principal, decision, ...(comment ? { comment } : {}), now: clock.now() }),
        contextOf(caller),
        { conflictRetries: 10 },
      );
      if (handled.events.some((e) => e.type === 'ApprovalExpired')) {
        throw new LedgergateError('already_decided', `Query ${requestId} expired before this decision`, { queryStatus: 'expired' });
      }
      if (handled.state.status === 'ready') void saga.execute(requestId, { known: handled.loaded });
      return toQueryView(handled.state);
    },

    async cancel(caller, requestId) {
      const visible = await loadVisibleStream(caller, requestId);
      const handled = await repository.handle(requestId, { type: 'CancelRequest', by: caller.principal }, contextOf(caller), {
        known: visible,
        conflictRetries: 10,
      });
      const cancelled = handled.events.find((e) => e.type === 'ExecutionCancelled')?.data;
      if (cancelled && 'jobId' in cancelled && cancelled.jobId) await cancelJob(requestId, cancelled.jobId, handled.state.execution?.location);
      return toQueryView(handled.state);
    },

    load: loadVisible,
  };
}
