/**
 * The replica's read-model database: an SQLite file in the data directory holding every persisted
 * projection's tables and checkpoint. Each gateway process holds its file with SQLite's exclusive
 * locking mode, so replicas sharing a data directory (and one log) each take a file of their own —
 * `read-models.sqlite`, then `read-models-2.sqlite`, … — and a restarted replica takes a free one back
 * and resumes from its checkpoints. The lock is the operating system's: a process that dies drops it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { LedgergateError } from '../domain/errors.js';

export interface Checkpoint {
  readonly version: number;
  /** Position of the last event applied (the event store's global position). */
  readonly position: number;
}

export interface ReadModelDb {
  readonly file: string;
  readonly db: Database.Database;
  checkpoint(name: string): Checkpoint | undefined;
  /** Written inside the caller's transaction, next to the rows it covers. */
  saveCheckpoint(name: string, checkpoint: Checkpoint): void;
  close(): void;
}

/** More replicas than this on one data directory is a misconfiguration, not a reason to make files. */
const maxSlots = 64;

export function openReadModelDb(options: { dataDir: string } | { file: string }): ReadModelDb {
  if ('file' in options) return wrap(options.file, lockedDatabase(options.file) ?? busy(options.file));
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  for (let slot = 1; slot <= maxSlots; slot++) {
    const file = join(options.dataDir, slot === 1 ? 'read-models.sqlite' : `read-models-${slot}.sqlite`);
    const db = lockedDatabase(file);
    if (db) return wrap(file, db);
  }
  throw new LedgergateError('invalid_config', `Every read-model file in ${options.dataDir} is held by another gateway process (${maxSlots} at most)`, { setting: 'LEDGERGATE_DATA_DIR' });
}

function busy(file: string): never {
  throw new LedgergateError('invalid_config', `The read-model file ${file} is held by another gateway process`, { setting: 'LEDGERGATE_DATA_DIR' });
}

/** Opens and locks the file, or undefined when another process holds it. */
function lockedDatabase(file: string): Database.Database | undefined {
  const db = new Database(file, { timeout: 0 });
  try {
    // Exclusive before the first access: the lock is taken then and held until close.
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    // Rows and checkpoints commit together; a power cut may lose the last batches, never half of one,
    // and the lost ones are replayed from the log.
    db.pragma('synchronous = NORMAL');
    // A bounded page cache (32 MiB): index lookups of a rebuild stay in memory, whatever the history.
    db.pragma('cache_size = -32768');
    db.exec('BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS read_model_checkpoints (name TEXT PRIMARY KEY, version INTEGER NOT NULL, position INTEGER NOT NULL); COMMIT');
    db.pragma('busy_timeout = 5000');
    return db;
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return undefined;
    throw error;
  }
}

function wrap(file: string, db: Database.Database): ReadModelDb {
  const get = db.prepare('SELECT version, position FROM read_model_checkpoints WHERE name = ?');
  const put = db.prepare('INSERT INTO read_model_checkpoints (name, version, position) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET version = excluded.version, position = excluded.position');
  return {
    file,
    db,
    checkpoint: (name) => get.get(name) as Checkpoint | undefined,
    saveCheckpoint: (name, { version, position }) => void put.run(name, version, position),
    close: () => db.close(),
  };
}

/**
 * Prepares on first use: readers are built before the runner has created (or rebuilt) their tables.
 * SQLite re-prepares a statement by itself when a rebuild drops and recreates its table.
 */
export function onFirstUse<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
