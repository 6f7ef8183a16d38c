/**
 * Walks one cell — scalar, STRUCT, ARRAY or JSON — masking inside it: a rule reaching a node masks
 * every leaf below it; a STRUCT field or JSON key that names a protected column gets that column's
 * rule (the stricter one wins where both reach); leaves no rule reached go to the content detectors.
 */
import type { CellValue, ColumnSchema } from '../ports.js';
import type { MaskRuleName } from '../policy/types.js';
import type { KeyedHasher } from './keyed-hash.js';
import { maskScalar, REDACTED } from './leaf-rules.js';
import { stricterRule } from './strictness.js';

/** What is known of a node's type: the column's schema, or less deeper inside JSON. */
export interface SchemaNode {
  readonly type?: string;
  readonly mode?: ColumnSchema['mode'];
  readonly fields?: readonly ColumnSchema[];
}

export interface NestedMaskContext {
  readonly hasher: KeyedHasher;
  /** Lower-case field name → rule, for STRUCT fields and JSON keys that name protected columns. */
  readonly fieldRules: ReadonlyMap<string, MaskRuleName>;
  /** Content detectors over a string no rule reached; absent when none are on. */
  readonly scan?: (text: string) => string;
  /** Told whenever a field rule reaches a non-null value, with the rule that applied. */
  readonly onFieldRule?: (field: string, rule: MaskRuleName) => void;
}

const arrayType = /^ARRAY\s*<([\s\S]*)>$/i;

function elementOf(schema: SchemaNode | undefined): SchemaNode | undefined {
  if (schema === undefined) return undefined;
  if (schema.mode === 'REPEATED') return { type: schema.type, fields: schema.fields };
  const inner = arrayType.exec(schema.type ?? '');
  return inner ? { type: inner[1].trim(), fields: schema.fields } : schema;
}

function fieldOf(schema: SchemaNode | undefined, key: string): SchemaNode | undefined {
  const lower = key.toLowerCase();
  return schema?.fields?.find((field) => field.name.toLowerCase() === lower);
}

const isStructType = (schema: SchemaNode | undefined): boolean => /^(STRUCT|RECORD)\b/i.test(schema?.type ?? '');
const isJsonType = (schema: SchemaNode | undefined): boolean => schema?.type?.toUpperCase() === 'JSON';

function parseJson(text: string): CellValue | undefined {
  try {
    return JSON.parse(text) as CellValue;
  } catch {
    return undefined;
  }
}

function setOwn(target: Record<string, CellValue>, key: string, value: CellValue): void {
  // A JSON key named __proto__ must stay data, not become the object's prototype.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export function maskNested(
  value: CellValue,
  schema: SchemaNode | undefined,
  rule: MaskRuleName | undefined,
  context: NestedMaskContext,
): CellValue {
  if (value === null || rule === 'null') return null;
  if (Array.isArray(value)) {
    const element = elementOf(schema);
    return value.map((item) => maskNested(item, element, rule, context));
  }
  if (typeof value === 'object') {
    const masked: Record<string, CellValue> = {};
    const maskKey = keyMasker(rule, context);
    for (const [key, child] of Object.entries(value)) {
      const field = fieldOf(schema, key);
      const fieldRule = context.fieldRules.get(key.toLowerCase());
      const applied = stricterRule(rule, fieldRule);
      if (fieldRule !== undefined && applied !== undefined && child !== null) context.onFieldRule?.(key, applied);
      // A STRUCT field's name is the query's; a MAP or JSON key is data, masked like the values.
      const outKey = field !== undefined || isStructType(schema) ? key : maskKey(key);
      setOwn(masked, outKey, maskNested(child, field, applied, context));
    }
    return masked;
  }
  if (typeof value === 'string' && isJsonType(schema) && (rule !== undefined || context.fieldRules.size > 0)) {
    const parsed = parseJson(value);
    if (parsed !== undefined) return JSON.stringify(maskNested(parsed, undefined, rule, context));
  }
  if (rule !== undefined) {
    const masked = maskScalar(rule, value, schema?.type, context.hasher);
    // What a format-preserving rule leaves (a domain, four digits) still goes past the detectors.
    return typeof masked === 'string' && context.scan && shownPart.has(rule) ? context.scan(masked) : masked;
  }
  if (typeof value === 'string' && context.scan) return context.scan(value);
  if (typeof value === 'number' && context.scan) {
    const text = String(value);
    const scanned = text.length < 9 ? text : context.scan(text);
    return scanned === text ? value : scanned;
  }
  return value;
}

const shownPart: ReadonlySet<MaskRuleName> = new Set(['email', 'last4', 'year']);

/**
 * How the keys of one MAP or JSON object are written. With no rule reaching the object they go past
 * the detectors; with a rule they get it too (`hash` keeps keys distinct and joinable, any other rule
 * replaces each key by a numbered `[REDACTED]` so keys stay distinct without showing anything).
 */
function keyMasker(rule: MaskRuleName | undefined, context: NestedMaskContext): (key: string) => string {
  if (rule === undefined) return context.scan ?? ((key) => key);
  if (rule === 'hash') return (key) => context.hasher(key);
  let n = 0;
  return () => (n++ === 0 ? REDACTED : `${REDACTED}:${n}`);
}
