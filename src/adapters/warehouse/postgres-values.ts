/**
 * PostgreSQL result values in the shapes the Warehouse port promises (BigQuery's JSON forms): the
 * driver hands every value over as PostgreSQL's text, read here by the column's type name.
 * INT64 fits a JSON number only while it is a safe integer; NUMERIC stays an exact decimal string.
 */
import type { CellValue, ColumnSchema } from '../../domain/ports.js';

const bigQueryTypes: Readonly<Record<string, string>> = {
  int2: 'INT64', int4: 'INT64', int8: 'INT64', oid: 'INT64',
  numeric: 'NUMERIC',
  float4: 'FLOAT64', float8: 'FLOAT64',
  bool: 'BOOL',
  text: 'STRING', varchar: 'STRING', bpchar: 'STRING', name: 'STRING', uuid: 'STRING', citext: 'STRING',
  date: 'DATE',
  timestamptz: 'TIMESTAMP',
  timestamp: 'DATETIME',
  time: 'TIME',
  bytea: 'BYTES',
  json: 'JSON', jsonb: 'JSON',
  interval: 'INTERVAL',
};

/** information_schema's data_type spelling → the udt name used above. */
const udtOfDataType: Readonly<Record<string, string>> = {
  smallint: 'int2', integer: 'int4', bigint: 'int8', numeric: 'numeric', real: 'float4', 'double precision': 'float8',
  boolean: 'bool', text: 'text', 'character varying': 'varchar', character: 'bpchar', uuid: 'uuid', date: 'date',
  'timestamp with time zone': 'timestamptz', 'timestamp without time zone': 'timestamp', 'time without time zone': 'time',
  bytea: 'bytea', json: 'json', jsonb: 'jsonb', interval: 'interval', name: 'name', oid: 'oid',
};

/** An array type's udt name starts with `_` (`_int4`). */
export function columnOfUdt(name: string, udt: string): ColumnSchema {
  if (udt.startsWith('_')) return { name, type: bigQueryTypes[udt.slice(1)] ?? 'STRING', mode: 'REPEATED' };
  return { name, type: bigQueryTypes[udt] ?? 'STRING', mode: 'NULLABLE' };
}

export function columnOfDataType(name: string, dataType: string, udt: string): ColumnSchema {
  return columnOfUdt(name, udtOfDataType[dataType] ?? udt);
}

export function cellOf(text: string | null, column: ColumnSchema): CellValue {
  if (text === null) return null;
  if (column.mode === 'REPEATED') return text; // PostgreSQL's array text, unparsed: masking still sees it whole
  switch (column.type) {
    case 'INT64': {
      const value = Number(text);
      return Number.isSafeInteger(value) ? value : text;
    }
    case 'FLOAT64':
      return Number(text);
    case 'BOOL':
      return text === 't' || text === 'true';
    case 'TIMESTAMP': {
      const parsed = Date.parse(text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
      return Number.isNaN(parsed) ? text : new Date(parsed).toISOString();
    }
    default:
      return text;
  }
}
