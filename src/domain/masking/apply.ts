/**
 * Masking a result by its plan: column rules first (whole values, or nested fields that name
 * protected columns), then the content detectors over every string the rules left clear. The
 * report names columns, rules, sources and counts — never a value.
 */
import type { DetectorName, MaskRuleName } from '../policy/types.js';
import type { CellValue, ResultRow } from '../ports.js';
import { createTextScanner } from './detectors/index.js';
import { createKeyedHasher } from './keyed-hash.js';
import { maskNested, type NestedMaskContext } from './nested.js';
import type { MaskPlan, MaskReason, PlannedColumn, PlannedFieldRule } from './plan.js';
import type { ResultColumnDescription } from './result-hash.js';
import { stricterRule } from './strictness.js';

export { resultHash, type ResultColumnDescription } from './result-hash.js';

export interface MaskingOptions {
  /** Content detectors to run; empty for none. */
  readonly detectors: readonly DetectorName[];
  /** Key of the `hash` rule: bytes, or hex; at least 16 bytes. */
  readonly hmacKey: Uint8Array | string;
}

export interface MaskedColumnReport {
  readonly column: string;
  readonly rule: MaskRuleName;
  readonly sources: readonly string[];
  readonly originalType: string;
  readonly reason: MaskReason;
}

export interface DetectorHitReport {
  readonly column: string;
  readonly detector: DetectorName;
  readonly count: number;
}

/** The data of a ResultMasked event, less requestId and resultHash. */
export interface MaskingReport {
  readonly maskedColumns: readonly MaskedColumnReport[];
  readonly detectorHits: readonly DetectorHitReport[];
}

export interface MaskedResult {
  readonly rows: Record<string, CellValue>[];
  readonly columns: ResultColumnDescription[];
  readonly report: MaskingReport;
}

const nestedTypes = /^(STRUCT|RECORD|ARRAY|JSON)\b/i;

/** An object or array written as text (TO_JSON_STRING, FORMAT('%t'), string concatenation …). */
function looksLikeJsonDocument(value: string): boolean {
  const text = value.trim();
  const first = text[0];
  const last = text[text.length - 1];
  return text.length >= 2 && ((first === '{' && last === '}') || (first === '[' && last === ']'));
}

/** What one column's masking did, gathered while the rows are walked. */
interface ColumnTally {
  readonly planned: PlannedColumn;
  readonly detectorCounts: Map<DetectorName, number>;
  fieldRule?: MaskRuleName;
  readonly fieldSources: Set<string>;
}

function deliveredType(planned: PlannedColumn, rule: MaskRuleName | undefined): string {
  // A masked scalar is delivered as text ('[REDACTED]', 'hash:…', '1984'); nested values keep their shape.
  if (rule === undefined || rule === 'null' || planned.schema.mode === 'REPEATED' || nestedTypes.test(planned.schema.type)) {
    return planned.originalType;
  }
  return 'STRING';
}

/**
 * The names rows are delivered under: the result's own, with a repeated name made distinct
 * (`x`, `x:1`, as DuckDB does) so no cell of a row overwrites another.
 */
function deliveredNames(columns: readonly string[]): string[] {
  const used = new Set<string>();
  return columns.map((name) => {
    let candidate = name;
    for (let n = 1; used.has(candidate); n++) candidate = `${name}:${n}`;
    used.add(candidate);
    return candidate;
  });
}

/**
 * A clear scalar through the detectors: strings as they are, numbers as their text (a card number
 * cast to INT64 is still one). A number the detectors leave alone stays a number.
 */
function scanScalar(value: CellValue, scan: ((text: string) => string) | undefined): CellValue {
  if (scan === undefined) return value;
  if (typeof value === 'string') return scan(value);
  if (typeof value === 'number') {
    const text = String(value);
    if (text.length < 9) return value;
    const scanned = scan(text);
    return scanned === text ? value : scanned;
  }
  return value;
}

