/**
 * Opening an SQLite event store file: recognise our own files (application_id plus a schema version
 * table), refuse foreign or damaged ones before touching them, and create the schema in a fresh file.
 * Several processes may open the same file at once; creation runs inside BEGIN IMMEDIATE and re-checks.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { notAStore, openFailure } from './sqlite-errors.js';

/** "LGGT" — marks the file as a ledgergate event store in the SQLite header. */
export const ledgergateApplicationId = 0x4c474754;
export const schemaVersion = 1;
export const defaultBusyTimeoutMs = 5000;

const schema = `
  CREATE TABLE IF NOT EXISTS ledgergate_schema (version INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS events (
    position    INTEGER PRIMARY KEY,
    stream_name TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    metadata    TEXT    NOT NULL,
    recorded_at TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    UNIQUE (stream_name, revision)
  );
`;

export function openDatabase(file: string, busyTimeoutMs = defaultBusyTimeoutMs): Database.Database {
  let db: Database.Database | undefined;
  try {
    mkdirSync(dirname(file), { recursive: true });
    db = new Database(file, { timeout: busyTimeoutMs });
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    // Check before changing anything: a foreign database must be left exactly as it was.
    checkIdentity(db, file, { allowEmpty: true });
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (String(mode).toLowerCase() !== 'wal') throw notAStore(file, `cannot switch it to WAL mode (mode is ${String(mode)})`);
    // FULL: an acknowledged append is on disk, not only in the WAL's page cache.
    db.pragma('synchronous = FULL');
    db.transaction(() => {
      if (checkIdentity(db!, file, { allowEmpty: true }) === 'empty') {
        db!.pragma(`application_id = ${ledgergateApplicationId}`);
        db!.exec(schema);
        db!.prepare('INSERT INTO ledgergate_schema (version) VALUES (?)').run(schemaVersion);
      }
    }).immediate();
    checkIdentity(db, file, { allowEmpty: false });
    return db;
  } catch (error) {
    db?.close();
    throw openFailure(file, error);
  }
}

function checkIdentity(db: Database.Database, file: string, { allowEmpty }: { allowEmpty: boolean }): 'ours' | 'empty' {
  const applicationId = Number(db.pragma('application_id', { simple: true }));
  if (applicationId === 0) {
    const objects = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").get() as {
      n: number;
    };
    if (objects.n === 0 && allowEmpty) return 'empty';
    throw notAStore(file, 'it is an SQLite database that belongs to something else (no ledgergate application id)');
  }
  if (applicationId !== ledgergateApplicationId) {
    throw notAStore(file, `it is an SQLite database of another application (application id 0x${applicationId.toString(16)})`);
  }
  const hasSchemaTable = db
    .prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('ledgergate_schema', 'events')")
    .get() as { n: number };
  if (hasSchemaTable.n !== 2) throw notAStore(file, 'its schema tables are missing (damaged file)');
  const row = db.prepare('SELECT max(version) AS version FROM ledgergate_schema').get() as { version: number | null };
  if (row.version !== schemaVersion) {
    throw notAStore(file, `schema version ${String(row.version)} is not the supported version ${schemaVersion}`);
  }
  return 'ours';
}
