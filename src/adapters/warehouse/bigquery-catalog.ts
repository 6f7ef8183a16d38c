/**
 * A TTL cache in front of datasets.list / tables.list / tables.get. version() moves only when a
 * refresh brings back content different from what was cached, so analysis caches keyed on it stay
 * warm while the warehouse does not change.
 */
import { createHash } from 'node:crypto';
import type { Catalog, TableRef, TableSchema } from '../../domain/ports.js';

export interface CatalogSource {
  fetchTable(table: TableRef): Promise<TableSchema | undefined>;
  fetchDatasets(): Promise<string[]>;
  fetchTables(dataset: string): Promise<TableRef[]>;
}

interface Entry {
  readonly value: unknown;
  readonly fingerprint: string;
  readonly fetchedAt: number;
}

const fingerprintOf = (value: unknown): string => createHash('sha256').update(JSON.stringify(value ?? null)).digest('hex');

export class CachedCatalog implements Catalog {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private generation = 0;

  constructor(
    private readonly source: CatalogSource,
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly versionPrefix: string,
  ) {}

  getTable(table: TableRef): Promise<TableSchema | undefined> {
    return this.cached(`table:${table.project}.${table.dataset}.${table.table}`, () => this.source.fetchTable(table));
  }

  listDatasets(): Promise<string[]> {
    return this.cached('datasets', () => this.source.fetchDatasets());
  }

  listTables(dataset: string): Promise<TableRef[]> {
    return this.cached(`tables:${dataset}`, () => this.source.fetchTables(dataset));
  }

  version(): string {
    return `${this.versionPrefix}:${this.generation}`;
  }

  private async cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const entry = this.entries.get(key);
    if (entry && this.now() - entry.fetchedAt < this.ttlMs) return entry.value as T;
    const pending = this.inFlight.get(key);
    if (pending) return pending as Promise<T>;
    const loading = load()
      .then((value) => {
        this.store(key, value);
        return value;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, loading);
    return loading;
  }

  private store(key: string, value: unknown): void {
    const fingerprint = fingerprintOf(value);
    const previous = this.entries.get(key);
    // A first sight of a key is not a change: nothing derived from it can be stale yet.
    if (previous && previous.fingerprint !== fingerprint) this.generation += 1;
    this.entries.set(key, { value, fingerprint, fetchedAt: this.now() });
  }
}
