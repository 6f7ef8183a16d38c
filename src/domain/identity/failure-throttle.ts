/**
 * Flood control for authentication-failure records. A client hammering the gateway with bad tokens
 * must not turn into an equally large flood of log lines or events: per key (e.g. client IP + reason)
 * the first `maxPerWindow` failures of each window are recorded, the rest are only counted and that
 * count rides along with the next recorded failure. Pure: the caller passes the time in.
 *
 * Memory stays bounded: keys whose window has passed are evicted (oldest first, amortised O(1)), and
 * once `maxKeys` live keys exist, new keys share one overflow key, so a spray of spoofed sources
 * costs a constant amount of memory and still produces records.
 */
import { LedgergateError } from '../errors.js';

export interface FailureThrottleOptions {
  readonly windowMs: number;
  readonly maxPerWindow: number;
  /** Live keys kept apart before new keys fold into the shared overflow key. Default 10 000. */
  readonly maxKeys?: number;
}

export type Admission =
  | { readonly record: true; readonly suppressed: number; readonly overflow?: true }
  | { readonly record: false };

/** Failures that were suppressed for a key which then went quiet; nothing else would report them. */
export interface SuppressedReport {
  readonly key: string;
  readonly suppressed: number;
}

export interface FailureThrottle {
  admit(key: string, nowMs: number): Admission;
  /** Evicts expired keys and hands back (once) every suppressed count that no record has carried yet. */
  sweep(nowMs: number): SuppressedReport[];
  /** Live keys currently tracked, the overflow key excluded. */
  size(): number;
}

/** The key that failures of new sources share while the table is full. */
export const OVERFLOW_KEY = '*overflow*';

const DEFAULT_MAX_KEYS = 10_000;

interface WindowState {
  windowStart: number;
  count: number;
  suppressed: number;
}

export function createFailureThrottle(options: FailureThrottleOptions): FailureThrottle {
  const { windowMs, maxPerWindow } = options;
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  assertPositiveInteger('windowMs', windowMs);
  assertPositiveInteger('maxPerWindow', maxPerWindow);
  assertPositiveInteger('maxKeys', maxKeys);

  const windows = new Map<string, WindowState>();
  // Window starts in time order, so expired keys are found at the front without scanning the map.
  // (Iterating a Map from its start after many deletions walks over the holes they leave: quadratic.)
  let starts: Array<{ key: string; windowStart: number }> = [];
  let head = 0;
  const overflow: WindowState = { windowStart: Number.NEGATIVE_INFINITY, count: 0, suppressed: 0 };
  // Suppressed counts of evicted keys, waiting for sweep(); bounded like the live table.
  const unreported = new Map<string, number>();

  const expired = (state: { windowStart: number }, nowMs: number) => nowMs - state.windowStart >= windowMs;

  function keepUnreported(key: string, suppressed: number): void {
    if (suppressed === 0) return;
    const target = unreported.has(key) || unreported.size < maxKeys ? key : OVERFLOW_KEY;
    unreported.set(target, (unreported.get(target) ?? 0) + suppressed);
  }

  function startWindow(key: string, state: WindowState, nowMs: number): void {
    state.windowStart = nowMs;
    state.count = 0;
    starts.push({ key, windowStart: nowMs });
  }

  function evictExpired(nowMs: number): void {
    while (head < starts.length && expired(starts[head], nowMs)) {
      const { key, windowStart } = starts[head];
      head += 1;
      const state = windows.get(key);
      // A later window of the same key has its own, younger entry further back.
      if (state !== undefined && state.windowStart === windowStart) {
        windows.delete(key);
        keepUnreported(key, state.suppressed);
      }
    }
    if (head > 1024 && head * 2 > starts.length) {
      starts = starts.slice(head);
      head = 0;
    }
  }

  function stateFor(key: string, nowMs: number): { state: WindowState; overflowed: boolean } {
    const existing = windows.get(key);
    if (existing !== undefined) {
      if (expired(existing, nowMs)) startWindow(key, existing, nowMs);
      return { state: existing, overflowed: false };
    }
    evictExpired(nowMs);
    if (windows.size >= maxKeys) {
      if (expired(overflow, nowMs)) {
        overflow.windowStart = nowMs;
        overflow.count = 0;
      }
      return { state: overflow, overflowed: true };
    }
    const created: WindowState = { windowStart: nowMs, count: 0, suppressed: 0 };
    windows.set(key, created);
    starts.push({ key, windowStart: nowMs });
    return { state: created, overflowed: false };
  }

  return {
    admit(key, nowMs) {
      const { state, overflowed } = stateFor(key, nowMs);
      evictExpired(nowMs);
      if (state.count >= maxPerWindow) {
        state.suppressed += 1;
        return { record: false };
      }
      state.count += 1;
      const suppressed = state.suppressed;
      state.suppressed = 0;
      return overflowed ? { record: true, suppressed, overflow: true } : { record: true, suppressed };
    },

    sweep(nowMs) {
      evictExpired(nowMs);
      if (expired(overflow, nowMs)) {
        keepUnreported(OVERFLOW_KEY, overflow.suppressed);
        overflow.suppressed = 0;
      }
      const reports = [...unreported].map(([key, suppressed]) => ({ key, suppressed }));
      unreported.clear();
      return reports;
    },

    size: () => windows.size,
  };
}

function assertPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new LedgergateError('invalid_config', `Failure throttle option ${name} must be a positive integer`, {
      option: name,
    });
  }
}
