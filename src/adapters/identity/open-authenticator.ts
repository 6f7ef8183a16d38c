/** Chooses the authenticator: the configured OIDC provider, else the built-in dev issuer (LEDGERGATE_OIDC_ISSUER unset). */
import type { Authenticator } from '../../domain/ports.js';
import { openDevIssuer, type DevIssuer } from './dev-issuer.js';
import { createOidcAuthenticator } from './oidc-authenticator.js';

export interface OidcSettings {
  readonly issuer?: string;
  readonly audience: string;
  readonly groupsClaim: string;
}

export function openAuthenticator(options: { oidc: OidcSettings; dataDir: string; clock: () => Date }): { authenticator: Authenticator; devIssuer?: DevIssuer } {
  const { issuer, audience, groupsClaim } = options.oidc;
  if (issuer) return { authenticator: createOidcAuthenticator({ issuer, audience, groupsClaim }) };
  const devIssuer = openDevIssuer({ dataDir: options.dataDir, clock: options.clock });
  return { authenticator: devIssuer.authenticator({ audience, groupsClaim }), devIssuer };
}
