/**
 * Column lineage of a plain SELECT computed in JavaScript from the tree the analyser already parsed,
 * in the shape of polyglot's `analyzeQuery` answer (the part `computeLineage` reads).
 *
 * Why: on a cache miss, polyglot's `analyzeQuery` re-parses the statement and resolves its scopes in
 * WebAssembly kept on V8's baseline compiler (issue 19's memory target); measured on the five-table
 * join of `bench/analysis.bench.ts` it was ~73 % of the whole analysis. The shapes read here answer
 * the same facts without that second parse.
 *
 * It answers only where it is certain (see lineage-scope.ts for what it reads); for anything else it
 * answers undefined and `computeLineage` asks polyglot as before. The differential tests in
 * test/unit/analysis/lineage-fast-path*.test.ts hold it to polyglot's answer on generated queries and
 * on every corpus statement.
 */
import type { TableSchema } from '../../domain/ports.js';
import { NotHandled } from './lineage-expressions.js';
import { resolveQuery, type Leaf, type UseContext } from './lineage-scope.js';
import { SourceEnv } from './lineage-sources.js';
import type { AstNode } from './polyglot-sdk.js';
import type { TableReference } from './statement-facts.js';

/**
 * An upstream column as polyglot reports it (the fields `computeLineage` reads): a catalogued one, or
 * a derived table's column the lineage stopped at (which makes the output's lineage unknown).
 */
export interface UpstreamColumn {
  readonly sourceKind: 'table' | 'derived_table';
  readonly confidence: 'resolved';
  readonly table: string;
  readonly column: string;
}

export interface FastProjection {
  readonly index: number;
  readonly name?: string;
  readonly isStar: false;
  readonly transformKind: 'direct' | 'expression';
  readonly upstream: readonly UpstreamColumn[];
}

export interface FastColumnUse {
  readonly context: UseContext;
  readonly references: readonly { readonly table: string; readonly column: string }[];
}

export interface FastLineageAnalysis {
  readonly projections: readonly FastProjection[];
  readonly columnUses: readonly FastColumnUse[];
}

export interface FastLineageInput {
  readonly references: readonly TableReference[];
  readonly schemas: ReadonlyMap<string, TableSchema | undefined>;
}

export function fastLineageAnalysis(query: AstNode, input: FastLineageInput): FastLineageAnalysis | undefined {
  return fastLineageReading(query, input).analysis;
}

/** The fast path's answer, or why it declined (tests and the bench name the shapes that fall back). */
export function fastLineageReading(query: AstNode, input: FastLineageInput): { analysis?: FastLineageAnalysis; refusal?: string } {
  const columnsByWrittenName = new Map<string, readonly string[]>();
  for (const reference of input.references) {
    const schema = input.schemas.get(reference.table.name);
    if (schema && !reference.table.unqualified) {
      columnsByWrittenName.set(reference.writtenParts.join('.'), schema.columns.map((column) => column.name));
    }
  }
  try {
    const lineage = resolveQuery(query, SourceEnv.root((written) => columnsByWrittenName.get(written)));
    const projections = lineage.outputs.map(
      (output, index): FastProjection => ({
        index,
        ...(output.name !== undefined ? { name: output.name } : {}),
        isStar: false,
        transformKind: output.direct ? 'direct' : 'expression',
        upstream: output.unplaced ? [unplacedColumn(output.name ?? `_col_${index}`)] : output.leaves.map(upstreamColumn),
      }),
    );
    return { analysis: { projections, columnUses: lineage.uses.map((use) => ({ context: use.context, references: use.references })) } };
  } catch (error) {
    if (error instanceof NotHandled) return { refusal: error.message };
    // Anything else (a stack overflow on absurd nesting, a shape assumption broken by a new SDK)
    // is no answer either: polyglot's own reading still runs, so the request is judged as before.
    return { refusal: `the fast path failed: ${error instanceof Error ? error.name : 'unknown error'}` };
  }
}

function unplacedColumn(name: string): UpstreamColumn {
  return { sourceKind: 'derived_table', confidence: 'resolved', table: '', column: name };
}

function upstreamColumn(leaf: Leaf): UpstreamColumn {
  return { sourceKind: 'table', confidence: 'resolved', table: leaf.table, column: leaf.column };
}
