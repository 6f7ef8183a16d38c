/**
 * A realistic event log for the evidence tests: a policy activation and query requests that are
 * allowed (executed, masked), denied, or approved — every payload valid against the registry.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventRegistry } from '../../../src/domain/events/registry.js';
import { sha256Hex } from '../../../src/domain/evidence/event-hash.js';
import type { EventStore, NewEvent } from '../../../src/domain/ports.js';

const registry = createEventRegistry();

export const policyHashA = sha256Hex('policy A');
export const policyHashB = sha256Hex('policy B');

/** A clock that advances one second per call, from a fixed start. */
export function steppingClock(start = Date.parse('2024-03-01T00:00:00.000Z')): () => Date {
  let now = start;
  return () => new Date((now += 1000));
}

function newEvent(type: string, data: Record<string, unknown>, correlationId: string, occurredAt: string): NewEvent {
  const metadata = { correlationId, occurredAt, schemaVersion: 1, principal: { subject: 'agent-1' } };
  registry.validate(type, data, metadata);
  return { type, data, metadata };
}

export async function activatePolicy(store: EventStore, policyHash: string, at = '2024-03-01T00:00:00.000Z'): Promise<void> {
  const data = { policyHash, text: 'version: 1', source: 'policy.yaml', activatedBy: 'gateway' };
  await store.append('policy', [newEvent('PolicyActivated', data, `policy-${policyHash.slice(0, 8)}`, at)], 'any');
}

/** Appends one request's events; `effect` picks the path. Returns the number of events written. */
export async function appendRequest(store: EventStore, id: string, effect: 'allow' | 'deny' | 'approve', policyHash = policyHashA): Promise<number> {
  const at = '2024-03-01T00:00:00.000Z';
  const sql = `SELECT email FROM sales.customers -- ${id}`;
  const sqlHash = sha256Hex(sql);
  const requestId = id;
  const events: NewEvent[] = [
    newEvent(
      'QueryRequested',
      { requestId, sql, sqlHash, maxRows: 100, principal: { subject: 'agent-1', issuer: 'https://issuer', groups: ['ai-agents'] }, channel: 'rest' },
      id,
      at,
    ),
    newEvent('PolicyEvaluated', { requestId, effect, rule: `rule-${effect}`, policyHash, reasons: [], perStatement: [] }, id, at),
  ];
  if (effect === 'deny') events.push(newEvent('QueryDenied', { requestId, rule: 'rule-deny', reason: 'denied' }, id, at));
  if (effect === 'approve') {
    events.push(
      newEvent('QueryApproved', { requestId, approvers: [{ subject: 'owner-1', at }], sqlHash, policyHash }, id, at),
    );
  }
  if (effect !== 'deny') {
    events.push(
      newEvent('ExecutionStarted', { requestId, jobId: `job-${id}`, warehouse: 'duckdb', sqlHash, policyHash }, id, at),
      newEvent(
        'ResultMasked',
        {
          requestId,
          maskedColumns: [{ column: 'email', rule: 'email', sources: ['demo.sales.customers.email'], originalType: 'STRING', reason: 'lineage' }],
          detectorHits: [],
          resultHash: sha256Hex(`result ${id}`),
        },
        id,
        at,
      ),
    );
  }
  await store.append(`query-${id}`, events, 'no_stream');
  return events.length;
}

/** Requests cycling through allow, deny, approve. */
export async function appendRequests(store: EventStore, count: number, prefix = 'r'): Promise<void> {
  const effects = ['allow', 'deny', 'approve'] as const;
  for (let i = 0; i < count; i++) await appendRequest(store, `${prefix}${i}`, effects[i % 3] as 'allow' | 'deny' | 'approve');
}

export async function withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'ledgergate-evidence-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Collects an exported bundle's text and parses it. */
export function textSink(): { out: (chunk: string) => void; text(): string } {
  const chunks: string[] = [];
  return { out: (chunk) => void chunks.push(chunk), text: () => chunks.join('') };
}
