/**
 * Projects recorded events into a fresh set of persisted read models (an in-memory SQLite database,
 * the real tables and folds), page by page through the runner's own transaction, and hands back the
 * readers: given events, then rows.
 */
import { silentLogger } from '../../src/adapters/logging/silent-logger.js';
import type { RecordedEvent } from '../../src/domain/ports.js';
import { applyPage, type TrackedProjection } from '../../src/projections/apply-page.js';
import { openReadModelDb, type ReadModelDb } from '../../src/projections/read-model-db.js';
import { createReadModels, type ReadModels } from '../../src/projections/read-models.js';

export function projected(recorded: readonly RecordedEvent[], options: { pageSize?: number; readModelDb?: ReadModelDb } = {}): ReadModels & { readModelDb: ReadModelDb } {
  const readModelDb = options.readModelDb ?? openReadModelDb({ file: ':memory:' });
  const readModels = createReadModels(readModelDb);
  const tracked: TrackedProjection[] = readModels.projections.map((definition) => {
    definition.create(readModelDb.db);
    return { definition, applier: definition.applier(readModelDb.db), position: readModelDb.checkpoint(definition.name)?.position ?? 0, ready: true };
  });
  const pageSize = options.pageSize ?? 1000;
  for (let start = 0; start < recorded.length; start += pageSize) applyPage(readModelDb, recorded.slice(start, start + pageSize), tracked, silentLogger);
  return { ...readModels, readModelDb };
}
