/** Offset paging for list answers: `maxResults` bounds a page, `pageToken` is the next offset as text. */
import { BigQueryApiError } from './errors.js';

export function nonNegativeInteger(value: unknown, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const number = Number(value);
  if (typeof value !== 'string' && typeof value !== 'number') throw new BigQueryApiError(400, 'invalid', `${name} must be a non-negative integer`);
  if (!Number.isSafeInteger(number) || number < 0) throw new BigQueryApiError(400, 'invalid', `${name} must be a non-negative integer`);
  return number;
}

export function pageOf<T>(items: readonly T[], query: Record<string, unknown>, defaultSize = 1000): { items: T[]; nextPageToken?: string } {
  const size = Math.max(1, nonNegativeInteger(query.maxResults, 'maxResults') ?? defaultSize);
  const start = nonNegativeInteger(query.pageToken, 'pageToken') ?? 0;
  const page = items.slice(start, start + size);
  return { items: page, ...(start + size < items.length ? { nextPageToken: String(start + size) } : {}) };
}
