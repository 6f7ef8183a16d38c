/**
 * The masking report: per delivered result, which columns were masked, by which rule, from which
 * source columns, and what the content detectors found; with totals by rule and by detector, so an
 * auditor can sample "what did the agent see" without reading results. Persisted in `masking_items`
 * (one row per masked result, time and requester indexed, the item packed: masking-item-codec.ts) and `masking_facts` (what a request in
 * flight brings to its item; dropped once the request ends).
 */
import type Database from 'better-sqlite3';
import type { FoldableEvent } from '../domain/ports.js';
import { requestEventOf } from '../domain/request/request-stream.js';
import { statusAfter, terminalStatuses } from '../domain/request/request-status.js';
import { batchRows, type BatchRows } from './batch-rows.js';
import { decodeMaskingItem, encodeMaskingItem, maskingItemColumns, type MaskingItemColumns } from './masking-item-codec.js';
import type { SqlProjection } from './projection.js';
import { unreadByReadModels } from './unread-data.js';
import { onFirstUse } from './read-model-db.js';
import type { ReadModelStatus } from './read-model-status.js';

export interface MaskingReportItem {
  requestId: string;
  /** When the result was masked. */
  time: string;
  subject: string;
  email: string;
  sessionId: string;
  sqlHash: string;
  policyHash: string;
  maskedColumns: { column: string; rule: string; sources: string[]; reason: string }[];
  detectorHits: { column: string; detector: string; count: number }[];
  resultHash: string;
  position: number;
}

export interface MaskingReport {
  items: MaskingReportItem[];
  totals: {
    requests: number;
    requestsWithMasking: number;
    maskedColumns: number;
    byRule: Record<string, number>;
    detectorHits: number;
    byDetector: Record<string, number>;
  };
}

export interface MaskingReportFilter {
  from?: Date;
  to?: Date;
  principal?: string;
}

export interface MaskingReportReader {
  report(filter?: MaskingReportFilter): MaskingReport;
}

interface RequestFacts {
  subject: string;
  email: string;
  actor: string;
  sessionId: string;
  sqlHash: string;
  policyHash: string;
}

