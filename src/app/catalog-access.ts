/**
 * What a catalog shows a caller (the MCP catalog tools and the BigQuery API's datasets and tables): only tables a plain `SELECT` of which the policy would not
 * deny them (allowed, or allowed after approval), and for each column the mask rule the policy puts
 * on it. Listing a table the caller may never read would leak its existence and shape.
 */
import { coarseStatement, type Analysis } from '../domain/analysis/types.js';
import { matchesTableGlob } from '../domain/masking/index.js';
import { evaluatePolicy } from '../domain/policy/evaluate.js';
import type { Effect, Policy } from '../domain/policy/types.js';
import type { ColumnSchema, TableRef } from '../domain/ports.js';

export const qualifiedName = (ref: TableRef): string => `${ref.project}.${ref.dataset}.${ref.table}`;

/** An analysis of `SELECT * FROM <table>` with nothing in its predicates: what reading the table means. */
function plainSelectOf(table: string, bytesEstimate: number): Analysis {
  return {
    statements: [coarseStatement('select', [table])],
    tables: [table],
    kinds: ['select'],
    bytesEstimate,
  };
}

/**
 * The effect a plain read of the table gets for these groups. The size given is the scan estimate;
 * listing passes 0 (sizes are not fetched per table), so `approve` for costly scans shows only in
 * describe_table, where the size is known.
 */
export function readAccessOf(policy: Policy, groups: readonly string[], ref: TableRef, bytesEstimate = 0): Effect {
  return evaluatePolicy(policy, { groups, analysis: plainSelectOf(qualifiedName(ref).toLowerCase(), bytesEstimate) }).effect;
}

export interface DescribedColumn {
  readonly name: string;
  readonly type: string;
  readonly mode?: string;
  /** The mask rule applied wherever this column flows into a result. */
  readonly masked?: string;
  readonly fields?: readonly DescribedColumn[];
}

/** Columns with their types and mask rules; a rule on a STRUCT column covers its fields too. */
export function describeColumns(policy: Policy, ref: TableRef, columns: readonly ColumnSchema[], inheritedRule?: string, prefix = ''): DescribedColumn[] {
  const table = qualifiedName(ref);
  const rules = policy.masking.columns.filter((rule) => matchesTableGlob(rule.table, table));
  return columns.map((column) => {
    const path = `${prefix}${column.name}`.toLowerCase();
    const masked = inheritedRule ?? rules.find((rule) => rule.column.toLowerCase() === path)?.rule;
    return {
      name: column.name,
      type: column.type,
      ...(column.mode ? { mode: column.mode } : {}),
      ...(masked ? { masked } : {}),
      ...(column.fields?.length ? { fields: describeColumns(policy, ref, column.fields, masked, `${path}.`) } : {}),
    };
  });
}
