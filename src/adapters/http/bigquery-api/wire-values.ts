/**
 * The gateway's result columns and cells in BigQuery's wire form (jobs.getQueryResults): legacy type
 * names (INTEGER, FLOAT, BOOLEAN, RECORD), ARRAY as mode REPEATED, every cell a string or null, INT64 as
 * a decimal string, TIMESTAMP per formatOptions (float seconds by default, int64 micros with
 * useInt64Timestamp, ISO text with ISO8601_STRING), RECORD as {f:[…]}. Source: BigQuery REST reference
 * (TableFieldSchema, DataFormatOptions) and the Node client's parser (src/bigquery.ts).
 * A masked column is typed STRING: its cells are the mask's text, whatever the source type was.
 */
export interface WireField {
  name: string;
  type: string;
  mode: 'NULLABLE' | 'REPEATED';
  fields?: WireField[];
}

export type TimestampFormat = 'FLOAT64' | 'INT64' | 'ISO8601_STRING';

export type WireCell = { v: WireValue };
export type WireValue = string | null | { f: WireCell[] } | WireCell[];

const legacyNames: Record<string, string> = { INT64: 'INTEGER', FLOAT64: 'FLOAT', BOOL: 'BOOLEAN', STRUCT: 'RECORD' };

/** Splits `a INT64, b STRUCT<c STRING>` at top-level commas. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '<' || ch === '(') depth++;
    else if (ch === '>' || ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts.filter((p) => p.length > 0);
}

/** A GoogleSQL type spelling (`ARRAY<STRUCT<a INT64>>`, `NUMERIC(10, 2)`) as a wire field. */
export function wireFieldOf(name: string, googleSqlType: string): WireField {
  const type = googleSqlType.trim();
  const upper = type.toUpperCase();
  if (upper.startsWith('ARRAY<') && upper.endsWith('>')) {
    return { ...wireFieldOf(name, type.slice(6, -1)), mode: 'REPEATED' };
  }
  if (upper.startsWith('STRUCT<') && upper.endsWith('>')) {
    const fields = splitTopLevel(type.slice(7, -1)).map((member) => {
      const space = member.search(/\s/);
      const fieldName = (space < 0 ? member : member.slice(0, space)).replace(/^`|`$/g, '');
      return wireFieldOf(fieldName, space < 0 ? 'STRING' : member.slice(space + 1));
    });
    return { name, type: 'RECORD', mode: 'NULLABLE', fields };
  }
  const base = upper.replace(/[<(].*$/s, '').trim() || 'STRING';
  return { name, type: legacyNames[base] ?? base, mode: 'NULLABLE' };
}

/**
 * A masked column keeps its shape (RECORD members, REPEATED) with every leaf typed STRING: masks write
 * text ('[REDACTED]', 'j***@example.com', '1984') wherever they apply, and any other leaf reads as text too.
 */
export function withStringLeaves(field: WireField): WireField {
  if (field.type === 'RECORD' && field.fields) return { ...field, fields: field.fields.map(withStringLeaves) };
  const { fields: _fields, ...leaf } = field;
  return { ...leaf, type: 'STRING' };
}

export function wireSchemaOf(columns: readonly { name: string; type: string; masked?: string }[]): WireField[] {
  return columns.map((column) => {
    const field = wireFieldOf(column.name, column.type);
    return column.masked ? withStringLeaves(field) : field;
  });
}

const microsPattern = /^(-?\d{4,}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/** An ISO timestamp (what the warehouses store) as epoch microseconds; undefined when it is not one. */
export function timestampMicros(text: string): bigint | undefined {
  const match = microsPattern.exec(text.trim());
  if (!match) return undefined;
  const [, date, time, fraction = '', zone = 'Z'] = match;
  const millis = Date.parse(`${date}T${time}${zone === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`);
  if (Number.isNaN(millis)) return undefined;
  return BigInt(millis) * 1000n + BigInt((fraction + '000000').slice(0, 6));
}

/**
 * Float seconds as BigQuery writes them, which is Java's Double.toString: `1.672574400123456E9` for
 * present-day instants, plain `12.5` between 10^-3 and 10^7 seconds, `0.0` for the epoch.
 */
export function floatSecondsOf(micros: bigint): string {
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  const sign = negative ? '-' : '';
  const whole = (abs / 1_000_000n).toString();
  const fraction = (abs % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  if (abs === 0n) return '0.0';
  if (abs >= 1_000n && abs < 10_000_000_000_000n) return `${sign}${whole}.${fraction || '0'}`;
  const digits = `${whole}${fraction}`.replace(/^0+/, '');
  const exponent = whole === '0' ? -(fraction.length - fraction.replace(/^0+/, '').length) - 1 : whole.length - 1;
  const rest = digits.slice(1).replace(/0+$/, '');
  return `${sign}${digits[0]}.${rest || '0'}E${exponent}`;
}

function isoOf(micros: bigint): string {
  const millis = Number(micros / 1000n) - (micros % 1000n < 0n ? 1 : 0);
  const iso = new Date(millis).toISOString();
  const subMillis = (((micros % 1000n) + 1000n) % 1000n).toString().padStart(3, '0');
  return `${iso.slice(0, -1)}${subMillis}Z`;
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

function encodeScalar(field: WireField, value: unknown, timestamps: TimestampFormat): string | null {
  if (value === null || value === undefined) return null;
  if (field.type === 'JSON') return typeof value === 'string' ? value : JSON.stringify(value);
  if (field.type === 'TIMESTAMP' && typeof value === 'string') {
    const micros = timestampMicros(value);
    if (micros === undefined) return value;
    if (timestamps === 'INT64') return micros.toString();
    if (timestamps === 'ISO8601_STRING') return isoOf(micros);
    return floatSecondsOf(micros);
  }
  return scalarText(value);
}

export function encodeCell(field: WireField, value: unknown, timestamps: TimestampFormat, repeatedDone = false): WireValue {
  if (value === null || value === undefined) return field.mode === 'REPEATED' && !repeatedDone ? [] : null;
  if (field.mode === 'REPEATED' && !repeatedDone) {
    const items = Array.isArray(value) ? value : [value];
    return items.map((item) => ({ v: encodeCell(field, item, timestamps, true) }));
  }
  if (field.type === 'RECORD' && field.fields) {
    const record = typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
    return { f: field.fields.map((member) => ({ v: encodeCell(member, record[member.name], timestamps) })) };
  }
  return encodeScalar(field, value, timestamps);
}

export function encodeRow(fields: readonly WireField[], row: Readonly<Record<string, unknown>>, timestamps: TimestampFormat): { f: WireCell[] } {
  return { f: fields.map((field) => ({ v: encodeCell(field, row[field.name], timestamps) })) };
}
