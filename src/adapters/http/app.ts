/** The Express application: security headers, tracing, authentication, routes, problem responses. */
import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import { largeBodyBudget } from './large-body-budget.js';
import { LedgergateError } from '../../domain/errors.js';
import type { Authenticator, Logger } from '../../domain/ports.js';
import type { AuthFailureRecorder } from '../../app/auth-failure-recorder.js';
import { authenticate, principalOf, type UnauthenticatedResponder } from './authenticate.js';
import { problemHandler, sendProblem } from './problem.js';

/** An API with its own paths and error shape (the BigQuery REST API), behind the same tokens and limits. */
export interface ForeignApi {
  /** Path prefixes whose every request needs a token. */
  readonly paths: readonly string[];
  /** Routes with full paths, all under `paths`. */
  readonly router: Router;
  readonly respondUnauthenticated: UnauthenticatedResponder;
  /** Errors under those paths (the body parser's included) in the API's own shape. */
  readonly errorHandler: ErrorRequestHandler;
}

export interface HttpAppOptions {
  readonly logger: Logger;
  readonly authenticator: Authenticator;
  readonly authFailures: AuthFailureRecorder;
  /** Routes that need no token (health, public keys, console assets, dev issuer). */
  readonly publicRoutes: readonly Router[];
  /** Routes behind bearer authentication (they must live under /v1 or /mcp). */
  readonly apiRoutes: readonly Router[];
  readonly foreignApis?: readonly ForeignApi[];
  /** Middleware that sees every request before rate limits and routes (metrics). */
  readonly beforeRoutes?: readonly RequestHandler[];
  readonly bodyLimitBytes: number;
  /** Bytes of bodies over 64 KiB one caller may send per minute (large-body-budget.ts). */
  readonly largeBodyBytesPerMinute: number;
  readonly trustProxy: boolean;
  readonly requestsPerMinutePerPrincipal: number;
  readonly requestsPerMinutePerAddress: number;
}

export function createHttpApp(options: HttpAppOptions): Express {
  const { logger } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy);
  app.set('etag', false);

  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          frameAncestors: ["'none'"],
          formAction: ["'self'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
        },
      },
      crossOriginResourcePolicy: { policy: 'same-origin' },
    }),
  );

  app.use((req, res, next) => {
    const traceId = randomUUID();
    res.locals.traceId = traceId;
    res.locals.clientIp = req.ip ?? req.socket.remoteAddress ?? '';
    res.setHeader('X-Request-Id', traceId);
    res.setHeader('Cache-Control', 'no-store');
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logger.info('http', {
        traceId,
        method: req.method,
        path: req.path,
        status: res.statusCode,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
        principal: (res.locals.principal as { subject?: string } | undefined)?.subject,
      });
    });
    next();
  });

  for (const handler of options.beforeRoutes ?? []) app.use(handler);

  // Passed on as an error, so each API answers in its own words (problem+json, or BigQuery's envelope).
  const limitHandler = (_req: express.Request, _res: express.Response, next: express.NextFunction) => {
    next(new LedgergateError('rate_limited', 'Too many requests; slow down and retry after the Retry-After interval'));
  };
  app.use(
    rateLimit({
      windowMs: 60_000,
      limit: options.requestsPerMinutePerAddress,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      keyGenerator: (req) => ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? ''),
      handler: limitHandler,
    }),
  );
  // Before the body is read: a caller past its budget of large bodies is refused without parsing one.
  const bodies = largeBodyBudget({ bytesPerMinute: options.largeBodyBytesPerMinute });
  app.use(bodies.check);
  app.use(
    express.json({
      limit: options.bodyLimitBytes,
      strict: true,
      type: ['application/json', 'application/*+json'],
      verify: (req, res, buffer) => bodies.chargeRead(req as express.Request, res as express.Response, buffer.length),
    }),
  );

  for (const router of options.publicRoutes) app.use(router);

  const requireToken = authenticate({ authenticator: options.authenticator, failures: options.authFailures, logger });
  const perPrincipal = rateLimit({
    windowMs: 60_000,
    limit: options.requestsPerMinutePerPrincipal,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (_req, res) => `principal:${principalOf(res).issuer}|${principalOf(res).subject}`,
    handler: limitHandler,
  });
  // Authentication runs once per call for everything under the API prefixes, before any route.
  app.use(['/v1', '/mcp'], requireToken, perPrincipal);
  for (const api of options.foreignApis ?? []) {
    const paths = [...api.paths];
    app.use(paths, authenticate({ authenticator: options.authenticator, failures: options.authFailures, logger, respond: api.respondUnauthenticated }), perPrincipal);
    app.use(api.router);
    app.use(paths, api.errorHandler);
  }
  for (const router of options.apiRoutes) app.use(router);

  app.use((req, res) => sendProblem(res, 404, 'not_found', `No route for ${req.method} ${req.path}`));
  app.use(problemHandler(logger));
  return app;
}
