/**
 * Creating a job the way BigQuery does: validated, placed in a location, run as one statement or as
 * a script of child jobs, bounded by jobTimeoutMs. Facts and sources: server.ts's header.
 */
import { randomBytes } from 'node:crypto';
import { bytesBilledFor, sameLocation, scheduleStop, type CancelBehaviour, type FakeJob, type JobFailure } from './jobs.js';
import { documentedStatementTypes, splitStatements, statementTypeOf } from './statement-types.js';
import type { Sleeper } from './http-kit.js';
import { EngineError, type EngineResult, type QueryEngine } from './types.js';
import { legacySqlProblem } from './validation.js';

export interface CreateContext {
  readonly sleeper: Sleeper;
  readonly projectId: string;
  readonly engine: QueryEngine;
  readonly jobs: Map<string, FakeJob>;
  readonly now: () => number;
  jobDurationMs: (sql: string) => number;
  /** Where a dataset's data lives; a job reading it runs there. */
  readonly datasetLocation: (datasetId: string) => string;
  /** Where jobs run that read no dataset and name no location. */
  readonly location: string;
  cancelBehaviour: CancelBehaviour;
}

const failureOf = (error: unknown): JobFailure =>
  error instanceof EngineError
    ? { reason: error.reason, message: error.message, location: error.location }
    : { reason: 'invalidQuery', message: error instanceof Error ? error.message : String(error), location: 'query' };

export const isFailure = (value: EngineResult | JobFailure): value is JobFailure => 'reason' in value;

/** Runs one statement on the engine; the statementType is the one BigQuery gives that kind of statement. */
export const runStatement = async (ctx: CreateContext, sql: string, dryRun: boolean): Promise<EngineResult | JobFailure> => {
  let result: EngineResult;
  try {
    result = await ctx.engine.run(sql, { dryRun });
  } catch (error) {
    return failureOf(error);
  }
  const statementType = statementTypeOf(sql) ?? result.statementType;
  if (!documentedStatementTypes.has(statementType)) {
    return { reason: 'invalidQuery', message: `Fake engine reported undocumented statementType ${statementType}`, location: 'query' };
  }
  return { ...result, statementType };
};

/** The location the data of a result lives in, or undefined when it reads no dataset. */
export const dataLocationOf = (ctx: CreateContext, result: EngineResult): string | undefined => {
  const first = result.referencedTables[0];
  return first ? ctx.datasetLocation(first.datasetId) : undefined;
};

/** A job sent to another location than its data's fails like BigQuery: the dataset is "not found in location". */
export const locationFailure = (ctx: CreateContext, result: EngineResult, jobLocation: string): JobFailure | undefined => {
  const misplaced = result.referencedTables.find((t) => !sameLocation(ctx.datasetLocation(t.datasetId), jobLocation));
  return misplaced
    ? { reason: 'notFound', message: `Not found: Dataset ${misplaced.projectId}:${misplaced.datasetId} was not found in location ${jobLocation}` }
    : undefined;
};

const bytesLimitFailure = (result: EngineResult, limit: unknown): JobFailure | undefined => {
  if (limit === undefined || limit === null) return undefined;
  const billed = bytesBilledFor(result.totalBytesProcessed);
  if (Number(limit) >= billed) return undefined;
  return { reason: 'bytesBilledLimitExceeded', message: `Query exceeded limit for bytes billed: ${String(limit)}. ${billed} or higher required.` };
};

interface Placed {
  readonly outcome: EngineResult | JobFailure;
  readonly location: string;
  readonly children?: readonly { readonly sql: string; readonly outcome: EngineResult | JobFailure }[];
}

/**
 * Runs the statements of a script in order until one fails; the script's result is its last
 * statement's. The whole script is parsed first: a statement that does not compile fails the
 * script before anything runs, as in BigQuery; only runtime errors leave earlier statements done.
 */
const runScript = async (ctx: CreateContext, statements: readonly string[]): Promise<Placed['children'] | JobFailure> => {
  for (const sql of statements) {
    const checked = await runStatement(ctx, sql, true);
    if (isFailure(checked)) return checked;
  }
  const children: { sql: string; outcome: EngineResult | JobFailure }[] = [];
  for (const sql of statements) {
    const outcome = await runStatement(ctx, sql, false);
    children.push({ sql, outcome });
    if (isFailure(outcome)) break;
  }
  return children;
};

const scriptOutcome = (children: NonNullable<Placed['children']>): EngineResult | JobFailure => {
  const last = children[children.length - 1].outcome;
  if (isFailure(last)) return last;
  const results = children.map((c) => c.outcome as EngineResult);
  return {
    ...last,
    statementType: 'SCRIPT',
    totalBytesProcessed: results.reduce((sum, r) => sum + r.totalBytesProcessed, 0),
    referencedTables: results.flatMap((r) => r.referencedTables),
    numDmlAffectedRows: undefined,
  };
};

