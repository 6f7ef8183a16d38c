/** The console's routers, built from the configuration (one call from the composition root). */
import type { Router } from 'express';
import type { Logger } from '../../app/logger.js';
import type { Config } from '../../config.js';
import type { Policy } from '../../domain/policy/types.js';
import { devAuthorizeRoutes } from '../identity/dev-authorize.js';
import type { DevIssuer } from '../identity/dev-issuer.js';
import { consoleApiRoutes } from './console-api-routes.js';
import { consoleRoutes } from './console-routes.js';
import { devConsoleSignIn, oidcConsoleSignIn } from './sign-in-settings.js';

/** Public routers: the page, its files and sign-in settings; with the dev issuer, its authorize/token endpoints. */
export function consolePublicRoutes(deps: { config: Config; devIssuer?: DevIssuer; clock: () => Date; logger: Logger }): Router[] {
  const { config, devIssuer } = deps;
  const scope = config.console.scope;
  const signIn =
    !devIssuer && config.oidc.issuer
      ? oidcConsoleSignIn({ issuer: config.oidc.issuer, scope, ...(config.console.clientId ? { clientId: config.console.clientId } : {}) })
      : devConsoleSignIn({ scope, ...(config.console.clientId ? { clientId: config.console.clientId } : {}) });
  const routers = [consoleRoutes({ signIn, logger: deps.logger })];
  if (devIssuer) routers.push(devAuthorizeRoutes({ devIssuer, audience: config.oidc.audience, groupsClaim: config.oidc.groupsClaim, clock: deps.clock }));
  return routers;
}

/** Authenticated console-only JSON under /v1/console. */
export function consoleApiRouter(deps: { policy: () => Policy; approverGroups: () => readonly string[]; auditGroups: () => readonly string[] }): Router {
  return consoleApiRoutes(deps);
}
