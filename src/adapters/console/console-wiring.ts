/** The console's public routers, built from the sign-in settings (one call from the route list). */
import type { Router } from 'express';
import { devAuthorizeRoutes } from '../identity/dev-authorize.js';
import type { DevIssuer } from '../identity/dev-issuer.js';
import { consoleRoutes } from './console-routes.js';
import { devConsoleSignIn, oidcConsoleSignIn } from './sign-in-settings.js';
import type { Logger } from '../../domain/ports.js';

/** The settings the console's sign-in needs: the OIDC provider agents use, and the console's own client. */
export interface ConsoleSettings {
  readonly oidc: { readonly issuer?: string; readonly audience: string; readonly groupsClaim: string };
  readonly console: { readonly clientId?: string; readonly scope: string };
}

/** Public routers: the page, its files and sign-in settings; with the dev issuer, its authorize/token endpoints. */
export function consolePublicRoutes(deps: { settings: ConsoleSettings; devIssuer?: DevIssuer; clock: () => Date; logger: Logger }): Router[] {
  const { settings, devIssuer } = deps;
  const scope = settings.console.scope;
  const signIn =
    !devIssuer && settings.oidc.issuer
      ? oidcConsoleSignIn({ issuer: settings.oidc.issuer, scope, ...(settings.console.clientId ? { clientId: settings.console.clientId } : {}) })
      : devConsoleSignIn({ scope, ...(settings.console.clientId ? { clientId: settings.console.clientId } : {}) });
  const routers = [consoleRoutes({ signIn, logger: deps.logger })];
  if (devIssuer) routers.push(devAuthorizeRoutes({ devIssuer, audience: settings.oidc.audience, groupsClaim: settings.oidc.groupsClaim, clock: deps.clock }));
  return routers;
}
