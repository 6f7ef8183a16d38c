/**
 * An in-memory EventStore for the evidence tests: revisions, gap-free positions, expected-revision
 * conflicts, and the hash chain computed with chainHash on append, as the SQLite store does.
 * `withoutHashes` imitates a store that cannot chain atomically (EventStoreDB).
 */
import { Observable } from 'rxjs';
import { RevisionConflictError } from '../../../src/domain/errors.js';
import { chainHash, genesisHash } from '../../../src/domain/evidence/event-hash.js';
import type { EventStore, ExpectedRevision, NewEvent, RecordedEvent } from '../../../src/domain/ports.js';

export interface MemoryStoreOptions {
  readonly clock?: () => Date;
  readonly withoutHashes?: boolean;
}

export interface MemoryEventStore extends EventStore {
  /** Every event, in order (the live array: tests may tamper with it). */
  readonly log: RecordedEvent[];
}

export function createMemoryEventStore(options: MemoryStoreOptions = {}): MemoryEventStore {
  const log: RecordedEvent[] = [];
  const streams = new Map<string, RecordedEvent[]>();
  const clock = options.clock ?? (() => new Date());

  return {
    log,
    async append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision) {
      const existing = streams.get(stream) ?? [];
      const actual = existing.length === 0 ? 'no_stream' : existing.length - 1;
      const ok = expected === 'any' || expected === actual;
      if (!ok) throw new RevisionConflictError(stream, String(expected), actual);
      const recordedAt = clock().toISOString();
      for (const event of events) {
        const base = {
          streamName: stream,
          revision: existing.length,
          position: log.length + 1,
          type: event.type,
          data: structuredClone(event.data),
          metadata: structuredClone(event.metadata),
          recordedAt,
        };
        const prevHash = log.at(-1)?.hash ?? genesisHash;
        const recorded: RecordedEvent = options.withoutHashes ? base : { ...base, prevHash, hash: chainHash(prevHash, base) };
        existing.push(recorded);
        log.push(recorded);
      }
      streams.set(stream, existing);
      return { nextExpectedRevision: existing.length - 1, lastPosition: log.length };
    },
    async readStream(stream) {
      return [...(streams.get(stream) ?? [])];
    },
    async readAll({ from, maxCount }) {
      return log.slice(from, maxCount === undefined ? undefined : from + maxCount);
    },
    async headPosition() {
      return log.length;
    },
    subscribeAll(from) {
      return new Observable<RecordedEvent>((subscriber) => {
        for (const event of log.slice(from)) subscriber.next(event);
        subscriber.complete();
      });
    },
    async close() {},
  };
}
