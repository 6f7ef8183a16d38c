/**
 * Reading one request the way the analyser does (split, parse, statement facts, catalog schemas) and
 * computing each statement's lineage twice: through the JavaScript fast path where it answers, and
 * through polyglot's `analyzeQuery` alone (the reading the fast path must reproduce exactly).
 */
import type { AnalysisContext, Catalog, TableSchema } from '../../../src/domain/ports.js';
import { lineageWithAnswer, type LineageAnswer, type LineageFacts, type LineageInput } from '../../../src/adapters/analysis/lineage.js';
import { parseSql } from '../../../src/adapters/analysis/polyglot-sdk.js';
import { collectStatementFacts } from '../../../src/adapters/analysis/statement-facts.js';
import { nameAt, splitStatements } from '../../../src/adapters/analysis/statement-split.js';

export interface LineageComparison {
  readonly sql: string;
  readonly answer: LineageAnswer;
  readonly fast: LineageFacts;
  readonly reference: LineageFacts;
}

/** The lineage inputs of every statement of the request the analyser would compute lineage for. */
export async function lineageInputs(sql: string, catalog: Catalog, context: AnalysisContext): Promise<LineageInput[]> {
  const outcome = splitStatements(sql);
  if (!outcome.ok || outcome.split.problem !== undefined) return [];
  const { split } = outcome;
  const nodes = parseSql(sql);
  if (!nodes || nodes.length !== split.chunks.length) return [];
  const env = {
    context,
    tempFunctions: split.tempFunctions,
    decodeName: (value: unknown) => {
      const span = (value as { span?: { start?: unknown; end?: unknown } } | null)?.span;
      return typeof span?.start === 'number' && typeof span.end === 'number' ? nameAt(split.namePieces, span.start, span.end) : undefined;
    },
  };
  const inputs: LineageInput[] = [];
  for (const [index, node] of nodes.entries()) {
    const facts = collectStatementFacts(node, env);
    if (facts.unparsed) continue;
    const schemas = new Map<string, TableSchema | undefined>();
    for (const reference of facts.references) {
      if (reference.table.ref && !reference.table.unqualified) schemas.set(reference.table.name, await catalog.getTable(reference.table.ref));
    }
    const unknownTable = facts.references.some((reference) => !reference.written && !schemas.get(reference.table.name));
    inputs.push({
      statement: node,
      references: facts.references,
      schemas,
      context,
      incomplete: facts.lineageIncomplete || unknownTable,
      sourceText: split.chunks[index]?.text ?? sql,
    });
  }
  return inputs;
}

export async function compareLineage(sql: string, catalog: Catalog, context: AnalysisContext): Promise<LineageComparison[]> {
  const inputs = await lineageInputs(sql, catalog, context);
  return inputs.map((input) => {
    const fast = lineageWithAnswer(input);
    const reference = lineageWithAnswer({ ...input, lineagePath: 'analyze-query-only' });
    return { sql, answer: fast.answer, fast: fast.facts, reference: reference.facts };
  });
}
