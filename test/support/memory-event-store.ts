/**
 * An in-memory EventStore for unit tests (evidence, saga). It models the SQLite adapter
 * (src/adapters/eventstore/sqlite-event-store.ts), and is held to the same contract
 * (test/contract/event-store-memory.test.ts runs test/contract/event-store.contract.ts on it):
 * the adapters' own append checks and schema validation, stream revisions, gap-free positions,
 * expected-revision conflicts, the hash chain computed with chainHash on append, and subscribeAll
 * through the adapters' shared pull loop (live events included, back-pressured through readAll).
 * `withoutHashes` imitates a store that cannot chain atomically (EventStoreDB).
 */
import { LedgergateError, RevisionConflictError } from '../../src/domain/errors.js';
import { chainHash, genesisHash } from '../../src/domain/evidence/event-hash.js';
import { createEventRegistry } from '../../src/domain/events/registry.js';
import type { EventStore, ExpectedRevision, NewEvent, RecordedEvent } from '../../src/domain/ports.js';
import { checkAppendable } from '../../src/adapters/eventstore/append-checks.js';
import { pullSubscription, StoreSignals } from '../../src/adapters/eventstore/pull-subscription.js';

export interface MemoryStoreOptions {
  readonly clock?: () => Date;
  readonly withoutHashes?: boolean;
}

export interface MemoryEventStore extends EventStore {
  /** Every event, in order (the live array: tests may tamper with it). */
  readonly log: RecordedEvent[];
}

const registry = createEventRegistry();

export function createMemoryEventStore(options: MemoryStoreOptions = {}): MemoryEventStore {
  const log: RecordedEvent[] = [];
  const streams = new Map<string, RecordedEvent[]>();
  const clock = options.clock ?? (() => new Date());
  const signals = new StoreSignals();
  const open = () => {
    if (signals.closed) throw new LedgergateError('store_unavailable', 'Event store (memory) is closed');
  };

  const store: MemoryEventStore = {
    log,
    async append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision) {
      checkAppendable(stream, events, expected);
      const copies = events.map((event) => ({ type: event.type, data: structuredClone(event.data), metadata: structuredClone(event.metadata) }));
      for (const event of copies) registry.validate(event.type, event.data, event.metadata);
      open();
      const existing = streams.get(stream) ?? [];
      const actual = existing.length === 0 ? 'no_stream' : existing.length - 1;
      const ok = expected === 'any' || expected === actual;
      if (!ok) throw new RevisionConflictError(stream, String(expected), actual);
      const recordedAt = clock().toISOString();
      for (const event of copies) {
        const base = { streamName: stream, revision: existing.length, position: log.length + 1, ...event, recordedAt };
        const prevHash = log.at(-1)?.hash ?? genesisHash;
        const recorded: RecordedEvent = options.withoutHashes ? base : { ...base, prevHash, hash: chainHash(prevHash, base) };
        existing.push(recorded);
        log.push(recorded);
      }
      streams.set(stream, existing);
      signals.appended();
      return { nextExpectedRevision: existing.length - 1, lastPosition: log.length };
    },
    async readStream(stream) {
      open();
      return [...(streams.get(stream) ?? [])];
    },
    async readAll({ from, maxCount }) {
      open();
      return log.slice(from, maxCount === undefined ? undefined : from + maxCount);
    },
    async headPosition() {
      open();
      return log.length;
    },
    subscribeAll(from) {
      return pullSubscription({ readAll: (page) => store.readAll(page) }, signals, from);
    },
    async close() {
      signals.close();
    },
  };
  return store;
}
