/**
 * Feeds the read models from the log. Each persisted projection resumes from its checkpoint, so only
 * events written since it last committed are replayed; one without a checkpoint (a new file) is built
 * before the gateway serves; one whose version changed is dropped and rebuilt in the background while
 * the gateway serves (reads of it answer 503 until it has caught up). Live events are applied in
 * batches, one transaction per batch. Callers that need read-your-writes wait for `catchUp`.
 */
import type { Subscription } from 'rxjs';
import type { EventStore, FoldableEvent, RecordedEvent, Logger } from '../domain/ports.js';
import { applyPage, applyPagesInOneTransaction, type TrackedProjection } from './apply-page.js';
import type { Projection, SqlProjection } from './projection.js';
import type { ReadModelDb } from './read-model-db.js';
import type { ReadModelStatus } from './read-model-status.js';
import { unreadByAll } from './unread-data.js';

export interface ProjectionRunner {
  /** Position of the last live event applied. */
  position(): number;
  /** Resolves once every event written before the call has been applied (or the timeout passes). */
  catchUp(timeoutMs?: number): Promise<void>;
  /** Resolves once every background rebuild has caught up. */
  rebuilt(): Promise<void>;
  stop(): void;
}

export interface RunnerDeps {
  store: EventStore;
  readModels: ReadModelDb;
  projections: readonly SqlProjection[];
  status: ReadModelStatus;
  /** In-memory projections: they see live events only (the outcome metrics count this instance's work). */
  live?: readonly Projection[];
  logger: Logger;
  /** Called for every live event (the saga and notifier listen here). */
  onLiveEvent?: (event: RecordedEvent) => void;
  /** Events per transaction while catching up at start (background rebuilds use a fifth, to yield often). */
  pageSize?: number;
}

const retryMs = 1000;
/**
 * The catch-up before serving applies 4 pages' worth of events per transaction and reads them an
 * eighth of a page at a time (why: applyPagesInOneTransaction). Measured on a 200k-event rebuild with
 * npm start's heap settings: objects promoted out of the young generation fell from 182 to 57–121 MB
 * and the event loop's CPU per event by ~6 % against one 2,000-event page per transaction.
 */
const catchUpPagesPerTransaction = 4;
const catchUpReadsPerPage = 8;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A new read-model file is built without the indexes only its readers use (time, session, status…),
 * and they are made once at the end (~40 ms for 200k events): an access-log row written during the build
 * updates two B-trees instead of five. A 200k-event rebuild ran 100–117k events/s against 85–106k with
 * the indexes kept throughout (alternated, three runs each).
 * What the folds themselves look rows up by — primary keys and UNIQUE columns — stays. A build that
 * stops half-way leaves them missing; `create` (idempotent) makes them when the next start opens it.
 */
function dropReadersIndexes(readModels: ReadModelDb): true {
  const { db } = readModels;
  const named = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").pluck().all() as string[];
  db.transaction(() => named.forEach((name) => db.exec(`DROP INDEX "${name.replaceAll('"', '""')}"`))).immediate();
  return true;
}

