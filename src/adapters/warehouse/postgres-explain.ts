/**
 * A PostgreSQL plan (`EXPLAIN (FORMAT JSON, VERBOSE)`) read as a dry run: the statement type from the
 * root (a ModifyTable node's operation, else SELECT), the relations the plan scans, and an estimate of
 * the bytes read — each scan node's estimated rows × average row width, summed. It is the planner's
 * estimate from table statistics, not a measurement; without statistics PostgreSQL guesses.
 */
import type { DryRunResult, TableRef } from '../../domain/ports.js';

type PlanNode = Record<string, unknown>;
const isNode = (value: unknown): value is PlanNode => typeof value === 'object' && value !== null && !Array.isArray(value);

export function explainEstimate(explained: unknown, projectId: string): DryRunResult {
  const root = Array.isArray(explained) && isNode(explained[0]) && isNode(explained[0].Plan) ? explained[0].Plan : undefined;
  if (!root) return { statementType: 'UNKNOWN', referencedTables: [], totalBytesProcessed: Number.NaN };
  const tables = new Map<string, TableRef>();
  let bytes = 0;
  const visit = (node: PlanNode): void => {
    if (typeof node['Relation Name'] === 'string') {
      const dataset = typeof node.Schema === 'string' ? node.Schema : 'public';
      const ref = { project: projectId, dataset, table: node['Relation Name'] };
      tables.set(`${dataset}.${ref.table}`, ref);
      const rows = Number(node['Plan Rows']);
      const width = Number(node['Plan Width']);
      bytes += Number.isFinite(rows) && Number.isFinite(width) ? rows * Math.max(width, 1) : Number.NaN;
    }
    for (const child of Array.isArray(node.Plans) ? node.Plans : []) if (isNode(child)) visit(child);
  };
  visit(root);
  const operation = root['Node Type'] === 'ModifyTable' && typeof root.Operation === 'string' ? root.Operation.toUpperCase() : 'SELECT';
  return { statementType: operation, referencedTables: [...tables.values()], totalBytesProcessed: bytes };
}
