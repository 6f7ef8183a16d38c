/**
 * Planning which mask rule reaches each result column, by following lineage. Fails closed: where
 * lineage is unknown or incomplete, every column of every referenced table is presumed to flow in;
 * where not even the tables are known (unparsed or dynamic SQL), every column rule is presumed.
 */
import type { Analysis, AnalysedStatement, OutputColumn, SourceColumn } from '../analysis/types.js';
import type { MaskColumnRule, MaskRuleName } from '../policy/types.js';
import type { ColumnSchema } from '../ports.js';
import { strictestRule } from './strictness.js';
import { matchesTableGlob, type TableMatcher } from './table-glob.js';

export type MaskReason = 'lineage' | 'unknown-lineage';

/** A rule reaching a STRUCT field or JSON key by its name, and the protected columns it stands for. */
export interface PlannedFieldRule {
  readonly rule: MaskRuleName;
  readonly sources: readonly string[];
}

export interface PlannedColumn {
  readonly column: string;
  /** The strictest rule reaching the column; absent when no protected column flows in. */
  readonly rule?: MaskRuleName;
  /** The protected source columns (`table.column`) behind `rule`; empty when there is none. */
  readonly sources: readonly string[];
  readonly reason: MaskReason;
  /** The result's type, `ARRAY<…>` for a repeated column. */
  readonly originalType: string;
  readonly schema: ColumnSchema;
  /** Lower-case field name → rule, for nested values whose fields name protected columns. */
  readonly fieldRules: Readonly<Record<string, PlannedFieldRule>>;
  /**
   * For a computed scalar column: the rule for a cell that turns out to be a JSON document (an object
   * or array in a string, as TO_JSON_STRING builds). Such a document can carry fields from anywhere in
   * the referenced tables that the lineage did not report, so it is treated as unknown lineage.
   */
  readonly documentRule?: PlannedFieldRule;
}

export type MaskPlan = readonly PlannedColumn[];

export interface MaskPlanInput {
  readonly analysis: Analysis;
  readonly resultColumns: readonly ColumnSchema[];
  readonly columnRules: readonly MaskColumnRule[];
  /** The columns of a referenced table, undefined when the catalog does not know it. */
  readonly tableColumns: (table: string) => readonly string[] | undefined;
  readonly matchesTable?: TableMatcher;
}

interface RuleHit {
  readonly rule: MaskRuleName;
  readonly source: string;
}

const lower = (name: string): string => name.toLowerCase();
const topLevel = (column: string): string => lower(column.split('.')[0]);
const leafName = (column: string): string => lower(column.split('.').pop() ?? column);

/** A source column is covered by a rule on it, or on the STRUCT column it is a field of. */
function covers(ruleColumn: string, sourceColumn: string): boolean {
  const rule = lower(ruleColumn);
  const source = lower(sourceColumn);
  return source === rule || source.startsWith(`${rule}.`);
}

/**
 * The outputs of the statement whose rows come back: the last one. An earlier statement's outputs
 * are never borrowed — when the last statement reports none, every result column has unknown lineage.
 */
function outputsOf(analysis: Analysis): readonly OutputColumn[] {
  return analysis.statements[analysis.statements.length - 1]?.outputColumns ?? [];
}