export const createJob = async (
  ctx: CreateContext,
  project: string,
  jobId: string,
  requestedLocation: string | undefined,
  configuration: Record<string, unknown>,
): Promise<FakeJob> => {
  const queryConfig = (configuration.query ?? {}) as Record<string, unknown>;
  const sql = String(queryConfig.query ?? '');
  const legacy = legacySqlProblem(queryConfig);
  const statements = splitStatements(sql);
  const duration = ctx.jobDurationMs(sql);
  let placed: Placed;
  if (legacy) {
    placed = { outcome: { reason: 'invalidQuery', message: legacy, location: 'query' }, location: requestedLocation ?? ctx.location };
  } else if (statements.length > 1) {
    const ran = await runScript(ctx, statements);
    const children = Array.isArray(ran) ? ran : [];
    const outcome = Array.isArray(ran) ? scriptOutcome(children) : (ran as JobFailure);
    placed = { outcome, location: requestedLocation ?? (isFailure(outcome) ? ctx.location : dataLocationOf(ctx, outcome) ?? ctx.location), children };
  } else {
    // A slow job is only validated now (a dry run); its statement runs when the job finishes, unless stopped first.
    const outcome = await runStatement(ctx, sql, duration > 0);
    placed = { outcome, location: requestedLocation ?? (isFailure(outcome) ? ctx.location : dataLocationOf(ctx, outcome) ?? ctx.location) };
  }
  const { outcome, location } = placed;
  const result = isFailure(outcome) ? undefined : outcome;
  const failure = isFailure(outcome)
    ? outcome
    : (requestedLocation ? locationFailure(ctx, outcome, requestedLocation) : undefined) ?? bytesLimitFailure(outcome, queryConfig.maximumBytesBilled);
  const createdAt = ctx.now();
  const childJobIds = placed.children && statements.length > 1 ? placed.children.map((_, i) => `script_job_${randomBytes(8).toString('hex')}_${i}`) : undefined;
  placed.children?.forEach((child, i) => {
    const childResult = isFailure(child.outcome) ? undefined : child.outcome;
    ctx.jobs.set(childJobIds![i], {
      projectId: project,
      jobId: childJobIds![i],
      location,
      query: child.sql,
      configuration: { query: { query: child.sql, useLegacySql: false } },
      createdAt: createdAt + i,
      doneAt: createdAt + i,
      result: childResult,
      failure: isFailure(child.outcome) ? child.outcome : undefined,
      insertAttempts: 0,
      parentJobId: jobId,
    });
  });
  // A query that fails at validation time (bad SQL, bytes limit, wrong location) is DONE at once.
  const doneAt = failure && !placed.children?.length ? createdAt : createdAt + duration;
  const deferred = duration > 0 && !failure && !placed.children;
  const job: FakeJob = {
    projectId: project,
    jobId,
    location,
    query: sql,
    configuration,
    createdAt,
    doneAt,
    result: deferred ? undefined : result,
    failure,
    insertAttempts: 1,
    ...(childJobIds ? { childJobIds } : {}),
  };
  const timeoutMs = Number(configuration.jobTimeoutMs ?? Number.NaN);
  if (Number.isFinite(timeoutMs) && timeoutMs > 0 && !failure) {
    // jobTimeoutMs: "BigQuery might attempt to stop the job" — best effort, like a cancel issued at the limit.
    const probe: FakeJob = { ...job, doneAt };
    scheduleStop(probe, ctx.cancelBehaviour, createdAt + timeoutMs, `Job execution was cancelled: Job timed out after ${Math.round(timeoutMs / 1000)} sec`);
    job.doneAt = probe.doneAt;
    job.failure = probe.failure;
  }
  ctx.jobs.set(jobId, job);
  if (deferred) {
    job.pending = ctx.sleeper.sleep(duration).then(() => finish(ctx, job));
  }
  return job;
};

/** Runs a slow job's statement once it reaches doneAt — unless it was stopped, in which case nothing ran. */
const finish = async (ctx: CreateContext, job: FakeJob): Promise<void> => {
  try {
    if (job.failure || ctx.sleeper.closed) return;
    const outcome = await runStatement(ctx, job.query, false);
    if (isFailure(outcome)) job.failure = outcome;
    else job.result = outcome;
  } finally {
    job.pending = undefined;
  }
};

/** Waits for a job's statement to have run (or been skipped) when the job is due; at once otherwise. */
export const settle = async (job: FakeJob, now: number): Promise<void> => {
  if (job.pending && now >= job.doneAt && !job.failure) await job.pending.catch(() => undefined);
};

/** A dry run: one statement, or a script's statements each dry-run and reported together as SCRIPT. */
export const dryRunOutcome = async (ctx: CreateContext, sql: string): Promise<EngineResult | JobFailure> => {
  const statements = splitStatements(sql);
  if (statements.length <= 1) return runStatement(ctx, sql, true);
  const results: EngineResult[] = [];
  for (const statement of statements) {
    const outcome = await runStatement(ctx, statement, true);
    if (isFailure(outcome)) return outcome;
    results.push(outcome);
  }
  const last = results[results.length - 1];
  return {
    ...last,
    statementType: 'SCRIPT',
    totalBytesProcessed: results.reduce((sum, r) => sum + r.totalBytesProcessed, 0),
    referencedTables: results.flatMap((r) => r.referencedTables),
    totalBytesProcessedAccuracy: results.every((r) => (r.totalBytesProcessedAccuracy ?? 'PRECISE') === 'PRECISE') ? 'PRECISE' : 'LOWER_BOUND',
  };
};
