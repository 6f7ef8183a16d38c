/**
 * The request lifecycles of request-lifecycles.ts with the data no read model reads filled in, as a
 * real gateway records it: an analysis's per-statement detail (this statement is copied from an
 * event the gateway recorded for a SELECT) and a policy decision's reasons. The plain fixtures leave
 * them empty, which would hide a fold that starts reading them.
 */
import type { NewEvent } from '../../src/domain/ports.js';
import { lifecycle } from './request-lifecycles.js';

const column = (name: string) => ({ name, lineage: [{ table: 'demo-project.analytics.page_views', column: name }], confidence: 'exact' });

const analysedStatement = {
  kind: 'select',
  kinds: ['select'],
  tables: ['demo-project.analytics.page_views'],
  writtenTables: [],
  outputColumns: ['view_id', 'session_id', 'hostname', 'path'].map(column),
  filterColumns: [],
  joinColumns: [],
  groupColumns: [],
  orderColumns: [],
  flags: { scripting: false, dynamicSql: false, unparsed: false, lineageIncomplete: false },
};

export function richLifecycle(n: number): { stream: string; events: NewEvent[] } {
  const { stream, events } = lifecycle(n);
  return {
    stream,
    events: events.map((event) => {
      const data = event.data as Record<string, unknown>;
      if (event.type === 'QueryAnalysed') return { ...event, data: { ...data, statements: [analysedStatement] } };
      if (event.type === 'PolicyEvaluated') return { ...event, data: { ...data, reasons: [`statement 1: rule matched for request ${n}`] } };
      return event;
    }),
  };
}
