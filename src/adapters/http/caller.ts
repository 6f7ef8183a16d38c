/** Who is calling and from where, as the application layer needs it. */
import type { Request, Response } from 'express';
import { LedgergateError } from '../../domain/errors.js';
import type { CallerContext } from '../../app/query-service.js';
import { principalOf } from './authenticate.js';

export function callerOf(req: Request, res: Response): CallerContext {
  const sessionHeader = req.headers['x-session-id'];
  const sessionId = typeof sessionHeader === 'string' && sessionHeader.trim() ? sessionHeader.trim().slice(0, 200) : undefined;
  const userAgent = req.headers['user-agent'];
  return {
    principal: principalOf(res),
    ...(res.locals.clientIp ? { clientIp: res.locals.clientIp as string } : {}),
    ...(userAgent ? { userAgent: userAgent.slice(0, 1000) } : {}),
    ...(sessionId ? { sessionId } : {}),
    ...(res.locals.traceId ? { requestTraceId: res.locals.traceId as string } : {}),
  };
}

/** `?wait=N` as seconds, bounded; anything unreadable is a clear 400, not a silent zero. */
export function waitSecondsOf(value: unknown, max: number): number {
  if (value === undefined) return 0;
  const seconds = Number(value);
  if (typeof value !== 'string' || !Number.isFinite(seconds) || seconds < 0) {
    throw new LedgergateError('invalid_request', 'wait must be a non-negative number of seconds');
  }
  return Math.min(seconds, max);
}
