/** The DuckDB job-connection pool: clean connections come back (in UTC), interrupted or failed ones do not. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { createDuckDbConnectionPool } from '../../../src/adapters/warehouse/duckdb-connection-pool.js';

let instance: DuckDBInstance;
before(async () => {
  instance = await DuckDBInstance.create(':memory:');
});
after(() => instance.closeSync());

const timeZoneOf = async (connection: Awaited<ReturnType<DuckDBInstance['connect']>>) =>
  (await connection.runAndReadAll("SELECT current_setting('TimeZone') AS tz")).getRowsJson()[0]?.[0];

describe('DuckDB connection pool', () => {
  it('hands a cleanly released connection to the next job, set to UTC', async () => {
    const pool = createDuckDbConnectionPool(instance);
    const first = await pool.acquire();
    assert.equal(await timeZoneOf(first), 'UTC');
    pool.release(first, true);
    const second = await pool.acquire();
    assert.equal(second, first);
    pool.release(second, true);
    pool.closeAll();
  });

  it('closes a connection whose job did not end cleanly, and never hands it out again', async () => {
    const pool = createDuckDbConnectionPool(instance);
    const first = await pool.acquire();
    pool.release(first, false);
    const second = await pool.acquire();
    assert.notEqual(second, first);
    await assert.rejects(first.run('SELECT 1'));
    assert.equal(await timeZoneOf(second), 'UTC');
    pool.release(second, true);
    pool.closeAll();
  });

  it('keeps at most maxIdle connections; the rest are closed', async () => {
    const pool = createDuckDbConnectionPool(instance, 2);
    const held = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    assert.equal(new Set(held).size, 3, 'concurrent jobs each get their own connection');
    for (const connection of held) pool.release(connection, true);
    await assert.rejects(held[2]!.run('SELECT 1'), 'the third was closed');
    const again = await Promise.all([pool.acquire(), pool.acquire()]);
    assert.deepEqual(new Set(again), new Set(held.slice(0, 2)));
    for (const connection of again) pool.release(connection, true);
    pool.closeAll();
    await assert.rejects(held[0]!.run('SELECT 1'), 'closeAll closes the idle ones');
  });
});
