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

function outputsOf(analysis: Analysis): readonly OutputColumn[] {
  const producing = analysis.statements.filter((statement) => statement.outputColumns.length > 0);
  return producing[producing.length - 1]?.outputColumns ?? [];
}

function matchOutputs(resultColumns: readonly ColumnSchema[], outputs: readonly OutputColumn[]): (OutputColumn | undefined)[] {
  if (outputs.length === resultColumns.length) return [...outputs];
  return resultColumns.map((column) => {
    const named = outputs.filter((output) => lower(output.name) === lower(column.name));
    return named.length === 1 ? named[0] : undefined;
  });
}

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
  return input.resultColumns.map((schema, i) => {
    const output = outputs[i];
    const unknown = untrusted || output === undefined || output.confidence === 'unknown';
    const hits = unknown ? [...presumedHits, ...lineageHits(output?.lineage ?? [])] : lineageHits(output.lineage);
    const summary = summarise(hits);
    return {
      column: schema.name,
      ...(summary.rule !== undefined ? { rule: summary.rule } : {}),
      sources: summary.sources,
      reason: unknown ? 'unknown-lineage' : 'lineage',
      originalType: schema.mode === 'REPEATED' ? `ARRAY<${schema.type}>` : schema.type,
      schema,
      fieldRules,
    } satisfies PlannedColumn;
  });
}
