import { openSqliteEventStore } from '/work/main/src/adapters/eventstore/sqlite-event-store.js';
import { createEventRegistry } from '/work/main/src/domain/events/registry.js';
const store = openSqliteEventStore({ file: '/tmp/lgsmoke/x.sqlite', registry: createEventRegistry(), busyTimeoutMs: 10_000 });
await store.readStream('abc');
await store.close();
console.log('done');
