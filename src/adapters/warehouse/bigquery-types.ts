/**
 * BigQuery's REST row format (`{f:[{v}]}`, every scalar a string) → CellValue, decoded from the raw
 * rows rather than the Node client's parser so that INT64 and NUMERIC keep every digit and
 * TIMESTAMP keeps its microseconds.
 */
import type { CellValue, ColumnSchema } from '../../domain/ports.js';

/** A schema field as BigQuery's REST API sends it (legacy type names included). */
export interface BigQueryFieldSchema {
  readonly name?: string;
  readonly type?: string;
  readonly mode?: string;
  readonly fields?: readonly BigQueryFieldSchema[];
  readonly rangeElementType?: { readonly type?: string };
}

export interface RawCell {
  readonly v?: unknown;
}
export interface RawRow {
  readonly f?: readonly RawCell[];
}

const legacyToStandard: Readonly<Record<string, string>> = {
  INTEGER: 'INT64',
  FLOAT: 'FLOAT64',
  BOOLEAN: 'BOOL',
  RECORD: 'STRUCT',
};

const baseType = (field: BigQueryFieldSchema): string => {
  const raw = (field.type ?? 'STRING').toUpperCase();
  return legacyToStandard[raw] ?? raw;
};

/** The GoogleSQL spelling of a field's type, e.g. ARRAY<STRUCT<a INT64, b STRING>>. */
export const typeName = (field: BigQueryFieldSchema): string => {
  const base = baseType(field);
  let element = base;
  if (base === 'STRUCT') element = `STRUCT<${(field.fields ?? []).map((f) => `${f.name ?? ''} ${typeName(f)}`).join(', ')}>`;
  else if (base === 'RANGE' && field.rangeElementType?.type) element = `RANGE<${field.rangeElementType.type.toUpperCase()}>`;
  return field.mode?.toUpperCase() === 'REPEATED' ? `ARRAY<${element}>` : element;
};

const modeOf = (field: BigQueryFieldSchema): ColumnSchema['mode'] => {
  const mode = field.mode?.toUpperCase();
  return mode === 'REQUIRED' || mode === 'REPEATED' ? mode : 'NULLABLE';
};

export const columnOf = (field: BigQueryFieldSchema): ColumnSchema => ({
  name: field.name ?? '',
  type: typeName(field),
  mode: modeOf(field),
  ...(field.fields && field.fields.length > 0 ? { fields: field.fields.map(columnOf) } : {}),
});

export const columnsOf = (fields: readonly BigQueryFieldSchema[] | undefined): ColumnSchema[] => (fields ?? []).map(columnOf);

/** An integer as a JSON number when it is exactly representable, otherwise its decimal string. */
const exactInteger = (text: string): CellValue => {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text).toString();
};

const float = (text: string): CellValue => {
  const n = Number(text);
  return Number.isFinite(n) ? n : text; // NaN, Infinity, -Infinity stay strings: JSON has no spelling for them
};

const pad = (n: bigint | number, width: number): string => n.toString().padStart(width, '0');

/** Microseconds since the epoch → 2024-01-02T03:04:05.123456Z (exact, also before 1970). */
export const microsToIso = (micros: bigint): string => {
  let seconds = micros / 1_000_000n;
  let fraction = micros % 1_000_000n;
  if (fraction < 0n) {
    seconds -= 1n;
    fraction += 1_000_000n;
  }
  const whole = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${whole}.${pad(fraction, 6)}Z`;
};

/** TIMESTAMP cells: int64 micros (what Node asks for), float seconds, or already ISO. */
const timestamp = (text: string): string => {
  if (/^-?\d+$/.test(text)) return microsToIso(BigInt(text));
  if (/^-?[\d.]+(E-?\d+)?$/i.test(text)) return microsToIso(BigInt(Math.round(Number(text) * 1e6)));
  return text;
};

const json = (text: string): CellValue => {
  try {
    return JSON.parse(text) as CellValue;
  } catch {
    return text;
  }
};

const scalar = (type: string, text: string): CellValue => {
  switch (type) {
    case 'INT64':
      return exactInteger(text);
    case 'NUMERIC':
    case 'BIGNUMERIC':
    case 'BIGDECIMAL':
    case 'DECIMAL':
      return text; // always the exact decimal string, as every warehouse adapter reports NUMERIC
    case 'FLOAT64':
      return float(text);
    case 'BOOL':
      return text === 'true';
    case 'TIMESTAMP':
      return timestamp(text);
    case 'JSON':
      return json(text);
    default:
      // STRING, BYTES (base64), DATE, DATETIME, TIME, GEOGRAPHY (WKT), INTERVAL, RANGE: as BigQuery spells them.
      return text;
  }
};

const decodeValue = (field: BigQueryFieldSchema, value: unknown, ignoreMode = false): CellValue => {
  if (value === null || value === undefined) return field.mode?.toUpperCase() === 'REPEATED' && !ignoreMode ? [] : null;
  if (!ignoreMode && field.mode?.toUpperCase() === 'REPEATED') {
    const items = Array.isArray(value) ? (value as RawCell[]) : [];
    return items.map((item) => decodeValue(field, item?.v, true));
  }
  const type = baseType(field);
  if (type === 'STRUCT') return decodeRecord(field.fields ?? [], value as RawRow);
  return scalar(type, typeof value === 'string' ? value : String(value));
};

const decodeRecord = (fields: readonly BigQueryFieldSchema[], row: RawRow): { [key: string]: CellValue } => {
  const cells = row?.f ?? [];
  const record: { [key: string]: CellValue } = {};
  fields.forEach((field, i) => {
    record[field.name ?? `f${i}`] = decodeValue(field, cells[i]?.v);
  });
  return record;
};

export const decodeRows = (fields: readonly BigQueryFieldSchema[], rows: readonly RawRow[]): Record<string, CellValue>[] =>
  rows.map((row) => decodeRecord(fields, row));

/** Rows as positional cells (cell i under field i), so duplicate field names cannot overwrite each other. */
export const decodeRowValues = (fields: readonly BigQueryFieldSchema[], rows: readonly RawRow[]): CellValue[][] =>
  rows.map((row) => fields.map((field, i) => decodeValue(field, row?.f?.[i]?.v)));
