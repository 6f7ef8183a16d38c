/**
 * Turns SQLite failures into the gateway's error codes. A store that cannot write (disk full, I/O
 * error, read-only, locked beyond the busy timeout, cannot open) is `store_unavailable`: the caller
 * may retry later. A file that is not a ledgergate store is `invalid_config`: retrying cannot help.
 */
import { LedgergateError } from '../../domain/errors.js';

const unavailableReasons: ReadonlyArray<[prefix: string, reason: string]> = [
  ['SQLITE_FULL', 'the disk is full'],
  ['SQLITE_IOERR', 'an I/O error occurred'],
  ['SQLITE_READONLY', 'the file is read-only'],
  ['SQLITE_BUSY', 'the file stayed locked by another process beyond the busy timeout'],
  ['SQLITE_LOCKED', 'the file is locked'],
  ['SQLITE_CANTOPEN', 'the file cannot be opened'],
  ['SQLITE_PERM', 'permission denied'],
  ['SQLITE_AUTH', 'permission denied'],
  ['SQLITE_PROTOCOL', 'the file lock protocol failed'],
  ['SQLITE_NOLFS', 'the file is too large for this system'],
];

const notAStoreReasons: ReadonlyArray<[prefix: string, reason: string]> = [
  ['SQLITE_NOTADB', 'the file is not an SQLite database'],
  ['SQLITE_CORRUPT', 'the database file is corrupt'],
];

export function sqliteCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

const reasonFor = (table: ReadonlyArray<[string, string]>, code: string | undefined) =>
  code === undefined ? undefined : table.find(([prefix]) => code === prefix || code.startsWith(`${prefix}_`))?.[1];

export function notAStore(file: string, what: string): LedgergateError {
  return new LedgergateError('invalid_config', `Event store file ${file} is not a ledgergate event store: ${what}`, {
    file,
  });
}

/** Maps failures while opening: unreadable content is a configuration problem, the rest is unavailability. */
export function openFailure(file: string, error: unknown): unknown {
  if (error instanceof LedgergateError) return error;
  const code = sqliteCodeOf(error);
  const notAStoreReason = reasonFor(notAStoreReasons, code);
  if (notAStoreReason) return notAStore(file, notAStoreReason);
  return storageFailure(file, error);
}

/** Maps failures of a working store. Unknown errors are passed through unchanged (they are bugs, not outages). */
export function storageFailure(file: string, error: unknown): LedgergateError | unknown {
  if (error instanceof LedgergateError) return error;
  const code = sqliteCodeOf(error);
  const reason = reasonFor(unavailableReasons, code) ?? reasonFor(notAStoreReasons, code);
  if (!reason) {
    if (code === undefined && isFsError(error)) {
      return new LedgergateError('store_unavailable', `Event store ${file} is unavailable: ${error.code}`, {
        file,
        sqliteCode: error.code,
      });
    }
    return error;
  }
  return new LedgergateError('store_unavailable', `Event store ${file} is unavailable: ${reason} (${code})`, {
    file,
    sqliteCode: code,
  });
}

const isFsError = (error: unknown): error is { code: string } =>
  typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string';
