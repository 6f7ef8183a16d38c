/**
 * Filter and join columns of UPDATE, DELETE and MERGE, which polyglot's query analysis does not
 * cover. A column is attributed to every referenced table that has it: an over-approximation, so a
 * policy on filter columns is never dodged by leaving a name unqualified.
 */
import type { SourceColumn } from '../../domain/analysis/types.js';
import { identifierText, isRecord, nodeOf, visitTree } from './ast-nodes.js';
import type { AstNode } from './polyglot-sdk.js';

export interface DmlColumns {
  readonly filterColumns: SourceColumn[];
  readonly joinColumns: SourceColumn[];
}

const clauses: Readonly<Record<string, { filter: readonly string[]; join: readonly string[] }>> = {
  update: { filter: ['where_clause'], join: [] },
  delete: { filter: ['where_clause'], join: [] },
  merge: { filter: [], join: ['on'] },
};

export function dmlColumns(statement: AstNode, candidates: (column: string) => SourceColumn[]): DmlColumns {
  const node = nodeOf(statement);
  const clause = node ? clauses[node.type] : undefined;
  if (!node || !clause || !isRecord(node.payload)) return { filterColumns: [], joinColumns: [] };
  const payload = node.payload;
  const columnsIn = (fields: readonly string[]): SourceColumn[] =>
    fields.flatMap((field) => columnNames(payload[field]).flatMap(candidates));
  return { filterColumns: columnsIn(clause.filter), joinColumns: columnsIn(clause.join) };
}

function columnNames(tree: unknown): string[] {
  const names: string[] = [];
  visitTree(tree, (value) => {
    const node = nodeOf(value);
    if (node?.type !== 'column' || !isRecord(node.payload)) return;
    const name = identifierText(node.payload.name);
    if (name) names.push(name);
    return false;
  });
  return names;
}
