/** Small HTTP helpers for the fake: JSON bodies, replies, cancellable sleeps, injected faults. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { envelope } from './envelope.js';

export interface Fault {
  /** Tested against the path without the optional /bigquery/v2 prefix, e.g. /projects/p/queries/j1. */
  readonly path: RegExp;
  readonly method?: string;
  /** Answer with this status (Google's envelope unless `body` is given); omit to only delay. */
  readonly status?: number;
  readonly reason?: string;
  readonly message?: string;
  readonly body?: unknown;
  /** Wait this long before answering (or before handling normally when no status). */
  readonly delayMs?: number;
  /** Handle the request in full, then answer 503 instead (the real answer lost on the way back). */
  readonly dropAnswer?: boolean;
  /** How many matching requests this fault applies to (default 1; Infinity for all). */
  readonly times?: number;
}

export interface LoggedRequest {
  readonly method: string;
  /** The raw request URL, query string included. */
  readonly url: string;
  /** Pathname without the optional /bigquery/v2 prefix. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly authorization?: string;
}

export const readJson = async (req: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length === 0 ? undefined : (JSON.parse(text) as unknown);
};

export const reply = (res: ServerResponse, status: number, body: unknown): void => {
  if (res.destroyed || res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

export const replyError = (res: ServerResponse, status: number, message: string, reason?: string, location?: string): void =>
  reply(res, status, envelope(status, message, reason, location));

/** Sleeps that close() can cut short, so a closed fake never keeps the process alive. */
export class Sleeper {
  private readonly pending = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  closed = false;

  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        resolve,
        timer: setTimeout(() => {
          this.pending.delete(entry);
          resolve();
        }, ms),
      };
      this.pending.add(entry);
    });
  }

  wakeAll(): void {
    this.closed = true;
    for (const entry of this.pending) {
      clearTimeout(entry.timer);
      entry.resolve();
    }
    this.pending.clear();
  }
}

export class FaultList {
  private readonly faults: { fault: Fault; remaining: number }[] = [];

  add(fault: Fault): void {
    this.faults.push({ fault, remaining: fault.times ?? 1 });
  }

  clear(): void {
    this.faults.length = 0;
  }

  /** The first live fault matching this request, consumed once. */
  take(method: string, path: string): Fault | undefined {
    const entry = this.faults.find(
      ({ fault, remaining }) =>
        remaining > 0 && fault.path.test(path) && (fault.method === undefined || fault.method.toUpperCase() === method),
    );
    if (!entry) return undefined;
    entry.remaining -= 1;
    return entry.fault;
  }
}
