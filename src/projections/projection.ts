/**
 * Read models folded from the global log. A `Projection` lives in memory and sees only live events (the
 * outcome metrics); a `SqlProjection` keeps its rows in the replica's read-model database with its
 * checkpoint, so a restart resumes where it stopped instead of replaying history.
 */
import type Database from 'better-sqlite3';
import type { FoldableEvent, RecordedEvent, UnreadData } from '../domain/ports.js';

export interface Projection {
  readonly name: string;
  apply(event: RecordedEvent): void;
}

/**
 * Applies events inside the runner's transaction. `apply` may hold rows of the current batch in a
 * bounded write-behind cache; `flush` writes them before the checkpoint, in the same transaction, and
 * `discard` forgets them when that transaction rolls back.
 */
export interface BatchApplier {
  /** Sees only what every event source gives a fold (a rebuild reads no more than that). */
  apply(event: FoldableEvent): void;
  flush(): void;
  discard(): void;
}

export interface SqlProjection {
  /** Also the prefix of its tables and its checkpoint's key. */
  readonly name: string;
  /** Bumped whenever its tables or its fold change: a stored version that differs is dropped and rebuilt. */
  readonly version: number;
  /** Creates its tables and indexes (idempotent). */
  create(db: Database.Database): void;
  /** Drops its tables. */
  drop(db: Database.Database): void;
  applier(db: Database.Database): BatchApplier;
  /** Event data its fold never reads (unread-data.ts): a rebuild may leave it out. None when absent. */
  readonly unreadData?: UnreadData;
}
