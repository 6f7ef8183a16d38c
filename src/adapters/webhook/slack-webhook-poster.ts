/**
 * Posts approval notices to a Slack-compatible incoming webhook: a timeout per attempt, retries with
 * exponential backoff on network errors, 429 and 5xx, no retry on other answers. The URL is a secret
 * (it authorises posting), so no outcome or log line ever contains it.
 */
import { slackMessageOf } from './slack-message.js';
import type { ApprovalNotice, WebhookOutcome, WebhookPoster } from '../../domain/ports.js';

export interface SlackWebhookOptions {
  readonly url: string;
  readonly attempts?: number;
  readonly timeoutMs?: number;
  readonly backoffMs?: number;
}

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return error.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : 'aborted (gateway stopping)';
  }
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  return `network error${typeof code === 'string' ? `: ${code}` : ''}`;
}

export function createSlackWebhookPoster(options: SlackWebhookOptions): WebhookPoster {
  const attempts = options.attempts ?? 3;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const backoffMs = options.backoffMs ?? 500;

  return {
    async post(notice: ApprovalNotice, stop: AbortSignal): Promise<WebhookOutcome> {
      const body = JSON.stringify(slackMessageOf(notice));
      let lastError = 'not attempted';
      for (let attempt = 1; attempt <= attempts; attempt++) {
        if (attempt > 1) await pause(backoffMs * 2 ** (attempt - 2), stop);
        if (stop.aborted) return { ok: false, error: `${lastError}; aborted (gateway stopping)`, attempts: attempt - 1 || 1 };
        try {
          const response = await fetch(options.url, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body,
            redirect: 'manual',
            signal: AbortSignal.any([stop, AbortSignal.timeout(timeoutMs)]),
          });
          await response.arrayBuffer().catch(() => undefined);
          if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status, attempts: attempt };
          lastError = `HTTP ${response.status}`;
          if (response.status !== 429 && response.status < 500) return { ok: false, error: lastError, attempts: attempt };
        } catch (error) {
          lastError = describeFailure(error, timeoutMs);
        }
      }
      return { ok: false, error: lastError, attempts };
    },
  };
}
