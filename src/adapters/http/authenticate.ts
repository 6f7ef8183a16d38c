/** Bearer-token authentication for every API call; failures answer 401 and are recorded. */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isLedgergateError, LedgergateError } from '../../domain/errors.js';
import type { Principal } from '../../domain/identity/principal.js';
import type { Authenticator, Logger } from '../../domain/ports.js';
import type { AuthFailureRecorder } from '../../app/auth-failure-recorder.js';
import { sendProblem } from './problem.js';

export const principalOf = (res: Response): Principal => {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new Error('route used without authentication');
  return principal;
};

/** How a 401 is written: problem+json by default; an API with its own error shape (BigQuery's) passes its own. */
export type UnauthenticatedResponder = (req: Request, res: Response, reason: string, message: string) => void;

export function authenticate(deps: { authenticator: Authenticator; failures: AuthFailureRecorder; logger: Logger; respond?: UnauthenticatedResponder }): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
    const token = match?.[1] ?? '';
    const attempt = token ? deps.authenticator.authenticate(token) : Promise.reject(missingToken(header));
    attempt.then(
      (principal) => {
        res.locals.principal = principal;
        next();
      },
      (error: unknown) => {
        const reason = isLedgergateError(error) ? String(error.details.reason ?? 'invalid') : 'invalid';
        if (!isLedgergateError(error)) deps.logger.warn('authenticator error', { error: String(error) });
        const record = deps.failures.record({
          reason,
          path: req.originalUrl.split('?')[0] ?? '',
          ...(res.locals.clientIp ? { clientIp: res.locals.clientIp as string } : {}),
          ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
          ...(token ? { token } : {}),
          ...(typeof req.headers['x-session-id'] === 'string' ? { sessionId: req.headers['x-session-id'] } : {}),
        });
        // A failure that cannot be recorded must not be waved through silently: the store error wins.
        record.then(
          () => {
            res.setHeader('WWW-Authenticate', `Bearer error="invalid_token"`);
            if (deps.respond) deps.respond(req, res, reason, messageFor(reason));
            else sendProblem(res, 401, 'unauthenticated', messageFor(reason), { reason });
          },
          (recordError: unknown) => next(recordError),
        );
      },
    );
  };
}

const missingToken = (header: string) =>
  new LedgergateError('unauthenticated', 'No bearer token', { reason: header ? 'malformed' : 'missing' });

function messageFor(reason: string): string {
  switch (reason) {
    case 'missing':
      return 'Send an OIDC access token: Authorization: Bearer <token>';
    case 'expired':
      return 'The token has expired';
    case 'not_yet_valid':
      return 'The token is not valid yet';
    case 'wrong_issuer':
      return 'The token was issued by an issuer this gateway does not trust';
    case 'wrong_audience':
      return 'The token is not meant for this gateway (audience)';
    case 'oversized':
      return 'The token is too large';
    case 'alg_not_allowed':
      return 'The token is signed with an algorithm this gateway does not accept';
    case 'issuer_unavailable':
      return 'The identity provider could not be reached to verify the token';
    default:
      return 'The token is not valid';
  }
}
