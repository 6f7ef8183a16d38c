/**
 * The sources a SELECT of the lineage fast path reads from — catalogued tables, CTEs and derived
 * tables — and the CTEs visible where it stands. A table is followed only when the catalog knows it
 * (its name exactly as the statement's facts recorded it); a CTE only when it is named exactly as
 * defined (polyglot's own name matching is not relied on for anything looser).
 */
import { isRecord, nodeOf, type Payload } from './ast-nodes.js';
import { identifierName, notHandled, requireOnly } from './lineage-expressions.js';
import type { Leaf, Output, SelectLineage, Use } from './lineage-scope.js';
import { tableNameParts } from './table-names.js';

export interface Source {
  /** The name a qualifier uses: the alias, else the table's (or CTE's) last name part. */
  readonly alias: string | undefined;
  /** Lower-case column name → its catalogued columns, or `unusable` (repeated name, nothing to follow). */
  readonly columns: ReadonlyMap<string, readonly Leaf[] | 'unusable'>;
  /** The outputs `*` brings in, or undefined when some of them cannot be followed. */
  readonly starOutputs: readonly Output[] | undefined;
  /** Column uses inside a derived table (reported after those of the SELECT that reads it). */
  readonly uses: readonly Use[];
  /** A catalogued table (not a CTE or derived table). */
  readonly table: boolean;
  /** Joined with USING: `*` then merges a column, which is not read here. */
  usingJoin: boolean;
  /** Some output of the derived table or CTE has no name, shares its name with another, or came from a star. */
  readonly unclearOutputs: boolean;
}

/** The catalogued columns of a table as written, or undefined when the catalog does not know it. */
export type TableColumns = (writtenName: string) => readonly string[] | undefined;

export type ResolveSelect = (select: unknown, env: SourceEnv) => SelectLineage;

export class SourceEnv {
  private constructor(
    readonly tableColumns: TableColumns,
    private readonly ctes: ReadonlyMap<string, readonly Output[]>,
    private readonly ownCteUses: readonly Use[],
  ) {}

  static root(tableColumns: TableColumns): SourceEnv {
    return new SourceEnv(tableColumns, new Map(), []);
  }

  /** The environment inside a SELECT with this WITH clause: its CTEs visible, their uses its own. */
  withCtes(withClause: unknown, resolve: ResolveSelect): SourceEnv {
    if (withClause === null || withClause === undefined) return new SourceEnv(this.tableColumns, this.ctes, []);
    if (!isRecord(withClause)) notHandled('an unreadable WITH');
    requireOnly(withClause, new Set(['ctes']), 'with');
    const definitions = Array.isArray(withClause.ctes) ? withClause.ctes : [];
    const visible = new Map(this.ctes);
    const uses: Use[] = [];
    for (const definition of definitions) {
      if (!isRecord(definition)) notHandled('an unreadable CTE');
      requireOnly(definition, new Set(['alias', 'this', 'alias_first']), 'cte');
      const name = identifierName(definition.alias);
      if (name === undefined || [...visible.keys()].some((key) => key.toLowerCase() === name.toLowerCase())) {
        notHandled('a CTE name defined twice or unreadable');
      }
      // A non-recursive CTE sees the CTEs before it, never itself.
      const lineage = resolve(definition.this, new SourceEnv(this.tableColumns, visible, []));
      uses.push(...lineage.uses);
      visible.set(name, lineage.outputs);
    }
    return new SourceEnv(this.tableColumns, visible, uses);
  }

  cteUses(): readonly Use[] {
    return this.ownCteUses;
  }

  cte(name: string): readonly Output[] | undefined {
    const exact = this.ctes.get(name);
    if (exact) return exact;
    if ([...this.ctes.keys()].some((key) => key.toLowerCase() === name.toLowerCase())) notHandled('a CTE named in another case');
    return undefined;
  }
}

const tableFields: ReadonlySet<string> = new Set(['name', 'schema', 'catalog', 'alias', 'alias_explicit_as']);
const subqueryFields: ReadonlySet<string> = new Set(['this', 'alias', 'alias_explicit_as', 'alias_keyword']);

export function readSource(item: unknown, env: SourceEnv, resolve: ResolveSelect): Source {
  const node = nodeOf(item);
  if (!node || !isRecord(node.payload)) notHandled('an unreadable FROM item');
  const payload = node.payload;
  if (node.type === 'table') return tableSource(payload, env);
  if (node.type === 'subquery') {
    requireOnly(payload, subqueryFields, 'subquery');
    const lineage = resolve(payload.this, env);
    return derivedSource(optionalName(payload.alias), lineage.outputs, lineage.uses);
  }
  return notHandled(`FROM item ${node.type}`);
}

function tableSource(payload: Payload, env: SourceEnv): Source {
  requireOnly(payload, tableFields, 'table');
  const alias = optionalName(payload.alias);
  const parts = tableNameParts(payload);
  if (!parts) notHandled('an unreadable table name');
  if (parts.length === 1) {
    const cte = env.cte(parts[0] as string);
    if (cte) return derivedSource(alias ?? parts[0], cte, []);
  }
  const written = parts.join('.');
  const columns = env.tableColumns(written);
  if (!columns) notHandled('a table the catalog does not know');
  const byName = new Map<string, readonly Leaf[] | 'unusable'>();
  const starOutputs: Output[] = [];
  for (const column of columns) {
    const key = column.toLowerCase();
    const leaf = { table: written, column: key };
    byName.set(key, byName.has(key) ? 'unusable' : [leaf]);
    starOutputs.push({ name: column, leaves: [leaf], direct: true, unplaced: false });
  }
  // polyglot names an unaliased `` `d.t` `` after the whole quoted name, never after its last part.
  const quotedPath = (identifierName(payload.name) ?? '').includes('.');
  const name = alias ?? (quotedPath ? undefined : parts.at(-1));
  return { alias: name, table: true, columns: byName, starOutputs, uses: [], usingJoin: false, unclearOutputs: false };
}

function derivedSource(alias: string | undefined, outputs: readonly Output[], uses: readonly Use[]): Source {
  const byName = new Map<string, readonly Leaf[] | 'unusable'>();
  let followable = true;
  for (const output of outputs) {
    if (output.name === undefined) {
      followable = false;
      continue;
    }
    const key = output.name.toLowerCase();
    if (byName.has(key)) followable = false;
    // An output following to no catalogued column (`COUNT(*) AS n`) reads as no column at all.
    byName.set(key, byName.has(key) ? 'unusable' : output.leaves);
  }
  const unclearOutputs = !followable || outputs.some((output) => output.starred === true);
  return { alias, table: false, columns: byName, starOutputs: followable ? outputs : undefined, uses, usingJoin: false, unclearOutputs };
}

function optionalName(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  const name = identifierName(value);
  if (name === undefined) notHandled('an unreadable alias');
  return name;
}
