/**
 * A QueryEngine with fixed tables and a handful of SQL shapes — enough for adapter tests, not a
 * SQL engine. Understood: exact texts registered in `queries` (whitespace-insensitive), and
 * `SELECT * FROM <table> [LIMIT n]` over the canned tables (`p.d.t`, `d.t`, backticks optional).
 * Anything else fails like BigQuery does with invalidQuery.
 */
import { EngineError, type BigQueryField, type EngineResult, type EngineRow, type QueryEngine, type TableId } from './types.js';

export interface CannedTable {
  readonly datasetId: string;
  readonly tableId: string;
  readonly schema: readonly BigQueryField[];
  readonly rows?: readonly EngineRow[];
  /** Bytes a full scan processes (default: the rows' JSON size). */
  readonly numBytes?: number;
}

/** A registered query: its result, an error to fail with, or a function of the dry-run flag. */
export type CannedQuery = EngineResult | EngineError | ((opts: { dryRun: boolean }) => EngineResult);

export interface CannedEngineOptions {
  readonly projectId?: string;
  readonly queries?: Readonly<Record<string, CannedQuery>>;
}

const squash = (sql: string): string => sql.trim().replace(/;$/, '').replace(/\s+/g, ' ');
const normalise = (sql: string): string => squash(sql).toLowerCase();

const jsonSize = (rows: readonly EngineRow[]): number =>
  Buffer.byteLength(JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)));

const SELECT_STAR = /^select \* from `?(?:([\w-]+)\.)?(\w+)\.(\w+)`?(?: limit (\d+))?$/i;

export const cannedEngine = (tables: readonly CannedTable[], options: CannedEngineOptions = {}): QueryEngine => {
  const projectId = options.projectId ?? 'test-project';
  const queries = new Map(Object.entries(options.queries ?? {}).map(([sql, result]) => [normalise(sql), result]));
  const find = (datasetId: string, tableId: string): CannedTable | undefined =>
    tables.find((t) => t.datasetId === datasetId && t.tableId === tableId);

  const selectStar = (match: RegExpExecArray): EngineResult => {
    const [, project = projectId, datasetId, tableId, limit] = match;
    const table = project === projectId ? find(datasetId, tableId) : undefined;
    if (!table) {
      throw new EngineError('notFound', `Not found: Table ${project}:${datasetId}.${tableId} was not found in location US`);
    }
    const rows = table.rows ?? [];
    const reference: TableId = { projectId: project, datasetId, tableId };
    return {
      schema: table.schema,
      rows: limit === undefined ? rows : rows.slice(0, Number(limit)),
      totalBytesProcessed: table.numBytes ?? jsonSize(rows),
      statementType: 'SELECT',
      referencedTables: [reference],
    };
  };

  return {
    async run(sql, { dryRun }) {
      const key = normalise(sql);
      const canned = queries.get(key);
      if (canned instanceof EngineError) throw canned;
      if (typeof canned === 'function') return canned({ dryRun });
      if (canned) return canned;
      const match = SELECT_STAR.exec(squash(sql));
      if (match) return selectStar(match);
      throw new EngineError('invalidQuery', 'Syntax error: Unexpected identifier at [1:1]');
    },
    table: (datasetId, tableId) => find(datasetId, tableId)?.schema,
    datasets: () => [...new Set(tables.map((t) => t.datasetId))].sort(),
    tables: (datasetId) => tables.filter((t) => t.datasetId === datasetId).map((t) => t.tableId).sort(),
  };
};
