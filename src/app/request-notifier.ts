/**
 * Wakes long-polling callers when a request's stream changes — from this process's own appends or
 * from events another replica wrote (fed by the projection runner).
 */
export interface RequestNotifier {
  notify(requestId: string): void;
  /** Resolves true when notified, false on timeout or abort. */
  waitForChange(requestId: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
}

export function createRequestNotifier(): RequestNotifier {
  const waiters = new Map<string, Set<() => void>>();
  return {
    notify(requestId) {
      const set = waiters.get(requestId);
      if (!set) return;
      waiters.delete(requestId);
      for (const wake of set) wake();
    },
    waitForChange(requestId, timeoutMs, signal) {
      return new Promise((resolve) => {
        if (timeoutMs <= 0 || signal?.aborted) return resolve(false);
        let set = waiters.get(requestId);
        if (!set) waiters.set(requestId, (set = new Set()));
        const finish = (changed: boolean) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          const current = waiters.get(requestId);
          current?.delete(wake);
          if (current?.size === 0) waiters.delete(requestId);
          resolve(changed);
        };
        const wake = () => finish(true);
        const onAbort = () => finish(false);
        const timer = setTimeout(() => finish(false), timeoutMs);
        signal?.addEventListener('abort', onAbort, { once: true });
        set.add(wake);
      });
    },
  };
}
