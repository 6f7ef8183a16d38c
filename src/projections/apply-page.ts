/**
 * Applies one page of events to a set of persisted projections in ONE transaction: their rows and
 * their checkpoints commit together or not at all, so a crash or a failed write between pages loses
 * nothing and applies nothing twice — the next start resumes from the checkpoint the rows match.
 */
import type { FoldableEvent, Logger } from '../domain/ports.js';
import type { BatchApplier, SqlProjection } from './projection.js';
import type { ReadModelDb } from './read-model-db.js';

export interface TrackedProjection {
  readonly definition: SqlProjection;
  readonly applier: BatchApplier;
  /** Position of the last event its rows include (its committed checkpoint). */
  position: number;
  /** False while a background rebuild has not caught up with the live feed. */
  ready: boolean;
}

export function applyPage(readModels: ReadModelDb, page: readonly FoldableEvent[], targets: readonly TrackedProjection[], logger: Logger): void {
  const last = page[page.length - 1]?.position;
  if (last === undefined || targets.length === 0) return;
  const write = readModels.db.transaction(() => {
    for (const event of page) {
      for (const target of targets) {
        if (event.position <= target.position) continue;
        try {
          target.applier.apply(event);
        } catch (error) {
          // An event the fold cannot read is skipped (and said so), as it always was: one bad event
          // must not stop the read models. A failed write below rolls the whole page back instead.
          logger.error('projection failed to apply an event', { projection: target.definition.name, position: event.position, error: String(error) });
        }
      }
    }
    for (const target of targets) {
      target.applier.flush();
      readModels.saveCheckpoint(target.definition.name, { version: target.definition.version, position: Math.max(target.position, last) });
    }
  });
  try {
    write.immediate();
  } catch (error) {
    for (const target of targets) target.applier.discard();
    throw error;
  }
  for (const target of targets) target.position = Math.max(target.position, last);
}
