/**
 * OpenID Connect discovery (OpenID Connect Discovery 1.0 §4): fetch the issuer's configuration and
 * take the JWKS location from it. Only what verification needs is read.
 */
import { isLedgergateError } from '../../domain/errors.js';
import { authFailure } from './verify-access-token.js';

export interface DiscoveredIssuer {
  readonly issuer: string;
  readonly jwksUri: URL;
}

export function discoveryUrlOf(issuer: string): URL {
  // §4.1: remove a trailing slash from the issuer, then append the well-known path.
  return new URL(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`);
}

export async function discoverIssuer(issuer: string, timeoutMs: number): Promise<DiscoveredIssuer> {
  const url = discoveryUrlOf(issuer);
  let document: unknown;
  try {
    const response = await fetch(url, {
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json' },
    });
    if (response.status !== 200) throw unavailable(`discovery answered HTTP ${response.status}`);
    document = await response.json();
  } catch (error) {
    if (isLedgergateError(error)) throw error;
    throw unavailable('discovery request failed');
  }
  return readDiscoveryDocument(issuer, document);
}

/** Validates a discovery document against the configured issuer; exported for tests of the rules. */
export function readDiscoveryDocument(issuer: string, document: unknown): DiscoveredIssuer {
  if (typeof document !== 'object' || document === null) throw unavailable('discovery document is not an object');
  const { issuer: discovered, jwks_uri: jwksUri } = document as Record<string, unknown>;
  // §4.3: the issuer in the document must be exactly the one configured, or tokens could be
  // accepted on the word of a different provider.
  if (discovered !== issuer) throw unavailable('discovered issuer differs from the configured issuer');
  if (typeof jwksUri !== 'string') throw unavailable('discovery document has no jwks_uri');
  let url: URL;
  try {
    url = new URL(jwksUri);
  } catch {
    throw unavailable('discovery document has an invalid jwks_uri');
  }
  // Keys fetched over plain HTTP can be swapped in transit; allow it only when the operator chose a
  // plain-HTTP issuer (local development), never as a downgrade from an HTTPS issuer.
  const issuerProtocol = new URL(issuer).protocol;
  const allowed = issuerProtocol === 'http:' ? ['https:', 'http:'] : ['https:'];
  if (!allowed.includes(url.protocol)) throw unavailable(`jwks_uri scheme ${url.protocol} is not allowed`);
  return { issuer, jwksUri: url };
}

function unavailable(detail: string) {
  return authFailure('issuer_unavailable', 'The token issuer could not be reached to verify the access token', {
    detail,
  });
}

