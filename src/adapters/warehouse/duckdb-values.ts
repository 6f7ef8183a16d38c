/**
 * DuckDB values and types → what a BigQuery client would see: JSON-safe cells with no precision
 * lost, and BigQuery type names. Anything without a faithful JSON form becomes its text.
 */
import {
  DuckDBBlobValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBArrayValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTypeId,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { CellValue, ColumnSchema } from '../../domain/ports.js';

export function bigQueryType(type: DuckDBType): string {
  if (type.alias?.toUpperCase() === 'JSON') return 'JSON';
  switch (type.typeId) {
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.UUID:
    case DuckDBTypeId.ENUM:
      return 'STRING';
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT: // SUM(BIGINT) is HUGEINT in DuckDB and INT64 in BigQuery
    case DuckDBTypeId.UHUGEINT:
      return 'INT64';
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return 'FLOAT64';
    case DuckDBTypeId.DECIMAL:
      return type.width > 29 || type.scale > 9 ? 'BIGNUMERIC' : 'NUMERIC';
    case DuckDBTypeId.BIGNUM:
      return 'BIGNUMERIC';
    case DuckDBTypeId.BOOLEAN:
      return 'BOOL';
    case DuckDBTypeId.DATE:
      return 'DATE';
    case DuckDBTypeId.TIME:
    case DuckDBTypeId.TIME_NS:
    case DuckDBTypeId.TIME_TZ:
      return 'TIME';
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return 'TIMESTAMP';
    case DuckDBTypeId.INTERVAL:
      return 'INTERVAL';
    case DuckDBTypeId.BLOB:
    case DuckDBTypeId.BIT:
      return 'BYTES';
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return `ARRAY<${bigQueryType(type.valueType)}>`;
    case DuckDBTypeId.STRUCT:
      return `STRUCT<${type.entryNames.map((name, i) => `${name} ${bigQueryType(type.entryTypes[i])}`).join(', ')}>`;
    case DuckDBTypeId.MAP:
    case DuckDBTypeId.UNION:
    case DuckDBTypeId.VARIANT:
      return 'JSON';
    case DuckDBTypeId.GEOMETRY:
      return 'GEOGRAPHY';
    default:
      return 'STRING';
  }
}

export function columnSchema(name: string, type: DuckDBType): ColumnSchema {
  if (type.typeId === DuckDBTypeId.STRUCT) {
    return {
      name,
      type: bigQueryType(type),
      mode: 'NULLABLE',
      fields: type.entryNames.map((entry, i) => columnSchema(entry, type.entryTypes[i])),
    };
  }
  return { name, type: bigQueryType(type), mode: 'NULLABLE' };
}

function bigintCell(value: bigint): CellValue {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}

/** ISO 8601 in UTC with a Z, keeping sub-millisecond digits when there are any. */
function isoFromMicros(micros: bigint, fallback: string): string {
  const millis = micros / 1000n;
  if (millis > 8_640_000_000_000_000n || millis < -8_640_000_000_000_000n) return fallback; // ±infinity, far dates
  const iso = new Date(Number(millis)).toISOString();
  const extra = ((micros % 1000n) + 1000n) % 1000n;
  return extra === 0n ? iso : `${iso.slice(0, -1)}${extra.toString().padStart(3, '0')}Z`;
}

function parseJson(text: string): CellValue {
  try {
    return JSON.parse(text) as CellValue;
  } catch {
    return text;
  }
}

function finiteOrText(value: number): CellValue {
  return Number.isFinite(value) ? value : String(value); // BigQuery sends NaN and ±Infinity as text
}

export function cellValue(value: DuckDBValue, type: DuckDBType): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return type.alias?.toUpperCase() === 'JSON' ? parseJson(value) : value;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return finiteOrText(value);
  if (typeof value === 'bigint') return bigintCell(value);
  if (value instanceof DuckDBDecimalValue) return value.toString();
  if (value instanceof DuckDBTimestampValue || value instanceof DuckDBTimestampTZValue) {
    return isoFromMicros(value.micros, value.toString());
  }
  if (value instanceof DuckDBTimestampSecondsValue) return isoFromMicros(value.seconds * 1_000_000n, value.toString());
  if (value instanceof DuckDBTimestampMillisecondsValue) return isoFromMicros(value.millis * 1000n, value.toString());
  if (value instanceof DuckDBTimestampNanosecondsValue) return isoFromMicros(value.nanos / 1000n, value.toString());
  if (value instanceof DuckDBBlobValue) return Buffer.from(value.bytes).toString('base64');
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) {
    const itemType = type.typeId === DuckDBTypeId.LIST || type.typeId === DuckDBTypeId.ARRAY ? type.valueType : type;
    return value.items.map((item) => cellValue(item, itemType));
  }
  if (value instanceof DuckDBStructValue) {
    const out: Record<string, CellValue> = {};
    for (const [key, entry] of Object.entries(value.entries)) {
      const entryType = type.typeId === DuckDBTypeId.STRUCT ? type.entryTypes[type.entryIndexes[key]] : undefined;
      out[key] = entryType ? cellValue(entry, entryType) : String(entry);
    }
    return out;
  }
  if (value instanceof DuckDBMapValue) {
    const out: Record<string, CellValue> = {};
    for (const { key, value: entry } of value.entries) {
      out[String(key)] = type.typeId === DuckDBTypeId.MAP ? cellValue(entry, type.valueType) : String(entry);
    }
    return out;
  }
  // DATE, TIME, INTERVAL, UUID, BIT, … render as the text DuckDB gives them (DATE: YYYY-MM-DD).
  return String(value);
}
