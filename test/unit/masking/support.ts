/** Builders shared by the masking tests. */
import type { Analysis, AnalysedStatement, OutputColumn, SourceColumn, StatementFlags } from '../../../src/domain/analysis/types.js';
import type { MaskColumnRule } from '../../../src/domain/policy/types.js';
import type { CellValue, ColumnSchema } from '../../../src/domain/ports.js';

export const customers = 'demo-project.sales.customers';
export const orders = 'demo-project.sales.orders';
export const products = 'demo-project.catalog.products';

export const hmacKey = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';

export const columnRules: readonly MaskColumnRule[] = [
  { table: '*.sales.customers', column: 'email', rule: 'email' },
  { table: '*.sales.customers', column: 'ssn', rule: 'redact' },
  { table: '*.sales.customers', column: 'card_number', rule: 'last4' },
  { table: '*.sales.customers', column: 'birth_date', rule: 'year' },
  { table: '*.sales.customers', column: 'phone', rule: 'hash' },
];

export const catalog: Readonly<Record<string, readonly string[]>> = {
  [customers]: ['id', 'name', 'email', 'ssn', 'card_number', 'birth_date', 'phone', 'country'],
  [orders]: ['id', 'customer_id', 'amount', 'created_at'],
  [products]: ['id', 'title', 'price'],
};

export const tableColumns = (table: string): readonly string[] | undefined => catalog[table];

export const src = (table: string, column: string): SourceColumn => ({ table, column });

export const out = (name: string, lineage: readonly SourceColumn[], confidence: OutputColumn['confidence'] = 'exact'): OutputColumn => ({
  name,
  lineage,
  confidence,
});

const cleanFlags: StatementFlags = { scripting: false, dynamicSql: false, unparsed: false, lineageIncomplete: false };

export function selectStatement(
  outputColumns: readonly OutputColumn[],
  tables: readonly string[],
  flags: Partial<StatementFlags> = {},
): AnalysedStatement {
  return {
    kind: 'select',
    kinds: ['select'],
    tables,
    writtenTables: [],
    outputColumns,
    filterColumns: [],
    joinColumns: [],
    groupColumns: [],
    orderColumns: [],
    flags: { ...cleanFlags, ...flags },
    text: 'SELECT …',
  };
}

export function analysisOf(...statements: AnalysedStatement[]): Analysis {
  return {
    statements,
    tables: [...new Set(statements.flatMap((s) => s.tables))],
    kinds: [...new Set(statements.flatMap((s) => s.kinds))],
  };
}

export const col = (name: string, type = 'STRING', extra: Partial<ColumnSchema> = {}): ColumnSchema => ({ name, type, ...extra });

/** Records keyed by column name as the positional rows a warehouse delivers, in the plan's column order. */
export function positional(plan: readonly { readonly column: string }[], records: readonly Record<string, CellValue>[]): CellValue[][] {
  return records.map((record) => plan.map((planned) => (Object.hasOwn(record, planned.column) ? (record[planned.column] as CellValue) : null)));
}
