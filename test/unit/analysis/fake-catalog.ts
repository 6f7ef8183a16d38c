/** An in-memory Catalog with the demo warehouse's tables, for analyser tests. */
import type { Catalog, TableRef, TableSchema } from '../../../src/domain/ports.js';

const demoTables: Record<string, readonly string[]> = {
  'demo-project.sales.customers': [
    'customer_id',
    'full_name',
    'email',
    'phone',
    'ssn',
    'card_number',
    'birth_date',
    'city',
    'country',
    'notes',
    'created_at',
  ],
  'demo-project.sales.orders': ['order_id', 'customer_id', 'amount', 'currency', 'status', 'ordered_at'],
  'demo-project.hr.salaries': ['employee_id', 'full_name', 'email', 'ssn', 'salary', 'bank_iban'],
  'demo-project.analytics.page_views': ['view_id', 'host', 'path', 'version', 'viewed_at', 'count'],
};

export interface FakeCatalog extends Catalog {
  /** How many getTable calls were made. */
  readonly lookups: () => number;
  setVersion(version: string): void;
  /** Make getTable throw, as a warehouse outage would. */
  setFailing(failing: boolean): void;
}

export function createFakeCatalog(extraTables: Record<string, readonly string[]> = {}): FakeCatalog {
  const tables = { ...demoTables, ...extraTables };
  let version = 'v1';
  let lookups = 0;
  let failing = false;
  return {
    async getTable(ref: TableRef): Promise<TableSchema | undefined> {
      lookups++;
      if (failing) throw new Error('catalog unavailable');
      const columns = tables[`${ref.project}.${ref.dataset}.${ref.table}`];
      return columns ? { table: ref, columns: columns.map((name) => ({ name, type: 'STRING' })) } : undefined;
    },
    async listDatasets() {
      return [...new Set(Object.keys(tables).map((name) => name.split('.')[1] as string))];
    },
    async listTables(dataset: string) {
      return Object.keys(tables)
        .map((name) => name.split('.'))
        .filter((parts) => parts[1] === dataset)
        .map(([project, dataset, table]) => ({ project: project as string, dataset: dataset as string, table: table as string }));
    },
    version: () => version,
    lookups: () => lookups,
    setVersion(next: string) {
      version = next;
    },
    setFailing(next: boolean) {
      failing = next;
    },
  };
}
