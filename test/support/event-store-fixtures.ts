/** Valid events and small helpers shared by the event store contract and adapter tests. */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Observable, Subscription } from 'rxjs';
import type { EventMetadata } from '../../src/domain/events/metadata.js';
import type { NewEvent, RecordedEvent } from '../../src/domain/ports.js';

export function metadataFor(correlationId = 'c1', extra: Partial<EventMetadata> = {}): EventMetadata {
  return { correlationId, occurredAt: new Date().toISOString(), schemaVersion: 1, ...extra };
}

/** A valid AuthenticationFailed event; `suppressed` makes events tell apart. */
export function authFailed(suppressed = 0, metadata: EventMetadata = metadataFor()): NewEvent {
  return { type: 'AuthenticationFailed', data: { reason: 'missing', path: '/v1/queries', suppressed }, metadata };
}

export function authFailures(count: number, firstSuppressed = 0): NewEvent[] {
  return Array.from({ length: count }, (_, i) => authFailed(firstSuppressed + i));
}

/** Stream names unique per run, so suites also work against a long-lived shared server. */
export const uniqueStream = (label: string) => `test-${label}-${randomUUID()}`;

export const suppressedOf = (event: RecordedEvent) => (event.data as { suppressed: number }).suppressed;

export async function makeTempDir(label: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `ledgergate-${label}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Subscribes and resolves once `until` holds for the events received so far (rejects on timeout or error). */
export function collectUntil<T>(
  source: Observable<T>,
  until: (received: readonly T[]) => boolean,
  timeoutMs = 5000,
): { done: Promise<T[]>; received: T[]; subscription: Subscription } {
  const received: T[] = [];
  let subscription!: Subscription;
  const done = new Promise<T[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.unsubscribe();
      reject(new Error(`timed out after ${timeoutMs} ms with ${received.length} items`));
    }, timeoutMs);
    subscription = source.subscribe({
      next(item) {
        received.push(item);
        if (until(received)) {
          clearTimeout(timer);
          resolve([...received]);
        }
      },
      error(error: unknown) {
        clearTimeout(timer);
        reject(error);
      },
    });
  });
  return { done, received, subscription };
}
