/**
 * The SQLite event store's writer thread, as the JavaScript source it is started from
 * (`new Worker(source, { eval: true })`). It owns its store's one write connection and commits each
 * batch the event loop sends (sqlite-writer.ts): all appends of the batch in one BEGIN IMMEDIATE
 * transaction and so one fsync (WAL, synchronous=FULL), each in its own savepoint so that a revision
 * conflict undoes and refuses only its own append. The fsync blocks this thread, not the event loop.
 * Writers are serialised by SQLite's write lock, so the expected-revision check, the gap-free global
 * position (max + 1) and the hash chain (prevHash = hash of the previous global event) are decided
 * while holding it, across every process that shares the file.
 *
 * Why a source string: a thread started from a TypeScript file needs a TypeScript loader registered
 * inside it under tsx (tests, the bench), which costs ~0.5 s per store opened; this needs only Node
 * and better-sqlite3 and starts in tens of milliseconds, compiled or not. It therefore cannot import
 * the hash code: the event loop sends the RFC 8785 text of the type, stream and recordedAt, the thread
 * canonicalises data and metadata from their JSON text with fastCanonicalJson's own method (a sorted
 * property-list replacer; the event loop sends the text itself when that method does not hold, see
 * fastPathHoldsForJsonText) and adds the integers it decides. The hashed text is exactly
 * chainHash's (src/domain/evidence/event-hash.ts): canonical JSON of {data, metadata, position,
 * recordedAt, revision, streamName, type}, keys in that (UTF-16) order, after the previous hash and a
 * newline — the SQLite contract tests recompute chainHash over generated events to hold both to it.
 */
export const writerThreadSource = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const Database = require(workerData.betterSqlite3);
const genesisHash = '0'.repeat(64);

const describe = (error) => {
  const message = error instanceof Error ? error.message : String(error);
  const code = error !== null && typeof error === 'object' ? error.code : undefined;
  return typeof code === 'string' ? { message, code } : { message };
};

class Conflict extends Error {}

// src/domain/evidence/canonical-json.ts (fastCanonicalJson): for JSON.parse output without a
// "__proto__" key or a lone surrogate, RFC 8785 is JSON.stringify with every key of the value, sorted
// by UTF-16 code units, as the property list.
const collectKeys = (value, keys) => {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) collectKeys(item, keys);
    return;
  }
  for (const key of Object.keys(value)) {
    keys.add(key);
    collectKeys(value[key], keys);
  }
};
const canonicalOf = (given, jsonText) => {
  if (given !== null) return given;
  const value = JSON.parse(jsonText);
  const keys = new Set();
  collectKeys(value, keys);
  return JSON.stringify(value, [...keys].sort());
};

let db;
let commit;
let openError;
try {
  db = new Database(workerData.file, { timeout: workerData.busyTimeoutMs });
  db.pragma('busy_timeout = ' + Number(workerData.busyTimeoutMs));
  // FULL: an acknowledged append is on disk, not only in the WAL's page cache.
  db.pragma('synchronous = FULL');
  const lastRevisionOf = db.prepare('SELECT revision FROM events WHERE stream_name = ? ORDER BY revision DESC LIMIT 1');
  const lastEvent = db.prepare('SELECT position, hash FROM events ORDER BY position DESC LIMIT 1');
  const insert = db.prepare('INSERT INTO events (position, stream_name, revision, type, data, metadata, recorded_at, hash, prev_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');

  const appendOne = db.transaction((append, recordedAt, recordedAtCanonical) => {
    const { stream, expected, events } = append;
    const last = lastRevisionOf.get(stream);
    const actual = last ? last.revision : 'no_stream';
    if ((expected === 'no_stream' && actual !== 'no_stream') || (typeof expected === 'number' && expected !== actual)) {
      const refusal = new Conflict('revision conflict');
      refusal.outcome = { conflict: { stream, expected: String(expected), actual } };
      throw refusal;
    }
    const head = lastEvent.get();
    let prevHash = head ? head.hash : genesisHash;
    let position = head ? head.position : 0;
    let revision = last ? last.revision : -1;
    for (const event of events) {
      position += 1;
      revision += 1;
      const content = '{"data":' + canonicalOf(event.dataCanonical, event.dataJson) + ',"metadata":' + canonicalOf(event.metadataCanonical, event.metadataJson) + ',"position":' + position +
        ',"recordedAt":' + recordedAtCanonical + ',"revision":' + revision + ',"streamName":' + append.streamCanonical +
        ',"type":' + event.typeCanonical + '}';
      const hash = createHash('sha256').update(prevHash + '\n' + content).digest('hex');
      insert.run(position, stream, revision, event.type, event.dataJson, event.metadataJson, recordedAt, hash, prevHash);
      prevHash = hash;
    }
    return { ok: { nextExpectedRevision: revision, lastPosition: position } };
  });

  const commitAll = db.transaction((appends, recordedAt, recordedAtCanonical) =>
    appends.map((append) => {
      try {
        return appendOne(append, recordedAt, recordedAtCanonical);
      } catch (error) {
        if (error instanceof Conflict) return error.outcome;
        throw error;
      }
    }),
  );
  // IMMEDIATE: the write lock is taken at BEGIN, so the revision checks read what the commit builds on.
  commit = (message) => commitAll.immediate(message.appends, message.recordedAt, message.recordedAtCanonical);
} catch (error) {
  openError = describe(error);
  try { db && db.close(); } catch {}
  db = undefined;
}

parentPort.on('message', (message) => {
  if (message.kind === 'close') {
    if (db) db.close();
    db = undefined;
    commit = undefined;
    parentPort.close();
    return;
  }
  if (!commit) {
    parentPort.postMessage({ kind: 'failed', id: message.id, error: openError || { message: 'the writer connection is closed' } });
    return;
  }
  try {
    parentPort.postMessage({ kind: 'committed', id: message.id, outcomes: commit(message) });
  } catch (error) {
    parentPort.postMessage({ kind: 'failed', id: message.id, error: describe(error) });
  }
});
`;
