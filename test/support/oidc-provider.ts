/**
 * A small local OpenID provider for tests: a node:http server on 127.0.0.1 serving discovery and a
 * JWKS, minting tokens with its own keys, able to rotate keys and to misbehave on demand.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export interface ProviderKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: JWK;
}

export interface DiscoveryBehaviour {
  /** When false, discovery answers 503. */
  available: boolean;
  /** Replaces the `issuer` member of the discovery document. */
  issuerOverride?: string;
  /** Replaces the `jwks_uri` member of the discovery document. */
  jwksUriOverride?: string;
}

export interface LocalOidcProvider {
  /** `http://127.0.0.1:<port>/realms/test` — with a path, like Keycloak. */
  readonly issuer: string;
  readonly algorithm: string;
  readonly requests: { discovery: number; jwks: number };
  readonly discovery: DiscoveryBehaviour;
  currentKey(): ProviderKey;
  /** Signs the claims as given (no defaults added) with the current key; header members override. */
  sign(claims: JWTPayload, header?: Record<string, unknown>): Promise<string>;
  /** A fresh current key; the previous one stays published unless dropPrevious. */
  rotate(options?: { dropPrevious?: boolean }): Promise<ProviderKey>;
  publicKeyPem(): Promise<string>;
  close(): Promise<void>;
}

export async function newProviderKey(algorithm: string): Promise<ProviderKey> {
  const { privateKey, publicKey } = await generateKeyPair(algorithm, { extractable: true });
  const kid = `key-${randomUUID()}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: algorithm, use: 'sig' };
  return { kid, privateKey, publicKey, publicJwk };
}

export async function startOidcProvider(options: { algorithm?: string } = {}): Promise<LocalOidcProvider> {
  const algorithm = options.algorithm ?? 'RS256';
  let keys: ProviderKey[] = [await newProviderKey(algorithm)];
  const requests = { discovery: 0, jwks: 0 };
  const discovery: DiscoveryBehaviour = { available: true };
  let issuer = '';

  const server: Server = createServer((request, response) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.url === '/realms/test/.well-known/openid-configuration') {
      requests.discovery += 1;
      if (!discovery.available) return send(503, { error: 'unavailable' });
      return send(200, {
        issuer: discovery.issuerOverride ?? issuer,
        jwks_uri: discovery.jwksUriOverride ?? `${issuer}/protocol/openid-connect/certs`,
        id_token_signing_alg_values_supported: [algorithm],
      });
    }
    if (request.url === '/realms/test/protocol/openid-connect/certs') {
      requests.jwks += 1;
      return send(200, { keys: keys.map((key) => key.publicJwk) });
    }
    send(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/test`;

  const current = () => keys[keys.length - 1];
  return {
    issuer,
    algorithm,
    requests,
    discovery,
    currentKey: current,
    sign: (claims, header = {}) =>
      new SignJWT(claims).setProtectedHeader({ alg: algorithm, kid: current().kid, typ: 'JWT', ...header }).sign(current().privateKey),
    async rotate({ dropPrevious = false } = {}) {
      const next = await newProviderKey(algorithm);
      keys = dropPrevious ? [next] : [...keys, next];
      return next;
    },
    publicKeyPem: () => exportSPKI(current().publicKey),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
