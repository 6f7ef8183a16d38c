/**
 * The saga across crashes: a request claimed but never finished is resumed by looking its job up
 * by id — never by running it again — and what cannot be recovered fails with a clear code.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jobIdFor } from '../../../src/app/execution-saga.js';
import { LedgergateError } from '../../../src/domain/errors.js';
import { crashAfterClaim, createSagaWorld, rowsResult } from './saga-harness.js';

const outcomeTypes = ['ExecutionSucceeded', 'ResultMasked', 'ResultDelivered'];

describe('execution saga', () => {
  it('claims, runs the job once under the id derived from the request, and records the result', async () => {
    const world = createSagaWorld();
    await world.submit('r1');
    await world.saga().execute('r1');
    assert.equal(world.warehouse.calls.runs, 1);
    assert.ok(world.warehouse.jobs.has(jobIdFor('r1')));
    const types = await world.eventTypes('r1');
    assert.deepEqual(types.slice(3), ['ExecutionStarted', ...outcomeTypes]);
    const delivered = (await world.events('r1')).find((e) => e.type === 'ResultDelivered');
    assert.equal(delivered?.data.rowCount, 2);
  });

  it('resumes a claim whose job never reached the warehouse by starting that job (its first run)', async () => {
    const world = createSagaWorld();
    await world.submit('r2');
    await crashAfterClaim(world, 'r2');
    await world.saga().execute('r2', { resume: true });
    assert.equal(world.warehouse.calls.runs, 1);
    const events = await world.events('r2');
    const starts = events.filter((e) => e.type === 'ExecutionStarted');
    assert.equal(starts.length, 2);
    assert.equal(starts[1].data.resumed, true);
    assert.equal(starts[1].data.jobId, jobIdFor('r2'));
    assert.ok(events.some((e) => e.type === 'ResultDelivered'));
  });

  it('after a crash between the warehouse finishing and the outcome append, fetches the results by job id', async () => {
    const world = createSagaWorld();
    await world.submit('r3');
    await crashAfterClaim(world, 'r3');
    world.warehouse.jobs.set(jobIdFor('r3'), { state: 'done', result: rowsResult(jobIdFor('r3'), 5) });
    await world.saga().execute('r3', { resume: true });
    assert.equal(world.warehouse.calls.runs, 0, 'the query must not run again');
    assert.equal(world.warehouse.calls.execute, 0);
    assert.equal(world.warehouse.calls.getResults, 1);
    const delivered = (await world.events('r3')).find((e) => e.type === 'ResultDelivered');
    assert.equal(delivered?.data.rowCount, 5);
  });

  it('fails with result_unavailable when the job ran but its rows are gone (embedded warehouse after a restart)', async () => {
    const world = createSagaWorld();
    await world.submit('r4');
    await crashAfterClaim(world, 'r4');
    world.warehouse.jobs.set(jobIdFor('r4'), { state: 'done', resultsLost: true });
    await world.saga().execute('r4', { resume: true });
    assert.equal(world.warehouse.calls.runs, 0);
    const failed = (await world.events('r4')).find((e) => e.type === 'ExecutionFailed');
    assert.equal(failed?.data.code, 'result_unavailable');
    assert.match(String(failed?.data.message), /submit the query again/);
  });

  it('records the failure of a job that failed before the crash, without running it again', async () => {
    const world = createSagaWorld();
    await world.submit('r5');
    await crashAfterClaim(world, 'r5');
    world.warehouse.jobs.set(jobIdFor('r5'), { state: 'failed', failure: { code: 'bytes_billed_exceeded', message: 'Query exceeded the bytes-billed cap' } });
    await world.saga().execute('r5', { resume: true });
    assert.equal(world.warehouse.calls.runs, 0);
    const failed = (await world.events('r5')).find((e) => e.type === 'ExecutionFailed');
    assert.deepEqual([failed?.data.code, failed?.data.message], ['bytes_billed_exceeded', 'Query exceeded the bytes-billed cap']);
  });

  it('a job still running at resume is awaited through execute(), which answers with the existing job', async () => {
    const world = createSagaWorld();
    await world.submit('r6');
    await crashAfterClaim(world, 'r6');
    const job = { state: 'running' as const, result: rowsResult(jobIdFor('r6'), 1) };
    world.warehouse.jobs.set(jobIdFor('r6'), job);
    await world.saga().execute('r6', { resume: true });
    assert.equal(world.warehouse.calls.runs, 0);
    assert.equal(world.warehouse.calls.execute, 1);
    assert.ok((await world.eventTypes('r6')).includes('ResultDelivered'));
  });

  it('a request already running elsewhere is left alone unless resuming', async () => {
    const world = createSagaWorld();
    await world.submit('r7');
    await crashAfterClaim(world, 'r7');
    await world.saga().execute('r7');
    assert.equal(world.warehouse.calls.getJob + world.warehouse.calls.execute, 0);
    assert.deepEqual((await world.eventTypes('r7')).filter((t) => t === 'ExecutionStarted').length, 1);
  });

  it('two replicas racing for one ready request: one claim wins, the job runs once, one outcome', async () => {
    const world = createSagaWorld();
    await world.submit('r8');
    world.warehouse.next = async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return rowsResult(request.jobId, 3);
    };
    const a = world.saga({ gatewayId: 'gw-a' });
    const b = world.saga({ gatewayId: 'gw-b' });
    await Promise.all([a.execute('r8'), b.execute('r8')]);
    assert.equal(world.warehouse.calls.runs, 1);
    const types = await world.eventTypes('r8');
    assert.equal(types.filter((t) => t === 'ExecutionStarted').length, 1);
    assert.equal(types.filter((t) => t === 'ResultDelivered').length, 1);
  });

  it('a replica resuming while the first still runs shares the job id: one run, one recorded outcome', async () => {
    const world = createSagaWorld();
    await world.submit('r9');
    let release: () => void = () => undefined;
    world.warehouse.next = async (request) => {
      await new Promise<void>((resolve) => (release = resolve));
      return rowsResult(request.jobId, 4);
    };
    const first = world.saga({ gatewayId: 'gw-a' }).execute('r9');
    while (!world.warehouse.jobs.has(jobIdFor('r9'))) await new Promise((resolve) => setTimeout(resolve, 5));
    const second = world.saga({ gatewayId: 'gw-b' }).execute('r9', { resume: true });
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    await Promise.all([first, second]);
    assert.equal(world.warehouse.calls.runs, 1);
    const types = await world.eventTypes('r9');
    assert.equal(types.filter((t) => t === 'ResultDelivered').length, 1);
    assert.equal(types.filter((t) => t === 'ExecutionFailed').length, 0);
  });

  it('cancels a job that timed out, so it cannot change data after the request failed', async () => {
    const world = createSagaWorld();
    await world.submit('r10');
    world.warehouse.next = async () => {
      throw new LedgergateError('warehouse_timeout', 'BigQuery job did not finish within the allowed time');
    };
    await world.saga().execute('r10');
    assert.deepEqual(world.warehouse.calls.cancel, [jobIdFor('r10')]);
    const failed = (await world.events('r10')).find((e) => e.type === 'ExecutionFailed');
    assert.equal(failed?.data.code, 'warehouse_timeout');
  });

  it('a cancelled request keeps its cancellation: the late outcome is not recorded over it', async () => {
    const world = createSagaWorld();
    await world.submit('r11');
    let release: () => void = () => undefined;
    world.warehouse.next = async (request) => {
      await new Promise<void>((resolve) => (release = resolve));
      return rowsResult(request.jobId, 1);
    };
    const running = world.saga().execute('r11');
    while (!world.warehouse.jobs.has(jobIdFor('r11'))) await new Promise((resolve) => setTimeout(resolve, 5));
    await world.repository.handle('r11', { type: 'CancelRequest', by: { subject: 'agent-1', issuer: 'https://issuer.test', groups: ['ai-agents'] } }, {});
    release();
    await running;
    const types = await world.eventTypes('r11');
    assert.equal(types.at(-1), 'ExecutionCancelled');
    assert.ok(!types.includes('ResultDelivered'));
  });
});
