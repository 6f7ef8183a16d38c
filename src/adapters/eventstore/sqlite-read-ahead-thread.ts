/**
 * The read-ahead thread of the SQLite event store's rebuild read (sqlite-read-ahead.ts), as the
 * JavaScript source it is started from (`new Worker(source, { eval: true })`, for the reason given in
 * sqlite-writer-thread.ts: no TypeScript loader needed, tens of milliseconds to start). It holds a
 * connection of its own, made read-only with `query_only`, and answers each request with one prepared page query's
 * page — its row count and its rows as one JSON text: SQLite's stepping, JSON functions and the
 * page's text run here, on the second core, while the event loop folds the page before.
 *
 * The SQL comes from the event loop's sqlite-projection-reads.ts (built from registry types and plain
 * member names only); the thread runs nothing else and never writes.
 */
export const readAheadThreadSource = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.betterSqlite3);

const db = new Database(workerData.file, { fileMustExist: true, timeout: workerData.busyTimeoutMs });
db.pragma('query_only = ON');
const statements = new Map();

parentPort.on('message', (message) => {
  if (message.kind === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  const { id, sql, from, limit } = message;
  try {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql).raw();
      statements.set(sql, statement);
    }
    const [count, text] = statement.get(from, limit);
    parentPort.postMessage({ id, page: { count, text } });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
`;