export const maskingReportProjection: SqlProjection = {
  name: 'masking_report',
  // 2: items packed (masking-item-codec.ts), a smaller write.
  version: 2,
  unreadData: unreadByReadModels,
  create(db: Database.Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS masking_facts (request_id TEXT PRIMARY KEY, facts TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS masking_items (
        position INTEGER PRIMARY KEY, request_id TEXT NOT NULL, time_ms INTEGER NOT NULL,
        subject TEXT NOT NULL, email TEXT NOT NULL, actor TEXT NOT NULL, item TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS masking_items_time ON masking_items (time_ms);
    `);
  },
  drop: (db) => db.exec('DROP TABLE IF EXISTS masking_facts; DROP TABLE IF EXISTS masking_items'),
  applier(db) {
    const load = db.prepare('SELECT facts FROM masking_facts WHERE request_id = ?').pluck();
    const save = db.prepare('INSERT OR REPLACE INTO masking_facts (request_id, facts) VALUES (?, ?)');
    const remove = db.prepare('DELETE FROM masking_facts WHERE request_id = ?');
    const insertItem = db.prepare('INSERT OR REPLACE INTO masking_items (position, request_id, time_ms, subject, email, actor, item) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const facts = batchRows<RequestFacts>({
      load: (requestId) => {
        const json = load.get(requestId) as string | undefined;
        return json === undefined ? undefined : (JSON.parse(json) as RequestFacts);
      },
      save: (requestId, f) => void save.run(requestId, JSON.stringify(f)),
      remove: (requestId) => void remove.run(requestId),
    });
    return {
      apply(event) {
        const item = fold(facts, event);
        if (item) insertItem.run(item.item.position, item.item.requestId, Date.parse(item.item.time), item.item.subject, item.item.email, item.actor, encodeMaskingItem(item.item));
      },
      flush: () => facts.flush(),
      discard: () => facts.discard(),
    };
  },
};

/** Folds one event; returns the report item a ResultMasked adds. */
function fold(requests: BatchRows<RequestFacts>, recorded: FoldableEvent): { item: MaskingReportItem; actor: string } | undefined {
  const found = requestEventOf(recorded);
  if (!found) return undefined;
  const { requestId, event } = found;
  let added: { item: MaskingReportItem; actor: string } | undefined;
  switch (event.type) {
    case 'QueryRequested':
      requests.set(requestId, {
        subject: event.data.principal.subject,
        email: event.data.principal.email ?? '',
        actor: event.data.principal.actor?.subject ?? '',
        sessionId: event.data.sessionId ?? '',
        sqlHash: event.data.sqlHash,
        policyHash: '',
      });
      break;
    case 'PolicyEvaluated':
    case 'QueryReevaluated': {
      const f = requests.get(requestId);
      if (f) {
        f.policyHash = event.data.policyHash;
        requests.set(requestId, f);
      }
      break;
    }
    case 'ResultMasked': {
      const f = requests.get(requestId);
      added = {
        actor: f?.actor ?? '',
        item: {
          requestId,
          time: recorded.metadata.occurredAt,
          subject: f?.subject ?? '',
          email: f?.email ?? '',
          sessionId: f?.sessionId ?? '',
          sqlHash: f?.sqlHash ?? '',
          policyHash: f?.policyHash ?? '',
          maskedColumns: event.data.maskedColumns.map((c) => ({ column: c.column, rule: c.rule, sources: [...c.sources], reason: c.reason })),
          detectorHits: event.data.detectorHits.map((h) => ({ ...h })),
          resultHash: event.data.resultHash,
          position: recorded.position,
        },
      };
      break;
    }
    default:
      // A finished request masks nothing more: its facts are no longer needed.
      if (terminalStatuses.has(statusAfter('ready', event.type))) requests.delete(requestId);
  }
  return added;
}

export function createMaskingReport(db: Database.Database, status: ReadModelStatus): MaskingReportReader {
  const page = onFirstUse(() => db.prepare(`
    SELECT ${maskingItemColumns} FROM masking_items
    WHERE position > @after AND time_ms >= @from AND time_ms < @to AND (@principal IS NULL OR @principal IN (subject, email, actor))
    ORDER BY position LIMIT @limit`));
  return {
    report(filter = {}) {
      status.assertReady(maskingReportProjection.name);
      const params = { from: filter.from?.getTime() ?? Number.MIN_SAFE_INTEGER, to: filter.to?.getTime() ?? Number.MAX_SAFE_INTEGER, principal: filter.principal ?? null, limit: 500 };
      const items: MaskingReportItem[] = [];
      const byRule: Record<string, number> = {};
      const byDetector: Record<string, number> = {};
      let maskedColumns = 0;
      let detectorHits = 0;
      let requestsWithMasking = 0;
      for (let after = -1; ; ) {
        const rows = page().all({ ...params, after }) as MaskingItemColumns[];
        for (const row of rows) {
          const item = decodeMaskingItem(row);
          items.push(item);
          if (item.maskedColumns.length > 0 || item.detectorHits.length > 0) requestsWithMasking += 1;
          for (const column of item.maskedColumns) {
            byRule[column.rule] = (byRule[column.rule] ?? 0) + 1;
            maskedColumns += 1;
          }
          for (const hit of item.detectorHits) {
            byDetector[hit.detector] = (byDetector[hit.detector] ?? 0) + hit.count;
            detectorHits += hit.count;
          }
        }
        const last = rows[rows.length - 1];
        if (!last || rows.length < 500) break;
        after = last.position;
      }
      return { items, totals: { requests: items.length, requestsWithMasking, maskedColumns, byRule, detectorHits, byDetector } };
    },
  };
}
