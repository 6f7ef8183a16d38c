/** Converts between the analyser's result and what the QueryAnalysed event stores. */
import type { Analysis } from '../domain/analysis/types.js';
import type { QueryAnalysed } from '../domain/events/index.js';

export function summariseAnalysis(
  requestId: string,
  analysis: Analysis,
  extra: { costEstimateUsd?: number; plannedMasking?: QueryAnalysed['plannedMasking'] } = {},
): QueryAnalysed {
  return {
    requestId,
    statements: analysis.statements.map((s) => ({
      kind: s.kind,
      kinds: [...s.kinds],
      tables: [...s.tables],
      writtenTables: [...s.writtenTables],
      outputColumns: s.outputColumns.map((c) => ({ name: c.name, lineage: c.lineage.map((l) => ({ ...l })), confidence: c.confidence })),
      filterColumns: s.filterColumns.map((c) => ({ ...c })),
      joinColumns: s.joinColumns.map((c) => ({ ...c })),
      groupColumns: s.groupColumns.map((c) => ({ ...c })),
      orderColumns: s.orderColumns.map((c) => ({ ...c })),
      flags: { ...s.flags },
    })),
    tables: [...analysis.tables],
    kinds: [...analysis.kinds],
    ...(analysis.bytesEstimate !== undefined ? { bytesEstimate: analysis.bytesEstimate } : {}),
    ...(analysis.dryRunDisagreement ? { dryRunDisagreement: analysis.dryRunDisagreement } : {}),
    ...(analysis.readingProblems?.length ? { readingProblems: [...analysis.readingProblems] } : {}),
    ...(extra.costEstimateUsd !== undefined ? { costEstimateUsd: extra.costEstimateUsd } : {}),
    ...(extra.plannedMasking ? { plannedMasking: extra.plannedMasking } : {}),
  };
}

export function analysisFromSummary(summary: QueryAnalysed): Analysis {
  return {
    statements: summary.statements.map((s) => ({ ...s, text: '' })),
    tables: summary.tables,
    kinds: summary.kinds,
    ...(summary.bytesEstimate !== undefined ? { bytesEstimate: summary.bytesEstimate } : {}),
    ...(summary.dryRunDisagreement ? { dryRunDisagreement: summary.dryRunDisagreement } : {}),
    ...(summary.readingProblems ? { readingProblems: summary.readingProblems } : {}),
  };
}
