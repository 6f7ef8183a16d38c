/**
 * Job connections of the embedded warehouse, kept for the next job instead of opened per job: a fresh
 * connection and its `SET TimeZone` cost two round trips through libuv's pool on every query. Only a
 * connection whose job ended cleanly comes back; one that was interrupted (timeout, cancellation) or
 * failed is closed, so no half-finished state or late interrupt can reach another job. Each job still
 * has a connection of its own while it runs (interrupting it stops that job alone).
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

export interface DuckDbConnectionPool {
  acquire(): Promise<DuckDBConnection>;
  /** `clean`: the job ended without error, timeout or cancellation. */
  release(connection: DuckDBConnection, clean: boolean): void;
  closeAll(): void;
}

export function createDuckDbConnectionPool(instance: DuckDBInstance, maxIdle = 8): DuckDbConnectionPool {
  const idle: DuckDBConnection[] = [];
  return {
    async acquire() {
      const kept = idle.pop();
      if (kept) return kept;
      const connection = await instance.connect();
      // Values are read and written in UTC, as BigQuery does.
      await connection.run("SET TimeZone = 'UTC'");
      return connection;
    },
    release(connection, clean) {
      if (clean && idle.length < maxIdle) idle.push(connection);
      else connection.closeSync();
    },
    closeAll() {
      for (const connection of idle.splice(0)) connection.closeSync();
    },
  };
}
