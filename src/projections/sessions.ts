/**
 * Which streams belong to which agent session, so a session can be replayed event by event.
 * Persisted in `sessions` (first and last activity, stream count) and `session_streams`.
 */
import type Database from 'better-sqlite3';
import { assessmentStreamPrefix } from '../domain/events/index.js';
import type { FoldableEvent } from '../domain/ports.js';
import type { SqlProjection } from './projection.js';
import { unreadByReadModels } from './unread-data.js';
import { onFirstUse } from './read-model-db.js';
import type { ReadModelStatus } from './read-model-status.js';

export interface SessionSummary {
  sessionId: string;
  firstAt: string;
  lastAt: string;
  streams: number;
}

export interface SessionIndex {
  /** The session's streams, in the order they first appeared. */
  streamsOf(sessionId: string): string[];
  /** Sessions with their first and last activity, newest first (read page by page). */
  list(): SessionSummary[];
}

export const sessionsProjection: SqlProjection = {
  name: 'sessions',
  // 2: dry runs and refused jobs (assessment streams) belong to their session too.
  version: 2,
  unreadData: unreadByReadModels,
  create(db: Database.Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS sessions (session_id TEXT PRIMARY KEY, first_at TEXT NOT NULL, last_at TEXT NOT NULL, streams INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS sessions_last ON sessions (last_at, session_id);
      CREATE TABLE IF NOT EXISTS session_streams (session_id TEXT NOT NULL, stream TEXT NOT NULL, position INTEGER NOT NULL, PRIMARY KEY (session_id, stream)) WITHOUT ROWID;
    `);
  },
  drop: (db) => db.exec('DROP TABLE IF EXISTS sessions; DROP TABLE IF EXISTS session_streams'),
  applier(db) {
    const addStream = db.prepare('INSERT OR IGNORE INTO session_streams (session_id, stream, position) VALUES (?, ?, ?)');
    const touch = db.prepare(
      'INSERT INTO sessions (session_id, first_at, last_at, streams) VALUES (?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET last_at = excluded.last_at, streams = streams + excluded.streams',
    );
    // One batch: each session's first and last time and its new streams, written once at flush.
    const batch = new Map<string, { firstAt: string; lastAt: string; streams: Map<string, number> }>();
    return {
      apply(event: FoldableEvent) {
        const sessionId = event.metadata.sessionId;
        // Request and assessment streams belong to a session; shared streams (authentication failures) are not replayed.
        if (!sessionId || !(event.streamName.startsWith('query-') || event.streamName.startsWith(assessmentStreamPrefix))) return;
        const at = event.metadata.occurredAt;
        const session = batch.get(sessionId);
        if (!session) batch.set(sessionId, { firstAt: at, lastAt: at, streams: new Map([[event.streamName, event.position]]) });
        else {
          session.lastAt = at;
          if (!session.streams.has(event.streamName)) session.streams.set(event.streamName, event.position);
        }
      },
      flush() {
        for (const [sessionId, session] of batch) {
          let added = 0;
          for (const [stream, position] of session.streams) added += addStream.run(sessionId, stream, position).changes;
          touch.run(sessionId, session.firstAt, session.lastAt, added);
        }
        batch.clear();
      },
      discard: () => batch.clear(),
    };
  },
};

export function createSessionIndex(db: Database.Database, status: ReadModelStatus): SessionIndex {
  const ready = () => status.assertReady(sessionsProjection.name);
  const streams = onFirstUse(() => db.prepare('SELECT stream FROM session_streams WHERE session_id = ? ORDER BY position').pluck());
  const newest = onFirstUse(() => db.prepare(
    'SELECT session_id AS sessionId, first_at AS firstAt, last_at AS lastAt, streams FROM sessions WHERE (last_at, session_id) < (@at, @id) ORDER BY last_at DESC, session_id DESC LIMIT @limit',
  ));
  return {
    streamsOf(sessionId) {
      ready();
      return streams().all(sessionId) as string[];
    },
    list() {
      ready();
      const found: SessionSummary[] = [];
      // '\uffff' sorts after every time and id: the first page starts at the newest.
      let cursor = { at: '\uffff', id: '\uffff' };
      for (;;) {
        const page = newest().all({ ...cursor, limit: 500 }) as SessionSummary[];
        found.push(...page);
        const last = page[page.length - 1];
        if (!last || page.length < 500) return found;
        cursor = { at: last.lastAt, id: last.sessionId };
      }
    },
  };
}
