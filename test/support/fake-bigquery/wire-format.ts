/**
 * Engine values → BigQuery's row wire format: `{f:[{v}]}` with every scalar a string, records as
 * `{v:{f:[…]}}`, repeated fields as `{v:[{v}]}` and NULL as `{v:null}`.
 */
import type { BigQueryField, EngineRow } from './types.js';

export type TimestampOutput = 'INT64' | 'FLOAT64' | 'ISO8601_STRING';

export interface WireCell {
  readonly v: WireValue;
}
export type WireValue = string | null | { readonly f: readonly WireCell[] } | readonly WireCell[];
export interface WireRow {
  readonly f: readonly WireCell[];
}

export const encodeRows = (
  schema: readonly BigQueryField[],
  rows: readonly EngineRow[],
  timestamps: TimestampOutput,
): WireRow[] => rows.map((row) => encodeRecord(schema, row, timestamps));

const encodeRecord = (fields: readonly BigQueryField[], value: unknown, ts: TimestampOutput): WireRow => {
  const values = Array.isArray(value)
    ? value
    : fields.map((field) => (value as Record<string, unknown> | null)?.[field.name] ?? null);
  return { f: fields.map((field, i) => ({ v: encodeField(field, values[i], ts) })) };
};

const encodeField = (field: BigQueryField, value: unknown, ts: TimestampOutput): WireValue => {
  if (field.mode === 'REPEATED') {
    // BigQuery has no NULL arrays: a NULL array reads back as empty.
    const items = Array.isArray(value) ? value : [];
    return items.map((item) => ({ v: encodeScalarOrRecord(field, item, ts) }));
  }
  return encodeScalarOrRecord(field, value, ts);
};

const encodeScalarOrRecord = (field: BigQueryField, value: unknown, ts: TimestampOutput): WireValue => {
  if (value === null || value === undefined) return null;
  const type = field.type.toUpperCase();
  if (type === 'RECORD' || type === 'STRUCT') return encodeRecord(field.fields ?? [], value, ts);
  return encodeScalar(type, value, ts);
};

const encodeScalar = (type: string, value: unknown, ts: TimestampOutput): string => {
  switch (type) {
    case 'INTEGER':
    case 'INT64':
      return BigInt(value as bigint | number | string).toString();
    case 'FLOAT':
    case 'FLOAT64':
      return floatText(Number(value));
    case 'BOOLEAN':
    case 'BOOL':
      return value === true || value === 'true' ? 'true' : 'false';
    case 'BYTES':
      return value instanceof Uint8Array ? Buffer.from(value).toString('base64') : String(value);
    case 'TIMESTAMP':
      return timestampText(toMicros(value), ts);
    case 'JSON':
      return typeof value === 'string' ? value : JSON.stringify(value);
    default:
      return String(value);
  }
};

const floatText = (n: number): string => {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return String(n);
};

/** Microseconds since the epoch, exact. */
export const toMicros = (value: unknown): bigint => {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(Math.round(value));
  if (value instanceof Date) return BigInt(value.getTime()) * 1000n;
  const text = String(value);
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(Z|[+-]\d\d:\d\d)?$/.exec(text);
  if (!match) throw new Error(`not a timestamp: ${text}`);
  const wholeSeconds = Date.parse(`${match[1]}${match[3] ?? 'Z'}`);
  const fraction = BigInt((match[2] ?? '').padEnd(6, '0'));
  return BigInt(wholeSeconds) * 1000n + fraction;
};

const timestampText = (micros: bigint, ts: TimestampOutput): string => {
  if (ts === 'INT64') return micros.toString();
  const seconds = floorDiv(micros, 1_000_000n);
  const fraction = micros - seconds * 1_000_000n;
  if (ts === 'ISO8601_STRING') {
    const whole = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
    return `${whole}.${fraction.toString().padStart(6, '0')}Z`;
  }
  // BigQuery's default: float seconds in scientific notation, e.g. "1.672574400123456E9".
  const asNumber = Number(seconds) + Number(fraction) / 1e6;
  return asNumber.toExponential().replace('e+', 'E').replace('e-', 'E-');
};

const floorDiv = (a: bigint, b: bigint): bigint => {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
};