export async function startProjectionRunner(deps: RunnerDeps): Promise<ProjectionRunner> {
  const { store, readModels, status, logger } = deps;
  // 2,000 rather than 5,000: a page's events stay alive until it is applied, and smaller pages cost
  // the garbage collector less than the extra commits cost (rebuild bench, alternated: +10 % events/s).
  // The catch-up before serving reads smaller pages and commits bigger transactions (see below).
  const pageSize = deps.pageSize ?? 2000;
  const head = await store.headPosition();
  const tracked = deps.projections.map((definition) => open(definition, head));
  // A store's rebuild read when it has one (fewer columns, no schema re-check, and none of the data
  // all of these projections leave unread; see ports.ts and unread-data.ts).
  const readPage = (targets: readonly TrackedProjection[], options: { from: number; maxCount: number }): Promise<FoldableEvent[]> =>
    store.readForProjections
      ? store.readForProjections({ ...options, unread: unreadByAll(targets.map((t) => t.definition.unreadData)) })
      : store.readAll(options);

  // Resume (or build afresh) before serving, so the gateway serves only whole read models. Nothing
  // else uses the read-model connection yet: a transaction may span several reads (apply-page.ts).
  let catching = tracked.filter((t) => t.ready && t.position < head);
  const readersIndexesLater = catching.length > 0 && tracked.every((t) => t.ready && t.position === 0) && dropReadersIndexes(readModels);
  const readSize = Math.max(1, Math.floor(pageSize / catchUpReadsPerPage));
  while (catching.length > 0) {
    const targets = catching;
    const read = (from: number) => readPage(targets, { from, maxCount: readSize });
    const applied = await applyPagesInOneTransaction(readModels, targets, logger, read, { maxEvents: pageSize * catchUpPagesPerTransaction, flushEvery: Math.max(1, Math.floor(pageSize / 2)) });
    if (applied === 0) break;
    catching = catching.filter((t) => t.position < head);
  }
  if (readersIndexesLater) readModels.db.transaction(() => tracked.forEach((t) => t.definition.create(readModels.db))).immediate();

  let livePosition = head;
  let stopped = false;
  const waiters = new Set<{ target: number; resolve: () => void }>();
  let buffer: RecordedEvent[] = [];
  let flushTimer: NodeJS.Immediate | undefined;
  let retryTimer: NodeJS.Timeout | undefined;

  function flushLive(): void {
    if (flushTimer !== undefined) clearImmediate(flushTimer);
    flushTimer = undefined;
    retryTimer = undefined;
    const page = buffer;
    buffer = [];
    if (page.length === 0 || stopped) return;
    try {
      applyPage(readModels, page, tracked.filter((t) => t.ready), logger);
    } catch (error) {
      logger.error('read models could not be written; retrying', { error: String(error) });
      buffer = [...page, ...buffer];
      retryTimer = setTimeout(flushLive, retryMs);
      return;
    }
    livePosition = (page[page.length - 1] as RecordedEvent).position;
    for (const event of page) {
      for (const projection of deps.live ?? []) {
        try {
          projection.apply(event);
        } catch (error) {
          logger.error('projection failed to apply an event', { projection: projection.name, position: event.position, error: String(error) });
        }
      }
    }
    for (const waiter of waiters) {
      if (livePosition >= waiter.target) {
        waiters.delete(waiter);
        waiter.resolve();
      }
    }
    for (const event of page) deps.onLiveEvent?.(event);
  }

  const subscription: Subscription = store.subscribeAll(livePosition).subscribe({
    next: (event) => {
      const last = buffer[buffer.length - 1]?.position ?? livePosition;
      if (event.position <= last) return;
      buffer.push(event);
      if (retryTimer !== undefined) return;
      // A long backlog is applied page by page; a trickle, once per event-loop turn.
      if (buffer.length >= pageSize) flushLive();
      else flushTimer ??= setImmediate(flushLive);
    },
    error: (error: unknown) => logger.error('projection subscription failed', { error: String(error) }),
  });

  const rebuilding = tracked.filter((t) => !t.ready);
  const rebuilt = rebuilding.length === 0 ? Promise.resolve() : rebuildInBackground(rebuilding);

  /** Replays the log into the rebuilt projections page by page, yielding to the gateway between pages. */
  async function rebuildInBackground(targets: TrackedProjection[]): Promise<void> {
    let pending = targets;
    while (!stopped && pending.length > 0) {
      try {
        const page = await readPage(pending, { from: Math.min(...pending.map((t) => t.position)), maxCount: Math.max(1, Math.floor(pageSize / 5)) });
        if (stopped) return;
        applyPage(readModels, page, pending, logger);
        // Caught up with what the live feed has applied: from here the live feed carries it.
        for (const target of pending) {
          if (page.length > 0 && target.position < livePosition) continue;
          target.ready = true;
          status.markReady(target.definition.name);
          logger.info('read model rebuilt', { readModel: target.definition.name, position: target.position });
        }
        pending = pending.filter((t) => !t.ready);
        await nextTurn();
      } catch (error) {
        logger.error('read model rebuild failed; retrying', { error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, retryMs).unref());
      }
    }
  }

  /** Reads the checkpoint and prepares the projection's tables: resume, build afresh, or rebuild. */
  function open(definition: SqlProjection, logHead: number): TrackedProjection {
    const checkpoint = readModels.checkpoint(definition.name);
    const { db } = readModels;
    const resumable = checkpoint !== undefined && checkpoint.version === definition.version && checkpoint.position <= logHead;
    if (resumable) {
      definition.create(db);
      return { definition, applier: definition.applier(db), position: checkpoint.position, ready: true };
    }
    db.transaction(() => {
      definition.drop(db);
      definition.create(db);
      readModels.saveCheckpoint(definition.name, { version: definition.version, position: 0 });
    }).immediate();
    // A changed version rebuilds while the gateway serves; a new file (or one ahead of this log) first.
    const background = checkpoint !== undefined && checkpoint.version !== definition.version;
    if (background) {
      status.markRebuilding(definition.name);
      logger.info('read model version changed; rebuilding in the background', { readModel: definition.name, from: checkpoint.version, to: definition.version });
    }
    return { definition, applier: definition.applier(db), position: 0, ready: !background };
  }

  return {
    position: () => livePosition,
    async catchUp(timeoutMs = 5000) {
      const target = await store.headPosition();
      if (livePosition >= target) return;
      await new Promise<void>((resolve) => {
        const waiter = { target, resolve };
        waiters.add(waiter);
        setTimeout(() => {
          waiters.delete(waiter);
          resolve();
        }, timeoutMs).unref();
      });
    },
    rebuilt: () => rebuilt,
    stop() {
      stopped = true;
      subscription.unsubscribe();
      if (flushTimer !== undefined) clearImmediate(flushTimer);
      if (retryTimer !== undefined) clearTimeout(retryTimer);
    },
  };
}
