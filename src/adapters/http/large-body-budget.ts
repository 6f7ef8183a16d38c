/**
 * A per-caller budget of large request bodies, checked before a body is read.
 *
 * Why: a statement of a megabyte is refused by the analysis caps, but only after its body was read
 * and parsed, and the refusal is recorded with the whole text (hash chain, sealer, read models,
 * live feed all handle it). One caller sending such statements back to back kept the event loop
 * busy for everyone else (others' p99 over half a second, bench/README.md). Bodies up to
 * `largeBodyBytes` are never counted — ordinary statements are a few kilobytes — so only callers
 * sending large bodies spend the budget: `bytesPerMinute` of them, refilled continuously. A caller
 * may send a large body whenever it is not in debt; the body is charged in full (from its
 * `Content-Length`, before any byte is read), and a caller whose charges have gone past what it holds
 * is in debt until the refill has paid it back. What it holds when it has sent nothing for a while is
 * a sixteenth of the minute's budget (`burstFraction`: 256 KiB of the default 4 MiB), so its large
 * bodies are spread over the minute: a few at once, then one whenever the last one's cost has refilled.
 * A refused call is answered `429 rate_limited` (BigQuery's `rateLimitExceeded` on its API) with
 * `Retry-After` (when the debt is paid), before any byte of the body is read or parsed; like the other
 * rate limits it happens before the call is a query request, so nothing is recorded for it. A body
 * sent without a length (chunked) is let in the same way and charged once read (`chargeRead`).
 *
 * Why a sixteenth at once, not the whole minute's budget: with 4 MiB available at once, a caller's
 * first dozen large statements (four of 1 MB, or twelve of 88 KB) were read back to back in the first
 * quarter second, and another caller's requests waiting behind them took 95–123 ms (bench/README.md,
 * "Beside heavy statements, second pass"). Spread out, they are read one or two at a time, between
 * other calls, and the rate over a minute is still `bytesPerMinute`.
 *
 * The caller is told apart by a hash of its `Authorization` header (the token itself is never kept),
 * or by its address when it sends none: the check runs before authentication, so that an
 * unauthenticated flood cannot make the gateway parse large bodies either.
 */
import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { LedgergateError } from '../../domain/errors.js';

/** Bodies larger than this count against the budget. */
export const largeBodyBytes = 64 * 1024;
/** Callers remembered at most (least recently seen dropped first): bounded memory under many tokens. */
const maxCallers = 10_000;

/** The share of a minute's budget a caller holds when it has sent nothing for a while. */
export const burstFraction = 1 / 16;

export interface LargeBodyBudgetOptions {
  /** Bytes of large bodies a caller may send per minute (spread over it: burstFraction). */
  readonly bytesPerMinute: number;
  readonly now?: () => number;
}

interface Bucket {
  bytes: number;
  at: number;
}

export interface LargeBodyBudget {
  /** Before the body is read: refuses a caller over its budget. */
  readonly check: RequestHandler;
  /** After a body without a declared length was read (the body parser's `verify`): charges its size. */
  chargeRead(req: Request, res: Response, bytes: number): void;
}

export function largeBodyBudget(options: LargeBodyBudgetOptions): LargeBodyBudget {
  const now = options.now ?? Date.now;
  const perMinute = options.bytesPerMinute;
  const refillPerMs = perMinute / 60_000;
  // What a caller holds at most: its bucket refills no further.
  const capacity = Math.max(1, Math.floor(perMinute * burstFraction));
  const buckets = new Map<string, Bucket>();
  /** Calls whose body had no declared length: charged once read. */
  const unweighed = new WeakSet<Request>();

  const callerOf = (req: Request, res: Response): string => {
    const authorization = req.headers.authorization;
    if (authorization) return `token:${createHash('sha256').update(authorization).digest('base64url')}`;
    return `address:${String(res.locals.clientIp ?? req.ip ?? '')}`;
  };

  const bucketOf = (caller: string, at: number): Bucket => {
    const known = buckets.get(caller);
    if (known) {
      // Re-inserted so the map's order stays least recently seen first.
      buckets.delete(caller);
      known.bytes = Math.min(capacity, known.bytes + (at - known.at) * refillPerMs);
      known.at = at;
      buckets.set(caller, known);
      return known;
    }
    const fresh = { bytes: capacity, at };
    buckets.set(caller, fresh);
    if (buckets.size > maxCallers) buckets.delete(buckets.keys().next().value as string);
    return fresh;
  };

  /**
   * Passed on as an error, so each API answers in its own words (problem+json, or BigQuery's envelope
   * on its paths). The unread body is left to node, which discards it; the connection stays usable.
   */
  /** Refuses a caller in debt; Retry-After is when the refill has paid it back. */
  const refuse = (res: Response, next: NextFunction, bucket: Bucket): void => {
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.bytes) / refillPerMs / 1000));
    res.setHeader('Retry-After', String(retryAfterSeconds));
    next(
      new LedgergateError(
        'rate_limited',
        `Too many large request bodies: bodies over ${largeBodyBytes} bytes may add up to LEDGERGATE_LARGE_BODY_BUDGET (${perMinute} bytes) per minute per caller, spread over the minute; retry after ${retryAfterSeconds} s`,
        { setting: 'LEDGERGATE_LARGE_BODY_BUDGET' },
      ),
    );
  };

  const check: RequestHandler = (req, res, next) => {
    const length = req.headers['content-length'];
    if (length === undefined) {
      if (req.headers['transfer-encoding'] === undefined) return next();
      const bucket = bucketOf(callerOf(req, res), now());
      if (bucket.bytes <= 0) return refuse(res, next, bucket);
      unweighed.add(req);
      return next();
    }
    const declared = Number(length);
    if (!Number.isFinite(declared) || declared <= largeBodyBytes) return next();
    const bucket = bucketOf(callerOf(req, res), now());
    if (bucket.bytes <= 0) return refuse(res, next, bucket);
    // Charged in full: a body bigger than what is held leaves the caller in debt until it has refilled.
    // At most a minute's worth, so a length declared far past the body limit (refused 413 unread)
    // does not lock its caller out for hours.
    bucket.bytes -= Math.min(declared, perMinute);
    next();
  };

  return {
    check,
    chargeRead(req, res, bytes) {
      if (!unweighed.has(req) || bytes <= largeBodyBytes) return;
      // May go below zero: the caller is then refused until the debt is refilled.
      bucketOf(callerOf(req, res), now()).bytes -= bytes;
    },
  };
}
