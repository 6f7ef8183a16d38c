/**
 * An analysis worker thread: the polyglot analyser, off the gateway's event loop. Catalog lookups go
 * back to the event loop (where the warehouse client lives) as messages; the answer cache lives there
 * too, so this analyser keeps none. It also transpiles GoogleSQL to DuckDB and reads the lineage of
 * executed SQL for the event loop, which then never loads the parser itself.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isLedgergateError } from '../../../domain/errors.js';
import type { Catalog, TableRef, TableSchema } from '../../../domain/ports.js';
import { googleSqlToDuckDb } from '../../warehouse/googlesql-to-duckdb.js';
import { executedLineage } from '../executed-lineage.js';
import { createPolyglotAnalyser } from '../polyglot-analyser.js';
import type { CatalogMethod, FromWorker, ToWorker, WorkerSettings } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('analysis-worker runs only as a worker thread');

const settings = (workerData ?? {}) as WorkerSettings;
const calls = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
let nextCallId = 0;
// Only a cache key inside the analyser, which keeps no cache here: the latest request's version will do.
let catalogVersion = '';

const send = (message: FromWorker): void => port.postMessage(message);

function catalogFor(id: number): Catalog {
  const call = <T>(method: CatalogMethod, args: unknown[]): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const callId = ++nextCallId;
      calls.set(callId, { resolve: resolve as (value: unknown) => void, reject });
      send({ kind: 'catalog-call', id, callId, method, args });
    });
  return {
    getTable: (table: TableRef) => call<TableSchema | undefined>('getTable', [table]),
    listDatasets: () => call<string[]>('listDatasets', []),
    listTables: (dataset: string) => call<TableRef[]>('listTables', [dataset]),
    version: () => catalogVersion,
  };
}

port.on('message', (message: ToWorker) => {
  if (message.kind === 'catalog-answer') {
    const pending = calls.get(message.callId);
    calls.delete(message.callId);
    if (!pending) return;
    if (message.ok) pending.resolve(message.value);
    else pending.reject(new Error(message.message));
    return;
  }
  if (message.kind === 'transpile' || message.kind === 'executed-lineage') {
    send(parserWork(message));
    return;
  }
  catalogVersion = message.catalogVersion;
  // One analyser per request: its catalog tags every lookup with the request it serves.
  const analyser = createPolyglotAnalyser({ catalog: catalogFor(message.id), cacheSize: 0, warmUp: false, ...(settings.externalQuery ? { externalQuery: settings.externalQuery } : {}) });
  analyser.analyse(message.sql, message.context).then(
    (analysis) => send({ kind: 'analysed', id: message.id, analysis }),
    (error: unknown) => send({ kind: 'failed', id: message.id, message: error instanceof Error ? error.message : String(error) }),
  );
});

/** Synchronous parser work; a refusal keeps its code so the event loop answers as it would in process. */
function parserWork(message: Extract<ToWorker, { kind: 'transpile' | 'executed-lineage' }>): FromWorker {
  try {
    if (message.kind === 'transpile') return { kind: 'transpiled', id: message.id, statements: [...googleSqlToDuckDb(message.sql, message.projectId).statements] };
    return { kind: 'lineage', id: message.id, outputs: executedLineage(message.executed, message.tables) };
  } catch (error) {
    if (isLedgergateError(error)) return { kind: 'refused', id: message.id, error: { code: error.code, message: error.message, details: { ...error.details } } };
    return { kind: 'failed', id: message.id, message: error instanceof Error ? error.message : String(error) };
  }
}

// Load and exercise the WASM engine, then say so: deadlines start only once a worker is ready.
createPolyglotAnalyser({ catalog: catalogFor(0), cacheSize: 0, warmUp: true });
send({ kind: 'ready' });
