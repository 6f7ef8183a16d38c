/** Finding places in the global log without reading all of it. */
import type { EventStore, RecordedEvent } from '../../domain/ports.js';

async function eventAt(store: EventStore, position: number): Promise<RecordedEvent | undefined> {
  return (await store.readAll({ from: position - 1, maxCount: 1 }))[0];
}

/**
 * The first position whose recordedAt is at or after `time` (head + 1 when none is). Binary search:
 * a store records events in position order, so recordedAt does not decrease along the log. Should clocks
 * of several replicas disagree slightly, the range's ends move by those few events; the range stays
 * contiguous and gap-free, which is what verification depends on.
 */
export async function firstPositionAtOrAfter(store: EventStore, time: Date, head: number): Promise<number> {
  const target = time.getTime();
  let low = 1;
  let high = head + 1;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    const event = await eventAt(store, middle);
    if (event && Date.parse(event.recordedAt) < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Hash of the policy activated last before `position` (as a one-element list), scanning backwards page by page. */
export async function policyInForceBefore(store: EventStore, position: number, pageSize: number): Promise<string[]> {
  let end = position - 1;
  while (end >= 1) {
    const start = Math.max(0, end - pageSize);
    const page = await store.readAll({ from: start, maxCount: end - start });
    for (let i = page.length - 1; i >= 0; i--) {
      const event = page[i] as RecordedEvent;
      const policyHash = (event.data as { policyHash?: unknown } | null)?.policyHash;
      if (event.type === 'PolicyActivated' && typeof policyHash === 'string') return [policyHash];
    }
    end = start;
  }
  return [];
}
