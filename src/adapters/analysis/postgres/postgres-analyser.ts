/**
 * The Analyser port for a PostgreSQL target: the agent writes PostgreSQL, read by pgsql-ast-parser.
 * Tables are named `<project>.<schema>.<table>` (the gateway's project id stands for the database,
 * an unqualified table is in `public`, the search path the warehouse adapter pins), so policies
 * written for BigQuery datasets match PostgreSQL schemas unchanged.
 */
import type { Analyser, AnalysisContext, Catalog, TableSchema } from '../../../domain/ports.js';
import { statementKinds, type Analysis } from '../../../domain/analysis/types.js';
import { tableRefOf } from '../../../app/table-ref.js';
import { readPostgres, type PostgresNaming } from './read-postgres.js';

export const postgresDefaultSchema = 'public';

export function createPostgresAnalyser(options: { readonly catalog: Catalog }): Analyser {
  return {
    async analyse(sql: string, context: AnalysisContext): Promise<Analysis> {
      const qualify = (schema: string | undefined, table: string): string =>
        `${context.defaultProject}.${schema ?? postgresDefaultSchema}.${table}`;
      // First reading names the tables; the second knows their columns (for `*` and unqualified names).
      const tables = new Set(readPostgres(sql, { qualify, columnsOf: () => undefined }).flatMap((statement) => statement.tables));
      const schemas = new Map<string, TableSchema | undefined>();
      await Promise.all(
        [...tables].map(async (name) => {
          const ref = tableRefOf(name);
          schemas.set(name, ref ? await options.catalog.getTable(ref).catch(() => undefined) : undefined);
        }),
      );
      const naming: PostgresNaming = { qualify, columnsOf: (name) => schemas.get(name)?.columns.map((column) => column.name) };
      const statements = readPostgres(sql, naming).map((statement) => {
        const unknownTable = statement.tables.some((name) => !statement.writtenTables.includes(name) && !schemas.get(name));
        return unknownTable ? { ...statement, flags: { ...statement.flags, lineageIncomplete: true } } : statement;
      });
      const kinds = new Set(statements.flatMap((statement) => statement.kinds));
      return {
        statements,
        tables: [...new Set(statements.flatMap((statement) => statement.tables))].sort(),
        kinds: statementKinds.filter((kind) => kinds.has(kind)),
      };
    },
  };
}
