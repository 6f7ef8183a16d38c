/**
 * Given a request's events (made by the real decider), then each persisted projection's rows. Every projection,
 * report and metric must read the same status as the `evolve` fold: a requester's cancellation is
 * `cancelled` everywhere — never `rejected` in the approvals list nor `failed` in the access log.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createGatewayMetrics } from '../../../src/adapters/metrics/gateway-metrics.js';
import { createOutcomeMetrics } from '../../../src/adapters/metrics/outcome-metrics.js';
import type { RequestCommand } from '../../../src/domain/request/commands.js';
import { requestDecider } from '../../../src/domain/request/request-decider.js';
import type { RequestEvent } from '../../../src/domain/request/request-stream.js';
import type { RequestDeciderState } from '../../../src/domain/request/request-state.js';
import { publicStatusOf, type RequestStatus } from '../../../src/domain/request/request-status.js';
import { toQueryView } from '../../../src/domain/request/request-view.js';
import type { RecordedEvent } from '../../../src/domain/ports.js';
import { accessLogSqlChars } from '../../../src/projections/access-log.js';
import { projected } from '../../support/read-models.js';
import { approveBy, at, evaluation, hash, person, requestId, submitCommand, t0 } from '../request/fixtures.js';

const requester = person('alice', ['analysts']);
const owner = person('olga', ['data-owners']);
const gatewayId = 'gw-test';

const start: RequestCommand = { type: 'StartExecution', jobId: 'job-1', warehouse: 'duckdb', resumed: false };
const complete: RequestCommand = {
  type: 'CompleteExecution',
  succeeded: { requestId, jobId: 'job-1', rowCount: 2, totalRows: 2, truncated: false, bytesProcessed: 10, durationMs: 1 },
  masked: { requestId, maskedColumns: [{ column: 'email', rule: 'email_mask', reason: 'lineage', sources: ['t.email'], originalType: 'STRING' }], detectorHits: [{ column: 'note', detector: 'email', count: 3 }], resultHash: hash('c') },
  delivered: { requestId, columns: [{ name: 'email', type: 'STRING' }], rows: [{ email: 'x' }, { email: 'y' }], rowCount: 2, truncated: false, bytesProcessed: 10, resultHash: hash('c') },
};
const fail: RequestCommand = { type: 'FailExecution', jobId: 'job-1', code: 'query_failed', message: 'boom' };
const cancel: RequestCommand = { type: 'CancelRequest', by: requester };
const expire: RequestCommand = { type: 'ExpireApproval', now: at(7200) };

/** Runs commands through the real decider and records the events the way the store would. */
function given(effect: 'allow' | 'approve' | 'deny', commands: RequestCommand[]): { recorded: RecordedEvent[]; state: RequestDeciderState } {
  let state = requestDecider.initialState();
  const recorded: RecordedEvent[] = [];
  for (const [step, command] of [submitCommand(requester, evaluation(effect)), ...commands].entries()) {
    const occurredAt = at(step).toISOString();
    for (const event of requestDecider.decide(command, state) as RequestEvent[]) {
      state = requestDecider.evolve(state, event, occurredAt);
      recorded.push({
        streamName: `query-${requestId}`,
        revision: recorded.length,
        position: recorded.length + 1,
        type: event.type,
        data: event.data,
        metadata: { correlationId: requestId, occurredAt, gatewayId, sessionId: 'sess-1' },
        recordedAt: occurredAt,
      } as RecordedEvent);
    }
  }
  return { recorded, state };
}

function project(recorded: RecordedEvent[]) {
  const { accessLog, approvals: queue, approvalsReport: report } = projected(recorded);
  const metrics = createGatewayMetrics({ version: 'test' });
  const outcomes = createOutcomeMetrics({ metrics, gatewayId });
  for (const event of recorded) outcomes.apply(event);
  return { accessLog, queue, report, metrics };
}

async function countedStatuses(metrics: ReturnType<typeof createGatewayMetrics>): Promise<string[]> {
  const family = (await metrics.queries.get()).values;
  return family.filter((v) => v.value > 0).map((v) => String(v.labels.status));
}

const scenarios: { name: string; effect: 'allow' | 'approve' | 'deny'; commands: RequestCommand[]; status: RequestStatus; approval?: string; counted: string[] }[] = [
  { name: 'allowed and delivered', effect: 'allow', commands: [start, complete], status: 'succeeded', counted: ['succeeded'] },
  { name: 'allowed, not started yet', effect: 'allow', commands: [], status: 'ready', counted: [] },
  { name: 'allowed and failed', effect: 'allow', commands: [start, fail], status: 'failed', counted: ['failed'] },
  { name: 'allowed, cancelled while running', effect: 'allow', commands: [start, cancel], status: 'cancelled', counted: ['cancelled'] },
  { name: 'denied', effect: 'deny', commands: [], status: 'denied', counted: ['denied'] },
  { name: 'pending approval', effect: 'approve', commands: [], status: 'pending_approval', approval: 'pending_approval', counted: [] },
  { name: 'pending, cancelled by its requester', effect: 'approve', commands: [cancel], status: 'cancelled', approval: 'cancelled', counted: ['cancelled'] },
  { name: 'pending, rejected by an approver', effect: 'approve', commands: [approveBy(owner, at(1), 'reject')], status: 'rejected', approval: 'rejected', counted: ['rejected'] },
  { name: 'pending, expired', effect: 'approve', commands: [expire], status: 'expired', approval: 'expired', counted: ['expired'] },
  { name: 'approved, then cancelled while running', effect: 'approve', commands: [approveBy(owner), start, cancel], status: 'cancelled', approval: 'approved', counted: ['cancelled'] },
  { name: 'approved and delivered', effect: 'approve', commands: [approveBy(owner), start, complete], status: 'succeeded', approval: 'approved', counted: ['succeeded'] },
];

