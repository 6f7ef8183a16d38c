/**
 * The saga wired to an in-memory event store, a scripted warehouse and a pass-through masker, so
 * tests can stage a crash at any point of a request's life and watch what a restart does.
 */
import { createExecutionSaga, jobIdFor, type ExecutionSaga, type ExecutionSettings } from '../../../src/app/execution-saga.js';
import type { PolicyHolder } from '../../../src/app/policy-holder.js';
import { createRequestNotifier } from '../../../src/app/request-notifier.js';
import { createRequestRepository, type RequestRepository } from '../../../src/app/request-repository.js';
import { LedgergateError } from '../../../src/domain/errors.js';
import { createEventRegistry } from '../../../src/domain/events/registry.js';
import { snapshotOf } from '../../../src/domain/request/decide.js';
import { requestStreamName } from '../../../src/domain/request/request-stream.js';
import type { Policy } from '../../../src/domain/policy/types.js';
import type { ExecuteRequest, JobState, QueryResult, Warehouse, ResultMasker } from '../../../src/domain/ports.js';
import { createMemoryEventStore, type MemoryEventStore } from '../../support/memory-event-store.js';
import { silentLogger } from '../../../src/adapters/logging/silent-logger.js';

export const policyHash = 'a'.repeat(64);

/** What a job did on the scripted warehouse. */
export interface ScriptedJob {
  state: 'running' | 'done' | 'failed';
  result?: QueryResult;
  failure?: { code: string; message: string };
  /** True when a restart lost the rows (the embedded DuckDB keeps SELECT results in memory only). */
  resultsLost?: boolean;
  /** Settles when a job this warehouse is running ends (a second caller waits on it, as BigQuery's 409 path does). */
  settled?: Promise<unknown>;
}

/** A warehouse that runs each job id at most once (like BigQuery's job ids) and counts everything. */
export class ScriptedWarehouse implements Warehouse {
  readonly kind = 'bigquery' as const;
  readonly projectId = 'demo-project';
  readonly jobs = new Map<string, ScriptedJob>();
  readonly calls = { execute: 0, runs: 0, getJob: 0, getResults: 0, cancel: [] as string[] };
  /** How the next new job behaves. */
  next: (request: ExecuteRequest) => Promise<QueryResult> = async (request) => rowsResult(request.jobId, 2);

  async execute(request: ExecuteRequest): Promise<QueryResult> {
    this.calls.execute += 1;
    const existing = this.jobs.get(request.jobId);
    if (existing) {
      await existing.settled?.catch(() => undefined);
      return this.answer(request.jobId, existing);
    }
    this.calls.runs += 1;
    const job: ScriptedJob = { state: 'running' };
    this.jobs.set(request.jobId, job);
    const work = this.next(request);
    job.settled = work;
    try {
      job.result = await work;
      job.state = 'done';
      return job.result;
    } catch (error) {
      job.state = 'failed';
      job.failure = error instanceof LedgergateError ? { code: error.code, message: error.message } : { code: 'internal', message: 'x' };
      throw error;
    }
  }

  private answer(jobId: string, job: ScriptedJob): QueryResult {
    if (job.state === 'failed') throw new LedgergateError('query_failed', job.failure?.message ?? 'failed');
    if (job.resultsLost || !job.result) throw new LedgergateError('not_found', `Results of job ${jobId} are no longer available`);
    return job.result;
  }

  async getJob(jobId: string): Promise<JobState> {
    this.calls.getJob += 1;
    const job = this.jobs.get(jobId);
    if (!job) return { state: 'unknown' };
    if (job.state === 'failed') return { state: 'failed', code: job.failure?.code ?? 'query_failed', message: job.failure?.message ?? '' };
    return { state: job.state };
  }

  async getResults(jobId: string): Promise<QueryResult> {
    this.calls.getResults += 1;
    const job = this.jobs.get(jobId);
    if (!job) throw new LedgergateError('not_found', `Job ${jobId} is unknown`);
    return this.answer(jobId, job);
  }

  async cancel(jobId: string): Promise<void> {
    this.calls.cancel.push(jobId);
  }

  async close(): Promise<void> {}
  async getTable() {
    return undefined;
  }
  async listDatasets() {
    return [];
  }
  async listTables() {
    return [];
  }
  version() {
    return 'scripted';
  }
}

