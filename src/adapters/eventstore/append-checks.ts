/** Checks every event store adapter makes before an append reaches storage, so all reject alike. */
import { LedgergateError } from '../../domain/errors.js';
import type { ExpectedRevision, NewEvent } from '../../domain/ports.js';

export const maxStreamNameLength = 200;

export function checkAppendable(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): void {
  checkExpectedRevision(expected);
  // `$` prefixes are EventStoreDB's system streams; refusing them everywhere keeps the stores alike.
  if (typeof stream !== 'string' || stream.length === 0 || stream.length > maxStreamNameLength || stream.startsWith('$')) {
    throw new LedgergateError('invalid_event', `Stream name must be 1-${maxStreamNameLength} characters, not starting with $`, {
      stream: typeof stream === 'string' ? stream.slice(0, maxStreamNameLength) : undefined,
    });
  }
  if (events.length === 0) {
    throw new LedgergateError('invalid_event', `An append to ${stream} must carry at least one event`, { stream });
  }
}

export function checkExpectedRevision(expected: ExpectedRevision): void {
  if (expected === 'any' || expected === 'no_stream') return;
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new LedgergateError('internal', `Expected revision must be 'any', 'no_stream' or an integer >= 0`, {
      expected: String(expected),
    });
  }
}

export const describeExpected = (expected: ExpectedRevision): string => String(expected);
