/**
 * `UNION ALL` / `UNION DISTINCT` for the lineage fast path, read as polyglot reads them: each output
 * is named after the leftmost branch and computed from the columns of every branch (left to right);
 * the column uses are the union's own ORDER BY, then its CTEs', then each branch's in turn.
 * INTERSECT and EXCEPT, a branch output that follows to no catalogued column, branches of different
 * widths and an ORDER BY other than by position are not read here.
 */
import { isRecord, type Payload } from './ast-nodes.js';
import { isEmpty, notHandled, requireOnly } from './lineage-expressions.js';
import { dedupe, type Output, type SelectLineage, type Use } from './lineage-scope.js';
import type { ResolveSelect, SourceEnv } from './lineage-sources.js';

const unionFields: ReadonlySet<string> = new Set(['left', 'right', 'all', 'distinct', 'with', 'order_by', 'limit', 'offset']);

export function resolveUnion(payload: Payload, env: SourceEnv, resolveBranch: ResolveSelect): SelectLineage {
  requireOnly(payload, unionFields, 'union');
  const inner = env.withCtes(payload.with, resolveBranch);
  const left = resolveBranch(payload.left, inner);
  const right = resolveBranch(payload.right, inner);
  if (left.outputs.length !== right.outputs.length) notHandled('set operation branches of different widths');
  const outputs = left.outputs.map((output, index): Output => {
    const other = right.outputs[index] as Output;
    if (output.leaves.length === 0 || other.leaves.length === 0) notHandled('a set operation output that follows to no column');
    return { name: output.name, leaves: dedupe([...output.leaves, ...other.leaves]), direct: output.direct, unplaced: false };
  });
  const uses: Use[] = [];
  if (!isEmpty(payload.order_by)) {
    const order = payload.order_by;
    if (!isRecord(order)) notHandled('an unreadable ORDER BY');
    requireOnly(order, new Set(['expressions']), 'order_by');
    for (const item of Array.isArray(order.expressions) ? order.expressions : []) uses.push({ context: 'order', references: byPosition(item, outputs) });
  }
  for (const field of ['limit', 'offset'] as const) {
    if (!isEmpty(payload[field]) && !isLiteral(payload[field])) notHandled(`a set operation ${field} that is not a literal`);
  }
  return { outputs, uses: [...uses, ...inner.cteUses(), ...left.uses, ...right.uses] };
}

function byPosition(item: unknown, outputs: readonly Output[]): Output['leaves'] {
  if (!isRecord(item)) notHandled('an unreadable ORDER BY item');
  requireOnly(item, new Set(['this', 'desc', 'nulls_first', 'explicit_asc']), 'ordered');
  const value = item.this;
  const literal = isRecord(value) && isRecord(value.literal) ? value.literal : undefined;
  const position = literal?.literal_type === 'number' ? Number(literal.value) : Number.NaN;
  const output = Number.isInteger(position) ? outputs[position - 1] : undefined;
  if (!output) notHandled('a set operation ordered by other than an output position');
  return output.leaves;
}

function isLiteral(value: unknown): boolean {
  // A union's LIMIT is the literal node itself; a SELECT's wraps it as `{ this }`.
  if (!isRecord(value)) return false;
  if (isRecord(value.literal)) return true;
  return isRecord(value.this) && isRecord(value.this.literal);
}