describe('one status vocabulary across projections', () => {
  for (const scenario of scenarios) {
    it(`${scenario.name}: evolve, access log, approvals, report and metrics agree on ${scenario.status}`, async () => {
      const { recorded, state } = given(scenario.effect, scenario.commands);
      assert.equal(state?.status, scenario.status, 'the fold');
      const { accessLog, queue, report, metrics } = project(recorded);

      const row = accessLog.get(requestId);
      assert.equal(row?.status, scenario.status, 'access log');
      assert.deepEqual(accessLog.rows({ status: scenario.status }).map((r) => r.requestId), [requestId], 'access log filtered by status');
      assert.deepEqual(accessLog.inFlight(), scenario.status === 'ready' || scenario.status === 'running' ? [requestId] : [], 'resume-at-start');

      assert.equal(queue.get(requestId)?.status, scenario.approval, 'approval queue');
      const item = report.report().items.find((i) => i.requestId === requestId);
      assert.equal(item?.outcome, scenario.approval ? scenario.status : undefined, 'approvals report');

      assert.deepEqual(await countedStatuses(metrics), scenario.counted, 'metrics');
    });
  }

  it('the contract answer shows a cancellation as failed with code cancelled (its list has no cancelled status)', () => {
    const { state } = given('approve', [cancel]);
    assert.ok(state.status !== 'none');
    const view = toQueryView(state);
    assert.equal(view.status, 'failed');
    assert.equal(view.error?.code, 'cancelled');
    assert.equal(publicStatusOf('ready'), 'running');
  });

  it('GET /v1/approvals?status=rejected no longer lists a request its requester cancelled', () => {
    const cancelled = given('approve', [cancel]).recorded;
    const { queue } = project(cancelled);
    assert.deepEqual(queue.list('rejected'), []);
    assert.equal(queue.list('all').length, 1);
    assert.deepEqual(queue.pending(), []);
    assert.equal(queue.nextDeadline(), undefined, 'a cancelled request leaves the expiry timer');
  });

  it('access log row: who, what, decision and outcome columns from the events', () => {
    const { accessLog } = project(given('approve', [approveBy(owner, at(1), 'approve', 'ok'), start, complete]).recorded);
    const row = accessLog.get(requestId);
    assert.ok(row);
    assert.equal(row.subject, 'alice');
    assert.equal(row.decision, 'approve');
    assert.deepEqual(row.approvers.map((a) => [a.subject, a.decision, a.comment]), [['olga', 'approve', 'ok']]);
    assert.equal(row.jobId, 'job-1');
    assert.equal(row.rows, 2);
    assert.deepEqual(row.maskedColumns, ['email:email_mask']);
    assert.equal(row.detectorHits, 3);
    assert.equal(row.finishedAt, at(3).toISOString());
    assert.equal(row.time, t0.toISOString());
  });

  it('access log row: SQL up to 64 Ki characters whole; a longer text shown by its start, its length and its hash', () => {
    const short = given('deny', []).recorded;
    const shortRow = project(short).accessLog.get(requestId);
    assert.equal(shortRow?.sql, 'INSERT INTO sales.orders (order_id) VALUES (1)');
    assert.equal(shortRow?.sqlLength, shortRow?.sql.length);

    const huge = `SELECT ${'1 + '.repeat(250_000)}1 AS x`;
    const long = short.map((e) => (e.type === 'QueryRequested' ? ({ ...e, data: { ...(e.data as object), sql: huge } } as RecordedEvent) : e));
    const row = project(long).accessLog.get(requestId);
    assert.ok(row);
    assert.equal(row.sql, huge.slice(0, accessLogSqlChars));
    assert.equal(row.sqlLength, huge.length);
    assert.equal(row.sqlHash, hash('b'), 'the hash is the recorded one, of the whole text');
    assert.equal(row.status, 'denied');
  });

  it('approvals report totals count cancellations apart from rejections', () => {
    const { report } = project(given('approve', [cancel]).recorded);
    const { totals } = report.report();
    assert.equal(totals.cancelled, 1);
    assert.equal(totals.rejected, 0);
  });
});

describe('session index', () => {
  it('given request events with a session id, then the session lists each request stream once with first and last activity', () => {
    const { recorded } = given('allow', [start, complete]);
    const foreign = { ...recorded[0]!, streamName: 'auth-failures', position: 99 } as RecordedEvent;
    const { sessions } = projected([...recorded, foreign]);
    assert.deepEqual(sessions.streamsOf('sess-1'), [`query-${requestId}`]);
    assert.deepEqual(sessions.list(), [{ sessionId: 'sess-1', firstAt: at(0).toISOString(), lastAt: at(2).toISOString(), streams: 1 }]);
    assert.deepEqual(sessions.streamsOf('other'), []);
  });
});
