/**
 * Request lifecycles made by the real decider (allowed and delivered, denied, pending, approved and
 * delivered, cancelled, rejected, failed), each under its own request id, session and principal: the
 * events a gateway records, to feed read models in tests.
 */
import type { NewEvent } from '../../src/domain/ports.js';
import type { RequestCommand } from '../../src/domain/request/commands.js';
import { requestDecider } from '../../src/domain/request/request-decider.js';
import type { RequestEvent } from '../../src/domain/request/request-stream.js';
import { approveBy, at, evaluation, hash, person, requestId as templateId, submitCommand } from '../unit/request/fixtures.js';

const requester = person('alice', ['analysts'], { email: 'alice@example.com' });
const owner = person('olga', ['data-owners']);
const start: RequestCommand = { type: 'StartExecution', jobId: 'job-1', warehouse: 'duckdb', resumed: false };
const complete: RequestCommand = {
  type: 'CompleteExecution',
  succeeded: { requestId: templateId, jobId: 'job-1', rowCount: 2, totalRows: 2, truncated: false, bytesProcessed: 10, durationMs: 1 },
  masked: { requestId: templateId, maskedColumns: [{ column: 'email', rule: 'email', reason: 'lineage', sources: ['t.email'], originalType: 'STRING' }], detectorHits: [{ column: 'note', detector: 'email', count: 1 }], resultHash: hash('c') },
  delivered: { requestId: templateId, columns: [{ name: 'email', type: 'STRING' }], rows: [{ email: 'a***@example.com' }, { email: 'b***@example.com' }], rowCount: 2, truncated: false, bytesProcessed: 10, resultHash: hash('c') },
};

const kinds: { effect: 'allow' | 'approve' | 'deny'; commands: RequestCommand[] }[] = [
  { effect: 'allow', commands: [start, complete] },
  { effect: 'deny', commands: [] },
  { effect: 'approve', commands: [] },
  { effect: 'approve', commands: [approveBy(owner, at(1)), start, complete] },
  { effect: 'allow', commands: [start, { type: 'CancelRequest', by: requester }] },
  { effect: 'approve', commands: [approveBy(owner, at(1), 'reject')] },
  { effect: 'allow', commands: [start, { type: 'FailExecution', jobId: 'job-1', code: 'query_failed', message: 'boom' }] },
];

/** The events of the template request for one kind of lifecycle, as appended (metadata included). */
function template(kind: (typeof kinds)[number]): NewEvent[] {
  let state = requestDecider.initialState();
  const events: NewEvent[] = [];
  for (const [step, command] of [submitCommand(requester, evaluation(kind.effect)), ...kind.commands].entries()) {
    const occurredAt = at(step).toISOString();
    for (const event of requestDecider.decide(command, state) as RequestEvent[]) {
      state = requestDecider.evolve(state, event, occurredAt);
      const data = event.type === 'QueryRequested' ? { ...event.data, sessionId: 'sess-0' } : event.data;
      events.push({ type: event.type, data, metadata: { correlationId: templateId, occurredAt, gatewayId: 'gw-test', sessionId: 'sess-0', schemaVersion: 1 } });
    }
  }
  return events;
}

const templates = kinds.map((kind) => JSON.stringify(template(kind)));

/** Request number `n`'s stream and events: kind n mod 7, its own id, session (one per 3 requests) and minute. */
export function lifecycle(n: number): { stream: string; events: NewEvent[] } {
  const id = `req-${String(n).padStart(6, '0')}`;
  const minute = new Date(at(0).getTime() + n * 60_000).toISOString().slice(0, 16);
  const json = (templates[n % templates.length] as string)
    .replaceAll(`"${templateId}"`, `"${id}"`)
    .replaceAll('"sess-0"', `"sess-${Math.floor(n / 3)}"`)
    .replaceAll('2030-01-01T10:00', minute);
  return { stream: `query-${id}`, events: JSON.parse(json) as NewEvent[] };
}
