/**
 * A write-behind cache for one batch of events: a request's row is read once, changed in memory by
 * every event of the batch that touches it, and written once at flush (or deleted, when the fold
 * dropped it). A request's lifecycle usually falls in one batch, so most rows cost one write instead
 * of one read and one write per event. The cache is emptied at every flush: it holds one batch at most.
 */
export interface BatchRows<T> {
  /** The row as the batch left it: undefined when absent or deleted. */
  get(key: string): T | undefined;
  /** Marks the row (already changed in place, or new) to be written at flush. */
  set(key: string, row: T): void;
  delete(key: string): void;
  flush(): void;
  discard(): void;
}

export function batchRows<T>(store: { load(key: string): T | undefined; save(key: string, row: T): void; remove(key: string): void }): BatchRows<T> {
  // undefined marks a row deleted in this batch (so it is not loaded again).
  const touched = new Map<string, T | undefined>();
  // Keys that may have a stored row: a row made and dropped within the batch needs no DELETE.
  const stored = new Set<string>();
  return {
    get(key) {
      if (touched.has(key)) return touched.get(key);
      const row = store.load(key);
      if (row !== undefined) {
        touched.set(key, row);
        stored.add(key);
      }
      return row;
    },
    // Used for rows the batch creates or read through `get`: a new row dropped again needs no DELETE.
    set: (key, row) => void touched.set(key, row),
    delete(key) {
      if (!touched.has(key)) stored.add(key);
      touched.set(key, undefined);
    },
    flush() {
      for (const [key, row] of touched) {
        if (row !== undefined) store.save(key, row);
        else if (stored.has(key)) store.remove(key);
      }
      touched.clear();
      stored.clear();
    },
    discard() {
      touched.clear();
      stored.clear();
    },
  };
}
