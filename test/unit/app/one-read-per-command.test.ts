/**
 * Command handling reads a request's stream at most once per command, and not at all when the caller
 * holds its own last write: an allowed query goes from submit to delivered result without reading its
 * stream, a stale belief costs exactly one read (then the decider judges the fresh state), and every
 * append wakes its waiters exactly once. Reads and appends are counted on the in-memory store.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createExecutionSaga } from '../../../src/app/execution-saga.js';
import { silentLogger } from '../../../src/adapters/logging/silent-logger.js';
import type { PolicyHolder } from '../../../src/app/policy-holder.js';
import type { RequestNotifier } from '../../../src/app/request-notifier.js';
import { createRequestRepository, newRequest, type RequestRepository } from '../../../src/app/request-repository.js';
import { RevisionConflictError } from '../../../src/domain/errors.js';
import { createEventRegistry } from '../../../src/domain/events/registry.js';
import type { Policy } from '../../../src/domain/policy/types.js';
import type { EventStore } from '../../../src/domain/ports.js';
import type { RequestCommand } from '../../../src/domain/request/commands.js';
import { snapshotOf } from '../../../src/domain/request/decide.js';
import { createMemoryEventStore } from '../../support/memory-event-store.js';
import { rowsResult, ScriptedWarehouse } from '../saga/saga-harness.js';

const policyHash = 'a'.repeat(64);
const agent = { subject: 'agent-1', issuer: 'https://issuer.test', groups: ['ai-agents'] };

function counted() {
  const store = createMemoryEventStore();
  const counts = { reads: 0, appends: 0, notifications: 0 };
  const countingStore: EventStore = Object.create(store, {
    readStream: { value: (...args: Parameters<EventStore['readStream']>) => ((counts.reads += 1), store.readStream(...args)) },
    append: { value: (...args: Parameters<EventStore['append']>) => ((counts.appends += 1), store.append(...args)) },
  });
  const notifier: RequestNotifier = { notify: () => void (counts.notifications += 1), waitForChange: async () => false };
  const repository = createRequestRepository({ store: countingStore, registry: createEventRegistry(), clock: { now: () => new Date() }, notifier, gatewayId: 'gw-1' });
  return { store, counts, repository };
}

const submit = (requestId: string): RequestCommand => ({
  type: 'SubmitQuery',
  requested: { requestId, sql: 'SELECT 1', sqlHash: 'b'.repeat(64), maxRows: 10, principal: snapshotOf(agent), channel: 'rest' },
  analysed: { requestId, statements: [], tables: [], kinds: ['select'] },
  evaluation: { requestId, effect: 'allow', rule: 'allow-all', policyHash, reasons: [], perStatement: [{ effect: 'allow', rule: 'allow-all' }] },
  now: new Date(),
});

function sagaOn(repository: RequestRepository, warehouse: ScriptedWarehouse) {
  return createExecutionSaga({
    repository,
    warehouse,
    policies: { current: () => ({ hash: policyHash }) as unknown as Policy } as PolicyHolder,
    masker: {
      mask: async ({ result }) => ({
        columns: result.columns.map((c) => ({ name: c.name, type: c.type })),
        rows: result.rows.map((r) => Object.fromEntries(result.columns.map((c, i) => [c.name, r[i] ?? null]))),
        maskedColumns: [],
        detectorHits: [],
        resultHash: 'f'.repeat(64),
      }),
    },
    clock: { now: () => new Date() },
    logger: silentLogger,
    settings: { timeoutMs: 5_000, maxResultBytes: 1_000_000 },
  });
}

describe('one read per command', () => {
  it('an allowed query runs from submit to its delivered result with one stream read (for the outcome), 3 appends, 3 wake-ups', async () => {
    const { store, counts, repository } = counted();
    const warehouse = new ScriptedWarehouse();
    warehouse.next = async (request) => rowsResult(request.jobId, 3);
    const saga = sagaOn(repository, warehouse);
    const submitted = await repository.handle('r1', submit('r1'), {}, { known: newRequest });
    await saga.execute('r1', { known: submitted.loaded });
    assert.deepEqual((await store.readStream('query-r1')).map((e) => e.type), [
      'QueryRequested',
      'QueryAnalysed',
      'PolicyEvaluated',
      'ExecutionStarted',
      'ExecutionSucceeded',
      'ResultMasked',
      'ResultDelivered',
    ]);
    // Submit and claim go on the caller's own write; the outcome (after job attempts that may append) reads once.
    assert.deepEqual(counts, { reads: 1, appends: 3, notifications: 3 });
  });

  it('recorded and claimed in one append: the allowed query costs two durable writes', async () => {
    const { store, counts, repository } = counted();
    const warehouse = new ScriptedWarehouse();
    const saga = sagaOn(repository, warehouse);
    const claim = await saga.claimFor('r7', 'SELECT 1');
    assert.ok(claim);
    const submitted = await repository.handle('r7', [submit('r7'), claim], {}, { known: newRequest });
    assert.equal(submitted.state.status, 'running');
    await saga.execute('r7', { known: submitted.loaded, claimed: true });
    const events = await store.readStream('query-r7');
    assert.deepEqual(events.map((e) => e.type), ['QueryRequested', 'QueryAnalysed', 'PolicyEvaluated', 'ExecutionStarted', 'ExecutionSucceeded', 'ResultMasked', 'ResultDelivered']);
    assert.equal(counts.appends, 2);
    assert.equal(warehouse.calls.runs, 1, 'the job ran once');
  });

  it('a claimed run whose belief is not its own first start claims like any other run', async () => {
    const { store, repository } = counted();
    const warehouse = new ScriptedWarehouse();
    const saga = sagaOn(repository, warehouse);
    const submitted = await repository.handle('r8', submit('r8'), {}, { known: newRequest });
    await saga.execute('r8', { known: submitted.loaded, claimed: true });
    assert.deepEqual((await store.readStream('query-r8')).map((e) => e.type).slice(3), ['ExecutionStarted', 'ExecutionSucceeded', 'ResultMasked', 'ResultDelivered']);
    assert.equal(warehouse.calls.runs, 1);
  });

  it('a stale belief costs one read, then the decider judges the fresh state', async () => {
    const { counts, repository } = counted();
    const first = await repository.handle('r2', submit('r2'), {}, { known: newRequest });
    await repository.handle('r2', { type: 'StartExecution', jobId: 'j', warehouse: 'duckdb', resumed: false }, {}, { known: first.loaded });
    counts.reads = 0;
    // A second claim from the old belief: conflict, one read, and the decider refuses (already running).
    await assert.rejects(
      repository.handle('r2', { type: 'StartExecution', jobId: 'j', warehouse: 'duckdb', resumed: false }, {}, { known: first.loaded }),
      (error: Error & { code?: string }) => error.code === 'invalid_transition',
    );
    assert.equal(counts.reads, 1);
  });

  it('a writer landing between read and append: a conflict without retries, decided again on a fresh read with them', async () => {
    const { store, counts, repository } = counted();
    await repository.handle('r3', submit('r3'), {}, { known: newRequest });
    await repository.handle('r6', submit('r6'), {}, { known: newRequest });
    const other = createRequestRepository({ store, registry: createEventRegistry(), clock: { now: () => new Date() }, notifier: { notify: () => undefined, waitForChange: async () => false }, gatewayId: 'gw-2' });
    // The other replica claims right after our read (the original readStream runs first, then the claim).
    const read = store.readStream.bind(store);
    let interleave: string | undefined = 'r3';
    store.readStream = async (...args) => {
      const events = await read(...args);
      if (interleave) {
        const target = interleave;
        interleave = undefined;
        await other.handle(target, { type: 'StartExecution', jobId: 'j', warehouse: 'duckdb', resumed: false }, {});
      }
      return events;
    };
    const cancel: RequestCommand = { type: 'CancelRequest', by: agent };
    await assert.rejects(repository.handle('r3', cancel, {}), RevisionConflictError);

    interleave = 'r6';
    counts.reads = 0;
    const handled = await repository.handle('r6', cancel, {}, { conflictRetries: 1 });
    assert.equal(handled.state.status, 'cancelled');
    assert.equal(handled.events[0]?.type, 'ExecutionCancelled');
    assert.equal(counts.reads, 2, 'one read, one fresh read after the conflict');
  });

  it('a command without a known state reads once; a maker of commands is called once per attempt', async () => {
    const { counts, repository } = counted();
    await repository.handle('r5', submit('r5'), {}, { known: newRequest });
    counts.reads = 0;
    let made = 0;
    const handled = await repository.handle('r5', () => ((made += 1), { type: 'CancelRequest', by: agent }), {}, { conflictRetries: 3 });
    assert.equal(handled.state.status, 'cancelled');
    assert.equal(counts.reads, 1);
    assert.equal(made, 1);
  });
});
