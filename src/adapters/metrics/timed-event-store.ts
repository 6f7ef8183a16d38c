/** An EventStore decorator that times every append into the append-latency histogram. */
import type { Histogram } from 'prom-client';
import { RevisionConflictError } from '../../domain/errors.js';
import type { EventStore } from '../../domain/ports.js';

export function withAppendTiming(store: EventStore, histogram: Histogram<'outcome'>): EventStore {
  return {
    async append(stream, events, expectedRevision) {
      const stop = histogram.startTimer();
      try {
        const result = await store.append(stream, events, expectedRevision);
        stop({ outcome: 'ok' });
        return result;
      } catch (error) {
        stop({ outcome: error instanceof RevisionConflictError ? 'conflict' : 'error' });
        throw error;
      }
    },
    readStream: (stream) => store.readStream(stream),
    readAll: (options) => store.readAll(options),
    // Kept only where the store has it: without it the runner falls back to readAll.
    ...(store.readForProjections ? { readForProjections: store.readForProjections.bind(store) } : {}),
    headPosition: () => store.headPosition(),
    subscribeAll: (from) => store.subscribeAll(from),
    close: () => store.close(),
  };
}
