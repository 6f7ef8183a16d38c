/**
 * A QueryEngine that runs real SQL: an in-memory DuckDB loaded with the demo dataset, fed through
 * the project's GoogleSQL→DuckDB transpiler. The fake BigQuery server then behaves like a warehouse
 * whose data changes (INSERTs land, so tests can count rows) and whose dry runs report plausible
 * statement types, referenced tables and byte counts.
 */
import { DuckDBInstance, DuckDBTypeId, StatementType, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import { demoTables, type DemoTable } from '../../../src/adapters/warehouse/demo-dataset.js';
import { bigQueryType, cellValue } from '../../../src/adapters/warehouse/duckdb-values.js';
import { ensureTranspilerReady, googleSqlToDuckDb } from '../../../src/adapters/warehouse/googlesql-to-duckdb.js';
import { quoteIdentifier } from '../../../src/adapters/warehouse/table-names.js';
import { EngineError, type BigQueryField, type EngineResult, type EngineRow, type QueryEngine, type TableId } from './types.js';

export interface DuckDbEngine extends QueryEngine {
  readonly projectId: string;
  /** Rows in `dataset.table` now (for at-most-once checks on INSERTs). */
  countRows(dataset: string, table: string): Promise<number>;
  close(): Promise<void>;
}

/** BigQuery's statementType for each DuckDB statement kind the engine runs. */
const statementTypes: Partial<Record<StatementType, string>> = {
  [StatementType.SELECT]: 'SELECT',
  [StatementType.INSERT]: 'INSERT',
  [StatementType.UPDATE]: 'UPDATE',
  [StatementType.DELETE]: 'DELETE',
  [StatementType.MERGE_INTO]: 'MERGE',
  [StatementType.CREATE]: 'CREATE_TABLE',
  [StatementType.ALTER]: 'ALTER_TABLE',
  [StatementType.DROP]: 'DROP_TABLE',
};

/** BigQuery bills ~8 bytes per numeric cell; a flat 32 per cell is a generous, stable estimate. */
const bytesPerCell = 32;

const sqlLiteral = (value: unknown): string => {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `'${String(value).replaceAll("'", "''")}'`;
};

/** A DuckDB type as a field of BigQuery's REST schema (ARRAY → REPEATED, STRUCT → RECORD). */
export function fieldOf(name: string, type: DuckDBType): BigQueryField {
  if (type.typeId === DuckDBTypeId.LIST || type.typeId === DuckDBTypeId.ARRAY) {
    return { ...fieldOf(name, type.valueType), mode: 'REPEATED' };
  }
  if (type.typeId === DuckDBTypeId.STRUCT) {
    return { name, type: 'RECORD', mode: 'NULLABLE', fields: type.entryNames.map((entry, i) => fieldOf(entry, type.entryTypes[i])) };
  }
  return { name, type: bigQueryType(type), mode: 'NULLABLE' };
}

async function load(connection: DuckDBConnection, tables: readonly DemoTable[]): Promise<void> {
  await connection.run("SET TimeZone = 'UTC'");
  for (const dataset of new Set(tables.map((t) => t.dataset))) await connection.run(`CREATE SCHEMA ${quoteIdentifier(dataset)}`);
  for (const table of tables) {
    const name = `${quoteIdentifier(table.dataset)}.${quoteIdentifier(table.table)}`;
    await connection.run(`CREATE TABLE ${name} (${table.columns.map((c) => `${quoteIdentifier(c.name)} ${c.duckdbType}`).join(', ')})`);
    const values = table.rows.map((row) => `(${row.map((v, i) => `CAST(${sqlLiteral(v)} AS ${table.columns[i].duckdbType})`).join(', ')})`);
    if (values.length > 0) await connection.run(`INSERT INTO ${name} VALUES ${values.join(',\n')}`);
  }
}

export async function createDuckDbEngine(options: { projectId?: string; tables?: readonly DemoTable[] } = {}): Promise<DuckDbEngine> {
  await ensureTranspilerReady();
  const projectId = options.projectId ?? 'demo-project';
  const tables = options.tables ?? demoTables();
  const instance = await DuckDBInstance.create(':memory:');
  const main = await instance.connect();
  await load(main, tables);

  const schemas = new Map<string, BigQueryField[]>(
    tables.map((t) => [`${t.dataset}.${t.table}`.toLowerCase(), t.columns.map((c) => ({ name: c.name, type: c.bigQueryType, mode: 'NULLABLE' as const }))]),
  );
  const sizes = new Map(tables.map((t) => [`${t.dataset}.${t.table}`.toLowerCase(), t.rows.length * t.columns.length * bytesPerCell]));
  const known = new Map(tables.map((t) => [`${t.dataset}.${t.table}`.toLowerCase(), t]));

  /** The transpiler writes every table it resolved as "dataset"."table"; keep the ones that exist. */
  const referencedTables = (duckSql: string): TableId[] => {
    const found = new Map<string, TableId>();
    for (const match of duckSql.matchAll(/"((?:[^"]|"")+)"\."((?:[^"]|"")+)"/g)) {
      const table = known.get(`${match[1]}.${match[2]}`.toLowerCase());
      if (table) found.set(`${table.dataset}.${table.table}`, { projectId, datasetId: table.dataset, tableId: table.table });
    }
    return [...found.values()];
  };

  const transpile = (sql: string): string => {
    let statements: readonly string[];
    try {
      ({ statements } = googleSqlToDuckDb(sql, projectId));
    } catch (error) {
      const reason = (error as { details?: { reason?: string } }).details?.reason === 'not_found' ? 'notFound' : 'invalidQuery';
      throw new EngineError(reason, error instanceof Error ? error.message : 'Syntax error');
    }
    if (statements.length !== 1) throw new EngineError('invalidQuery', 'Multi-statement queries are not supported by this fake');
    return statements[0];
  };

  return {
    projectId,
    async run(sql, { dryRun }): Promise<EngineResult> {
      const duckSql = transpile(sql);
      const connection = await instance.connect();
      try {
        await connection.run("SET TimeZone = 'UTC'");
        const prepared = await connection.prepare(duckSql).catch((error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          throw new EngineError(/does not exist|not found/i.test(message) ? 'notFound' : 'invalidQuery', message.split('\n')[0]);
        });
        const statementType = statementTypes[prepared.statementType];
        if (!statementType) throw new EngineError('invalidQuery', 'Statement type not supported by this fake');
        const referenced = referencedTables(duckSql);
        const totalBytesProcessed = referenced.reduce((sum, t) => sum + (sizes.get(`${t.datasetId}.${t.tableId}`.toLowerCase()) ?? 0), 0);
        const isSelect = statementType === 'SELECT';
        const schema = isSelect ? Array.from({ length: prepared.columnCount }, (_, i) => fieldOf(prepared.columnName(i), prepared.columnType(i))) : [];
        if (dryRun) return { schema, rows: [], totalBytesProcessed, statementType, referencedTables: referenced };
        if (!isSelect) {
          const changed = (await prepared.run()).rowsChanged;
          return { schema, rows: [], totalBytesProcessed, statementType, referencedTables: referenced, numDmlAffectedRows: changed };
        }
        const reader = await prepared.runAndReadAll();
        const types = reader.columnTypes();
        const rows: EngineRow[] = reader.getRows().map((row) => row.map((value, i) => cellValue(value, types[i])));
        return { schema, rows, totalBytesProcessed, statementType, referencedTables: referenced };
      } catch (error) {
        if (error instanceof EngineError) throw error;
        throw new EngineError('invalidQuery', (error instanceof Error ? error.message : String(error)).split('\n')[0]);
      } finally {
        connection.closeSync();
      }
    },
    table: (datasetId, tableId) => schemas.get(`${datasetId}.${tableId}`.toLowerCase()),
    datasets: () => [...new Set(tables.map((t) => t.dataset))].sort(),
    tables: (datasetId) => tables.filter((t) => t.dataset === datasetId).map((t) => t.table).sort(),
    async countRows(dataset, table) {
      const reader = await main.runAndReadAll(`SELECT count(*) FROM ${quoteIdentifier(dataset)}.${quoteIdentifier(table)}`);
      return Number(reader.getRows()[0]?.[0] ?? 0);
    },
    async close() {
      main.closeSync();
      instance.closeSync();
    },
  };
}