export const rowsResult = (jobId: string, count: number): QueryResult => ({
  jobId,
  columns: [{ name: 'n', type: 'INT64' }],
  rows: Array.from({ length: count }, (_, i) => [i + 1]),
  totalRows: count,
  truncated: false,
  bytesProcessed: 1024,
});

const passThroughMasker: ResultMasker = {
  mask: async ({ result }) => ({
    columns: result.columns.map((c) => ({ name: c.name, type: c.type })),
    rows: result.rows.map((r) => Object.fromEntries(result.columns.map((c, i) => [c.name, r[i] ?? null]))),
    maskedColumns: [],
    detectorHits: [],
    resultHash: 'f'.repeat(64),
  }),
};

const fixedPolicies: PolicyHolder = {
  current: () => ({ hash: policyHash }) as unknown as Policy,
  activate: async () => {
    throw new Error('not used');
  },
  adopt: () => undefined,
};

export interface SagaWorld {
  readonly store: MemoryEventStore;
  readonly repository: RequestRepository;
  readonly warehouse: ScriptedWarehouse;
  /** A saga as one gateway process sees it; call again for a "restarted" or second replica. */
  saga(options?: { timeoutMs?: number; gatewayId?: string; settings?: Partial<ExecutionSettings> }): ExecutionSaga;
  /** Points later sagas at another warehouse (a reopened one, after a simulated restart). */
  useWarehouse(next: Warehouse): void;
  /** Records an allowed SELECT, ready to run. */
  submit(requestId: string, sql?: string): Promise<void>;
  eventTypes(requestId: string): Promise<string[]>;
  events(requestId: string): Promise<{ type: string; data: Record<string, unknown> }[]>;
}

export function createSagaWorld(options: { warehouse?: Warehouse } = {}): SagaWorld {
  const store = createMemoryEventStore();
  const registry = createEventRegistry();
  const clock = { now: () => new Date() };
  const warehouse = new ScriptedWarehouse();
  let runOn: Warehouse = options.warehouse ?? warehouse;
  const repositoryFor = (gatewayId: string) => createRequestRepository({ store, registry, clock, notifier: createRequestNotifier(), gatewayId });
  const repository = repositoryFor('gw-test');
  const events = async (requestId: string) =>
    (await store.readStream(requestStreamName(requestId))).map((e) => ({ type: e.type, data: e.data as Record<string, unknown> }));
  return {
    store,
    repository,
    warehouse,
    saga: (options = {}) =>
      createExecutionSaga({
        repository: repositoryFor(options.gatewayId ?? 'gw-test'),
        warehouse: runOn,
        policies: fixedPolicies,
        masker: passThroughMasker,
        clock,
        logger: silentLogger,
        settings: { timeoutMs: options.timeoutMs ?? 5_000, maxResultBytes: 1_000_000, ...options.settings },
      }),
    async submit(requestId, sql = 'SELECT n FROM `demo-project.sales.numbers`') {
      await repository.handle(
        requestId,
        {
          type: 'SubmitQuery',
          requested: {
            requestId,
            sql,
            sqlHash: 'b'.repeat(64),
            maxRows: 100,
            principal: snapshotOf({ subject: 'agent-1', issuer: 'https://issuer.test', groups: ['ai-agents'] }),
            channel: 'rest',
          },
          analysed: { requestId, statements: [], tables: ['demo-project.sales.numbers'], kinds: ['select'] },
          evaluation: { requestId, effect: 'allow', rule: 'allow-all', policyHash, reasons: [], perStatement: [{ effect: 'allow', rule: 'allow-all' }] },
          now: new Date(),
        },
        {},
      );
    },
    useWarehouse: (next) => {
      runOn = next;
    },
    eventTypes: async (requestId) => (await events(requestId)).map((e) => e.type),
    events,
  };
}

/** The state a crash leaves behind right after the claim: ExecutionStarted, no outcome. */
export async function crashAfterClaim(world: SagaWorld, requestId: string): Promise<void> {
  await world.repository.handle(requestId, { type: 'StartExecution', jobId: jobIdFor(requestId), warehouse: 'bigquery', resumed: false }, {});
}
