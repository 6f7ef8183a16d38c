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

/** `unpaired-columns`: the result's columns did not agree with the analysis, so lineage was not used. */
export type MaskReason = 'lineage' | 'unknown-lineage' | 'unpaired-columns';

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
  /**
   * The outputs of the SQL the warehouse ran, when it ran other SQL than the analysed (DuckDB's
   * transpilation); `null` when that SQL could not be analysed. They must pair with the result's
   * columns as the analysed outputs do, and their lineage adds to the analysed lineage.
   */
  readonly executedOutputs?: readonly OutputColumn[] | null;
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

const allDistinct = (names: readonly string[]): boolean => new Set(names.map(lower)).size === names.length;

/**
 * Pairs result columns with the analyser's outputs by position, and only when the two lists agree
 * exactly: the same count, no repeated name on either side, and at each position the name the
 * analysis expects (an unnamed expression may carry BigQuery's made-up `fN_`). Anything else —
 * duplicates, an engine's rename (`x:1`), extra or missing columns — answers undefined: the pairing
 * cannot be trusted for any column.
 */
function pairOutputs(resultColumns: readonly ColumnSchema[], outputs: readonly OutputColumn[]): OutputColumn[] | undefined {
  if (outputs.length !== resultColumns.length) return undefined;
  if (!allDistinct(resultColumns.map((c) => c.name)) || !allDistinct(outputs.map((o) => o.name))) return undefined;
  const paired: OutputColumn[] = [];
  for (let i = 0; i < outputs.length; i++) {
    const output = outputs[i] as OutputColumn;
    const column = resultColumns[i] as ColumnSchema;
    const agree = lower(output.name) === lower(column.name) || (analyserSynthetic.test(output.name) && warehouseSynthetic.test(column.name));
    if (!agree) return undefined;
    paired.push(output);
  }
  return paired;
}

/**
 * `email`, `last4` and `year` show part of the value, so they are safe only on the value itself: on
 * anything computed from it (a substring, a replacement, a concatenation) the shown part may be the
 * protected text moved there. Such a value gets `redact` instead.
 */
const formatPreserving: ReadonlySet<MaskRuleName> = new Set(['email', 'last4', 'year']);
const onComputedValue = (rule: MaskRuleName): MaskRuleName => (formatPreserving.has(rule) ? 'redact' : rule);
const computed = (hits: readonly RuleHit[]): RuleHit[] => hits.map((hit) => ({ ...hit, rule: onComputedValue(hit.rule) }));

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
  const analysed = pairOutputs(input.resultColumns, outputsOf(analysis));
  const executed =
    input.executedOutputs === undefined ? analysed : input.executedOutputs === null ? undefined : pairOutputs(input.resultColumns, input.executedOutputs);
  const paired = analysed !== undefined && executed !== undefined ? analysed : undefined;
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
  const fieldRulesOf = (hits: readonly (RuleHit & { field: string })[]): Record<string, PlannedFieldRule> => {
    const rules: Record<string, PlannedFieldRule> = {};
    for (const field of new Set(hits.map((hit) => hit.field))) {
      const summary = summarise(hits.filter((hit) => hit.field === field));
      if (summary.rule !== undefined) rules[field] = { rule: summary.rule, sources: summary.sources };
    }
    return rules;
  };
  // A protected column's own STRUCT fields keep their rules; in a value built by the query they are computed.
  const ownFieldRules = fieldRulesOf(fieldHits);
  const computedFieldRules = fieldRulesOf(fieldHits.map((hit) => ({ ...hit, rule: onComputedValue(hit.rule) })));

  const untrusted = lineageUntrusted(analysis);
  const presumed = summarise(presumedHits);
  return input.resultColumns.map((schema, i) => {
    const output = paired?.[i];
    // A STRUCT, ARRAY or JSON value built in the query ((SELECT AS STRUCT a, b …), ARRAY_AGG(…)) is
    // where analysers lose fields, so its reported lineage is not trusted.
    const unknown =
      untrusted ||
      output === undefined ||
      output.confidence === 'unknown' ||
      executed?.[i]?.confidence === 'unknown' ||
      (output.confidence === 'derived' && isComposite(schema));
    const valueItself = !unknown && output.confidence === 'exact';
    const lineage = [...(output?.lineage ?? []), ...(executed?.[i]?.lineage ?? [])];
    const reached = unknown ? [...presumedHits, ...lineageHits(lineage)] : lineageHits(lineage);
    const summary = summarise(valueItself ? reached : computed(reached));
    const documentRule =
      !unknown && output.confidence === 'derived' && presumed.rule !== undefined
        ? summarise(computed([...presumedHits, ...lineageHits(lineage)]))
        : undefined;
    const reason: MaskReason = untrusted ? 'unknown-lineage' : paired === undefined ? 'unpaired-columns' : unknown ? 'unknown-lineage' : 'lineage';
    return {
      column: schema.name,
      ...(summary.rule !== undefined ? { rule: summary.rule } : {}),
      sources: summary.sources,
      reason,
      originalType: schema.mode === 'REPEATED' ? `ARRAY<${schema.type}>` : schema.type,
      schema,
      fieldRules: valueItself ? ownFieldRules : computedFieldRules,
      ...(documentRule?.rule !== undefined ? { documentRule: { rule: documentRule.rule, sources: documentRule.sources } } : {}),
    } satisfies PlannedColumn;
  });
}
