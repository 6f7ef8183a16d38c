/**
 * The masking report: per delivered result, which columns were masked, by which rule, from which
 * source columns, and what the content detectors found; with totals by rule and by detector, so an
 * auditor can sample "what did the agent see" without reading results.
 */
import type { RecordedEvent } from '../domain/ports.js';
import { requestEventOf } from '../domain/request/request-stream.js';
import type { Projection } from './projection.js';

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

export interface MaskingReportProjection extends Projection {
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

export function createMaskingReport(): MaskingReportProjection {
  const requests = new Map<string, RequestFacts>();
  const items: MaskingReportItem[] = [];

  return {
    name: 'masking-report',
    apply(recorded: RecordedEvent) {
      const found = requestEventOf(recorded);
      if (!found) return;
      const { requestId, event } = found;
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
          const facts = requests.get(requestId);
          if (facts) facts.policyHash = event.data.policyHash;
          break;
        }
        case 'ResultMasked': {
          const facts = requests.get(requestId);
          items.push({
            requestId,
            time: recorded.metadata.occurredAt,
            subject: facts?.subject ?? '',
            email: facts?.email ?? '',
            sessionId: facts?.sessionId ?? '',
            sqlHash: facts?.sqlHash ?? '',
            policyHash: facts?.policyHash ?? '',
            maskedColumns: event.data.maskedColumns.map((c) => ({ column: c.column, rule: c.rule, sources: [...c.sources], reason: c.reason })),
            detectorHits: event.data.detectorHits.map((h) => ({ ...h })),
            resultHash: event.data.resultHash,
            position: recorded.position,
          });
          break;
        }
      }
    },
    report(filter = {}) {
      const from = filter.from?.getTime() ?? -Infinity;
      const to = filter.to?.getTime() ?? Infinity;
      const selected = items.filter((item) => {
        const t = Date.parse(item.time);
        if (t < from || t >= to) return false;
        if (filter.principal) {
          const facts = requests.get(item.requestId);
          if (![item.subject, item.email, facts?.actor].includes(filter.principal)) return false;
        }
        return true;
      });
      const byRule: Record<string, number> = {};
      const byDetector: Record<string, number> = {};
      let maskedColumns = 0;
      let detectorHits = 0;
      for (const item of selected) {
        for (const column of item.maskedColumns) {
          byRule[column.rule] = (byRule[column.rule] ?? 0) + 1;
          maskedColumns += 1;
        }
        for (const hit of item.detectorHits) {
          byDetector[hit.detector] = (byDetector[hit.detector] ?? 0) + hit.count;
          detectorHits += hit.count;
        }
      }
      return {
        items: selected.map((item) => structuredClone(item)),
        totals: {
          requests: selected.length,
          requestsWithMasking: selected.filter((i) => i.maskedColumns.length > 0 || i.detectorHits.length > 0).length,
          maskedColumns,
          byRule,
          detectorHits,
          byDetector,
        },
      };
    },
  };
}
