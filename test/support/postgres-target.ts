/**
 * A real PostgreSQL engine for tests: PGlite (PostgreSQL 18 compiled to WebAssembly, an npm package)
 * served over the wire protocol by @electric-sql/pglite-socket, so the adapter talks to it through
 * `pg` exactly as to a server. Chosen over Debian's `postgresql` because `npm test` must pass on a
 * fresh machine with no system packages. What it does not model: a PGlite instance is one backend, so
 * sessions take turns (a transaction holds the others back) and a CancelRequest or
 * pg_cancel_backend cannot interrupt a running statement. Disconnecting rolls back the
 * disconnected session's open transaction, as a server does when its client dies.
 * The demo dataset (src/adapters/warehouse/demo-dataset.ts) is loaded with the same rows as DuckDB's.
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { demoTables, type DemoTable } from '../../src/adapters/warehouse/demo-dataset.js';

export interface PostgresTarget {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  readonly url: string;
  stop(): Promise<void>;
}

const postgresTypes: Readonly<Record<string, string>> = { VARCHAR: 'text', BIGINT: 'bigint', DATE: 'date', TIMESTAMP: 'timestamptz' };
const typeOf = (duckdbType: string): string => postgresTypes[duckdbType] ?? duckdbType.replace(/^DECIMAL/, 'numeric');
const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const literal = (value: unknown): string => (value === null ? 'NULL' : typeof value === 'number' || typeof value === 'boolean' ? String(value) : `'${String(value).replaceAll("'", "''")}'`);

function tableSql(table: DemoTable): string {
  const name = `${quote(table.dataset)}.${quote(table.table)}`;
  const columns = table.columns.map((column) => `${quote(column.name)} ${typeOf(column.duckdbType)}`).join(', ');
  const rows = table.rows.map((row) => `(${row.map((value, i) => `${literal(value)}::${typeOf(table.columns[i]?.duckdbType ?? 'VARCHAR')}`).join(', ')})`);
  return `CREATE TABLE ${name} (${columns}); INSERT INTO ${name} VALUES ${rows.join(',\n')};`;
}

export async function startPostgresTarget(options: { demo?: boolean; maxConnections?: number } = {}): Promise<PostgresTarget> {
  const db = await PGlite.create();
  if (options.demo ?? true) {
    const tables = demoTables();
    await db.exec("SET TimeZone TO 'UTC'");
    for (const dataset of new Set(tables.map((table) => table.dataset))) await db.exec(`CREATE SCHEMA ${quote(dataset)}`);
    for (const table of tables) await db.exec(tableSql(table));
    await db.exec('ANALYZE');
  }
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: options.maxConnections ?? 8 });
  await server.start();
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
