/**
 * Cross-checks the analysis against the warehouse's own dry run (BigQuery). Where they disagree
 * the stricter reading wins: a riskier statement type or an extra referenced table is added, and
 * the disagreement is recorded.
 */
import { coarseStatement, type Analysis, type StatementKind } from '../domain/analysis/types.js';
import type { DryRunResult, TableRef } from '../domain/ports.js';

/**
 * Every statementType BigQuery documents (reference/rest/v2/Job#JobStatistics2.statement_type);
 * one it adds later maps to `unknown`, never to a pass.
 */
export const statementTypeKinds: Readonly<Record<string, StatementKind>> = {
  SELECT: 'select',
  INSERT: 'insert',
  UPDATE: 'update',
  DELETE: 'delete',
  MERGE: 'merge',
  CREATE_TABLE: 'create',
  CREATE_TABLE_AS_SELECT: 'create',
  CREATE_VIEW: 'create',
  CREATE_MATERIALIZED_VIEW: 'create',
  CREATE_FUNCTION: 'create',
  CREATE_TABLE_FUNCTION: 'create',
  CREATE_PROCEDURE: 'create',
  CREATE_SCHEMA: 'create',
  CREATE_MODEL: 'create',
  CREATE_SNAPSHOT_TABLE: 'create',
  CREATE_SEARCH_INDEX: 'create',
  CREATE_EXTERNAL_TABLE: 'create',
  // Row access policies decide who sees which rows: creating one is a grant, dropping one a revoke.
  CREATE_ROW_ACCESS_POLICY: 'grant',
  DROP_ROW_ACCESS_POLICY: 'revoke',
  DROP_ALL_ROW_ACCESS_POLICIES: 'revoke',
  ALTER_TABLE: 'alter',
  ALTER_VIEW: 'alter',
  ALTER_MATERIALIZED_VIEW: 'alter',
  ALTER_SCHEMA: 'alter',
  DROP_TABLE: 'drop',
  DROP_VIEW: 'drop',
  DROP_SCHEMA: 'drop',
  DROP_FUNCTION: 'drop',
  DROP_PROCEDURE: 'drop',
  DROP_MATERIALIZED_VIEW: 'drop',
  DROP_SNAPSHOT_TABLE: 'drop',
  DROP_SEARCH_INDEX: 'drop',
  DROP_EXTERNAL_TABLE: 'drop',
  DROP_MODEL: 'drop',
  DROP_TABLE_FUNCTION: 'drop',
  TRUNCATE_TABLE: 'truncate',
  EXPORT_DATA: 'export',
  EXPORT_MODEL: 'export',
  // ASSERT evaluates a query and fails the script when it is false: it reads, it writes nothing.
  ASSERT: 'select',
  LOAD_DATA: 'load',
  GRANT: 'grant',
  REVOKE: 'revoke',
  CALL: 'call',
  SCRIPT: 'script',
};

const fullName = (t: TableRef): string => `${t.project}.${t.dataset}.${t.table}`.toLowerCase();

export function crossCheckDryRun(analysis: Analysis, dryRun: DryRunResult): Analysis {
  const dryKind = statementTypeKinds[dryRun.statementType.toUpperCase()] ?? 'unknown';
  const disagreements: string[] = [];
  const kinds = new Set(analysis.kinds);
  if (!kinds.has(dryKind)) {
    disagreements.push(`dry run says ${dryRun.statementType}, analysis found ${[...kinds].join(', ')}`);
  }
  const known = new Set(analysis.tables);
  const extraTables = dryRun.referencedTables.map(fullName).filter((t) => !known.has(t));
  if (extraTables.length > 0) disagreements.push(`dry run references tables the analysis missed: ${extraTables.join(', ')}`);
  // An estimate that is not a real byte count is no estimate: bytesOver rules then fail closed.
  const bytes = dryRun.totalBytesProcessed;
  const base = Number.isFinite(bytes) && bytes >= 0 ? { ...analysis, bytesEstimate: bytes } : { ...analysis };
  if (disagreements.length === 0) return base;
  const stricter = coarseStatement(dryKind, extraTables.length > 0 ? [...analysis.tables, ...extraTables] : analysis.tables, {
    lineageIncomplete: true,
  });
  return {
    ...base,
    statements: [...analysis.statements, stricter],
    tables: [...new Set([...analysis.tables, ...extraTables])],
    kinds: [...new Set([...analysis.kinds, dryKind])],
    dryRunDisagreement: disagreements.join('; '),
  };
}
