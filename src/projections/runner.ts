/**
 * Feeds projections from the log: replays from position 0, then follows live events through the
 * store's back-pressured subscription. Callers that need read-your-writes wait for `catchUp`.
 */
import type { Subscription } from 'rxjs';
import type { EventStore, RecordedEvent, Logger } from '../domain/ports.js';
import type { Projection } from './projection.js';

export interface ProjectionRunner {
  /** Position of the last event applied. */
  position(): number;
  /** Resolves once every event written before the call has been applied (or the timeout passes). */
  catchUp(timeoutMs?: number): Promise<void>;
  stop(): void;
}

export async function startProjectionRunner(deps: {
  store: EventStore;
  projections: readonly Projection[];
  logger: Logger;
  /** Called for every live event after the initial replay (the saga and notifier listen here). */
  onLiveEvent?: (event: RecordedEvent) => void;
}): Promise<ProjectionRunner> {
  const { store, projections, logger, onLiveEvent } = deps;
  let position = 0;
  const waiters = new Set<{ target: number; resolve: () => void }>();

  // Replay synchronously in pages first, so the gateway serves only after its read models are whole.
  const replayTarget = await store.headPosition();
  while (position < replayTarget) {
    const page = await store.readAll({ from: position, maxCount: 5000 });
    if (page.length === 0) break;
    for (const event of page) applyToAll(event);
  }

  function applyToAll(event: RecordedEvent): void {
    for (const projection of projections) {
      try {
        projection.apply(event);
      } catch (error) {
        logger.error('projection failed to apply an event', { projection: projection.name, position: event.position, error: String(error) });
      }
    }
    position = event.position;
    for (const waiter of waiters) {
      if (position >= waiter.target) {
        waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  const subscription: Subscription = store.subscribeAll(position).subscribe({
    next: (event) => {
      if (event.position <= position) return;
      applyToAll(event);
      onLiveEvent?.(event);
    },
    error: (error: unknown) => logger.error('projection subscription failed', { error: String(error) }),
  });

  return {
    position: () => position,
    async catchUp(timeoutMs = 5000) {
      const target = await store.headPosition();
      if (position >= target) return;
      await new Promise<void>((resolve) => {
        const waiter = { target, resolve };
        waiters.add(waiter);
        setTimeout(() => {
          waiters.delete(waiter);
          resolve();
        }, timeoutMs).unref();
      });
    },
    stop: () => subscription.unsubscribe(),
  };
}