/** Names made up for unnamed expressions: the analyser's (`_col_0`) and BigQuery's (`f0_`). */
const analyserSynthetic = /^_col_\d+$/;
const warehouseSynthetic = /^f\d+_$/;
const plainIdentifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Pairs result columns with the analyser's outputs: by position when the counts agree and the names
 * agree too (or the analyser's name is a made-up one), otherwise by a unique name. A column that
 * pairs with nothing has unknown lineage — a result in another order than the analysis must never
 * hand one column's rule (or none) to another.
 */
function matchOutputs(resultColumns: readonly ColumnSchema[], outputs: readonly OutputColumn[]): (OutputColumn | undefined)[] {
  const byName = (column: ColumnSchema): OutputColumn | undefined => {
    const named = outputs.filter((output) => lower(output.name) === lower(column.name));
    return named.length === 1 ? named[0] : undefined;
  };
  if (outputs.length !== resultColumns.length) return resultColumns.map(byName);
  return resultColumns.map((column, i) => {
    const output = outputs[i];
    if (lower(output.name) === lower(column.name)) return output;
    // The analyser could not name an expression the warehouse named like a column (`s.b` → `b`):
    // it did not understand the expression, so its lineage is not trusted.
    const synthetic = warehouseSynthetic.test(column.name) || (analyserSynthetic.test(output.name) && !plainIdentifier.test(column.name));
    if (synthetic && !outputs.some((other) => lower(other.name) === lower(column.name))) return output;
    return byName(column);
  });
}

const compositeType = /^(STRUCT|RECORD|ARRAY|JSON)\b/i;
const isComposite = (schema: ColumnSchema): boolean => schema.mode === 'REPEATED' || compositeType.test(schema.type);

const tablesUnknown = (analysis: Analysis): boolean =>
  analysis.statements.length === 0 ||
  analysis.statements.some((s: AnalysedStatement) => s.flags.unparsed || s.flags.dynamicSql);

/** Whole-row values, scripts (temp tables hide lineage) or a dry run that saw other tables than the analysis. */
const lineageUntrusted = (analysis: Analysis): boolean =>
  tablesUnknown(analysis) ||
  analysis.dryRunDisagreement !== undefined ||
  analysis.statements.some((s) => s.flags.lineageIncomplete || s.flags.scripting);

function summarise(hits: readonly RuleHit[]): { rule?: MaskRuleName; sources: string[] } {
  const rule = strictestRule(hits.map((hit) => hit.rule));
  if (rule === undefined) return { sources: [] };
  return { rule, sources: [...new Set(hits.map((hit) => hit.source))].sort() };
}

export function planMasking(input: MaskPlanInput): MaskPlan {
  const { analysis, columnRules } = input;
  const matches = input.matchesTable ?? matchesTableGlob;
  const outputs = matchOutputs(input.resultColumns, outputsOf(analysis));
  const everyRuleApplies = tablesUnknown(analysis);

  const lineageHits = (lineage: readonly SourceColumn[]): RuleHit[] =>
    lineage.flatMap((source) =>
      columnRules
        .filter((rule) => covers(rule.column, source.column) && matches(rule.table, source.table))
        .map((rule) => ({ rule: rule.rule, source: `${source.table}.${source.column}` })),
    );

  const allRuleHits = (): RuleHit[] => columnRules.map((rule) => ({ rule: rule.rule, source: `${rule.table}.${rule.column}` }));

  const referencedTables = [
    ...new Set([
      ...analysis.tables,
      ...analysis.statements.flatMap((s) => [...s.tables, ...s.outputColumns.flatMap((o) => o.lineage.map((l) => l.table))]),
    ]),
  ];

  /** Every protected column of every referenced table, or every rule matching a table whose columns are unknown. */
  const presumedHits: RuleHit[] = everyRuleApplies
    ? allRuleHits()
    : referencedTables.flatMap((table) => {
        const known = input.tableColumns(table)?.map(lower);
        return columnRules
          .filter((rule) => matches(rule.table, table) && (known === undefined || known.includes(topLevel(rule.column))))
          .map((rule) => ({ rule: rule.rule, source: `${table}.${rule.column}` }));
      });

  const fieldHits = everyRuleApplies
    ? allRuleHits().map((hit, i) => ({ ...hit, field: leafName(columnRules[i].column) }))
    : referencedTables.flatMap((table) =>
        columnRules
          .filter((rule) => matches(rule.table, table))
          .map((rule) => ({ rule: rule.rule, source: `${table}.${rule.column}`, field: leafName(rule.column) })),
      );
  const fieldRules: Record<string, PlannedFieldRule> = {};
  for (const field of new Set(fieldHits.map((hit) => hit.field))) {
    const summary = summarise(fieldHits.filter((hit) => hit.field === field));
    if (summary.rule !== undefined) fieldRules[field] = { rule: summary.rule, sources: summary.sources };
  }

  const untrusted = lineageUntrusted(analysis);
  const presumed = summarise(presumedHits);
  return input.resultColumns.map((schema, i) => {
    const output = outputs[i];
    // A STRUCT, ARRAY or JSON value built in the query ((SELECT AS STRUCT a, b …), ARRAY_AGG(…)) is
    // where analysers lose fields, so its reported lineage is not trusted.
    const unknown =
      untrusted || output === undefined || output.confidence === 'unknown' || (output.confidence === 'derived' && isComposite(schema));
    const hits = unknown ? [...presumedHits, ...lineageHits(output?.lineage ?? [])] : lineageHits(output.lineage);
    const summary = summarise(hits);
    const documentRule =
      !unknown && output.confidence === 'derived' && presumed.rule !== undefined
        ? summarise([...presumedHits, ...lineageHits(output.lineage)])
        : undefined;
    return {
      column: schema.name,
      ...(summary.rule !== undefined ? { rule: summary.rule } : {}),
      sources: summary.sources,
      reason: unknown ? 'unknown-lineage' : 'lineage',
      originalType: schema.mode === 'REPEATED' ? `ARRAY<${schema.type}>` : schema.type,
      schema,
      fieldRules,
      ...(documentRule?.rule !== undefined ? { documentRule: { rule: documentRule.rule, sources: documentRule.sources } } : {}),
    } satisfies PlannedColumn;
  });
}