/** Masks positional rows (cell i under plan[i]); the delivered rows are keyed by column name. */
export function applyMasking(plan: MaskPlan, rows: readonly ResultRow[], options: MaskingOptions): MaskedResult {
  const hasher = createKeyedHasher(options.hmacKey);
  const scanText = options.detectors.length > 0 ? createTextScanner(options.detectors) : undefined;

  const tallies: ColumnTally[] = plan.map((planned) => ({ planned, detectorCounts: new Map(), fieldSources: new Set() }));
  const contexts: NestedMaskContext[] = tallies.map((tally) => {
    const fieldRules = new Map(Object.entries(tally.planned.fieldRules).map(([field, planned]) => [field, planned.rule]));
    const countHit = (detector: DetectorName, count: number): void => {
      tally.detectorCounts.set(detector, (tally.detectorCounts.get(detector) ?? 0) + count);
    };
    return {
      hasher,
      fieldRules,
      scan: scanText && ((text: string) => scanText(text, countHit)),
      onFieldRule: (field: string, rule: MaskRuleName) => {
        tally.fieldRule = stricterRule(tally.fieldRule, rule);
        for (const source of tally.planned.fieldRules[field.toLowerCase()]?.sources ?? []) tally.fieldSources.add(source);
      },
    };
  });

  const nestedColumn = plan.map((planned) => planned.schema.mode === 'REPEATED' || nestedTypes.test(planned.schema.type));
  const maskDocument = (value: string, i: number, document: PlannedFieldRule): CellValue => {
    const tally = tallies[i];
    const rule = stricterRule(plan[i].rule, document.rule) ?? document.rule;
    tally.fieldRule = stricterRule(tally.fieldRule, rule);
    for (const source of document.sources) tally.fieldSources.add(source);
    return maskNested(value, plan[i].schema, rule, contexts[i]);
  };
  const maskCell = (value: CellValue, i: number): CellValue => {
    const planned = plan[i];
    const document = planned.documentRule;
    if (document !== undefined && typeof value === 'string' && looksLikeJsonDocument(value)) return maskDocument(value, i, document);
    // The common cells — clear scalars — skip the nested walk.
    if (planned.rule === undefined && typeof value !== 'object' && !nestedColumn[i]) return scanScalar(value, contexts[i].scan);
    return maskNested(value, planned.schema, planned.rule, contexts[i]);
  };
  const names = deliveredNames(plan.map((planned) => planned.column));
  const maskedRows = rows.map((row) => {
    const masked: Record<string, CellValue> = {};
    for (let i = 0; i < plan.length; i++) {
      const cell = maskCell(i < row.length ? (row[i] as CellValue) : null, i);
      const name = names[i] as string;
      // A column named __proto__ must stay data, not become the row's prototype.
      if (name === '__proto__') Object.defineProperty(masked, name, { value: cell, enumerable: true, writable: true, configurable: true });
      else masked[name] = cell;
    }
    return masked;
  });

  const maskedColumns: MaskedColumnReport[] = [];
  const detectorHits: DetectorHitReport[] = [];
  const columns = tallies.map(({ planned, detectorCounts, fieldRule, fieldSources }, i) => {
    const name = names[i] as string;
    const rule = stricterRule(planned.rule, fieldRule);
    if (rule !== undefined) {
      const sources = [...new Set([...planned.sources, ...fieldSources])].sort();
      maskedColumns.push({ column: name, rule, sources, originalType: planned.originalType, reason: planned.reason });
    }
    for (const [detector, count] of detectorCounts) detectorHits.push({ column: name, detector, count });
    // A number a detector replaced is delivered as text.
    const type = planned.rule === undefined && detectorCounts.size > 0 && !nestedColumn[i] ? 'STRING' : deliveredType(planned, planned.rule);
    return rule === undefined ? { name, type } : { name, type, masked: rule };
  });

  return { rows: maskedRows, columns, report: { maskedColumns, detectorHits } };
}
