/**
 * What the browser needs to start an authorization-code + PKCE sign-in: the issuer's authorization
 * endpoint, where to exchange the code, the client id and scopes. For the built-in development issuer
 * both endpoints are the gateway's own; for a real issuer they come from its discovery document, and
 * the code exchange goes through the gateway's relay (the console's CSP only lets it talk to 'self').
 */
import { discoveryUrlOf } from '../identity/oidc-discovery.js';

export interface ConsoleSignInConfig {
  readonly mode: 'development' | 'oidc';
  /** Absolute URL, or a path on this gateway. */
  readonly authorizationEndpoint: string;
  /** Where the browser posts the code: always a path on this gateway. */
  readonly tokenEndpoint: string;
  readonly clientId: string;
  readonly scope: string;
  readonly redirectPath: string;
}

export type ConsoleSignInState = { readonly ok: true; readonly config: ConsoleSignInConfig } | { readonly ok: false; readonly problem: string };

export interface ConsoleSignIn {
  /** What the browser is told (never a secret). */
  browserConfig(): Promise<ConsoleSignInState>;
  /** The issuer's real token endpoint, for the relay; undefined for the development issuer. */
  upstreamTokenEndpoint(): Promise<string | undefined>;
  readonly clientId: string | undefined;
}

export const consoleRedirectPath = '/console/callback';
export const devConsoleClientId = 'ledgergate-console';

export function devConsoleSignIn(options: { clientId?: string; scope: string }): ConsoleSignIn {
  const clientId = options.clientId ?? devConsoleClientId;
  const config: ConsoleSignInConfig = {
    mode: 'development',
    authorizationEndpoint: '/dev-issuer/authorize',
    tokenEndpoint: '/dev-issuer/token',
    clientId,
    scope: options.scope,
    redirectPath: consoleRedirectPath,
  };
  return { browserConfig: async () => ({ ok: true, config }), upstreamTokenEndpoint: async () => undefined, clientId };
}

export function oidcConsoleSignIn(options: {
  issuer: string;
  clientId?: string;
  scope: string;
  fetchJson?: (url: URL) => Promise<unknown>;
  timeoutMs?: number;
}): ConsoleSignIn {
  const fetchJson =
    options.fetchJson ??
    (async (url: URL) => {
      const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs ?? 5000), headers: { accept: 'application/json' } });
      if (response.status !== 200) throw new Error(`discovery answered HTTP ${response.status}`);
      return response.json() as Promise<unknown>;
    });
  // Only a successful discovery is remembered; a failure is retried on the next page load.
  let endpoints: Promise<{ authorization: string; token: string }> | undefined;
  const discover = () => {
    endpoints ??= (async () => {
      const document = (await fetchJson(discoveryUrlOf(options.issuer))) as Record<string, unknown> | null;
      const authorization = document?.authorization_endpoint;
      const token = document?.token_endpoint;
      if (document?.issuer !== options.issuer) throw new Error('the discovery document names another issuer');
      // Plain HTTP endpoints only for a plain-HTTP issuer (local development), never as a downgrade.
      const schemes = new URL(options.issuer).protocol === 'http:' ? ['https:', 'http:'] : ['https:'];
      if (!isUrlWith(authorization, schemes) || !isUrlWith(token, schemes)) throw new Error('the discovery document lacks usable authorization_endpoint or token_endpoint');
      return { authorization, token };
    })().catch((error: unknown) => {
      endpoints = undefined;
      throw error;
    });
    return endpoints;
  };
  return {
    clientId: options.clientId,
    async browserConfig() {
      if (!options.clientId) return { ok: false, problem: 'Console sign-in is not configured: set LEDGERGATE_CONSOLE_CLIENT_ID to a public client registered with the identity provider.' };
      try {
        const found = await discover();
        return {
          ok: true,
          config: { mode: 'oidc', authorizationEndpoint: found.authorization, tokenEndpoint: '/console/token', clientId: options.clientId, scope: options.scope, redirectPath: consoleRedirectPath },
        };
      } catch (error) {
        return { ok: false, problem: `The identity provider's discovery document could not be used: ${(error as Error).message}` };
      }
    },
    async upstreamTokenEndpoint() {
      return options.clientId ? (await discover()).token : undefined;
    },
  };
}

function isUrlWith(value: unknown, schemes: readonly string[]): value is string {
  if (typeof value !== 'string') return false;
  try {
    return schemes.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
