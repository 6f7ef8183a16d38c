/**
 * Messages between the SQLite event store (event loop) and its writer thread. Plain data only: the
 * event loop sends each event's JSON text for the row and its RFC 8785 text for the hash, the thread
 * answers one outcome per append.
 */
import type { ExpectedRevision } from '../../domain/ports.js';

export interface WriterSettings {
  readonly file: string;
  readonly busyTimeoutMs: number;
  /** Resolved path of better-sqlite3, so the thread loads the same copy wherever the process started. */
  readonly betterSqlite3: string;
}

export interface WireEvent {
  readonly type: string;
  readonly dataJson: string;
  readonly metadataJson: string;
  /** canonicalJson of the type: part of the hashed content. */
  readonly typeCanonical: string;
  /**
   * canonicalJson of data and metadata when the event loop had to compute it (the text holds a
   * "__proto__" key or a lone surrogate); null when the thread computes it from the JSON text, which
   * is the common case and keeps large results' canonicalisation off the event loop.
   */
  readonly dataCanonical: string | null;
  readonly metadataCanonical: string | null;
}

export interface WireAppend {
  readonly stream: string;
  readonly streamCanonical: string;
  readonly expected: ExpectedRevision;
  readonly events: readonly WireEvent[];
}

export type WireOutcome =
  | { readonly ok: { readonly nextExpectedRevision: number; readonly lastPosition: number } }
  | { readonly conflict: { readonly stream: string; readonly expected: string; readonly actual: number | 'no_stream' } };

export type ToWriter =
  | {
      readonly kind: 'commit';
      readonly id: number;
      readonly appends: readonly WireAppend[];
      readonly recordedAt: string;
      readonly recordedAtCanonical: string;
    }
  | { readonly kind: 'close' };

export type FromWriter =
  | { readonly kind: 'committed'; readonly id: number; readonly outcomes: readonly WireOutcome[] }
  /** The whole batch was rolled back (disk full, lock timeout, I/O error…); `code` is SQLite's. */
  | { readonly kind: 'failed'; readonly id: number; readonly error: { readonly message: string; readonly code?: string } };
