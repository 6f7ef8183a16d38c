// Sign-in with the authorization code flow and PKCE (S256). The access token stays in
// sessionStorage: it lives as long as the tab, and is never written to cookies or localStorage.
const TOKEN_KEY = 'ledgergate.console.token';
const PENDING_KEY = 'ledgergate.console.pending';

export async function loadSignInConfig() {
  const response = await fetch('/console/config.json', { headers: { Accept: 'application/json' } });
  const json = await response.json().catch(() => ({}));
  if (!response.ok || !json.signIn) throw new Error(json.problem ?? `The console's sign-in settings could not be loaded (HTTP ${response.status}).`);
  return json.signIn;
}

function base64url(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(byteCount) {
  const bytes = new Uint8Array(byteCount);
  crypto.getRandomValues(bytes);
  return base64url(bytes);
}

async function challengeOf(verifier) {
  if (!globalThis.crypto?.subtle) throw new Error('Signing in needs a secure page (HTTPS, or http://localhost).');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** Remembers the verifier and state for this tab, then goes to the issuer's authorization endpoint. */
export async function startSignIn(config, returnTo) {
  const verifier = randomString(32);
  const state = randomString(16);
  const redirectUri = new URL(config.redirectPath, location.origin).toString();
  const challenge = await challengeOf(verifier);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, redirectUri, returnTo }));
  const url = new URL(config.authorizationEndpoint, location.origin);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri,
    scope: config.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

/** On the callback page: checks state, trades the code for an access token, returns where to go next. */
export async function completeSignIn(config, params) {
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null');
  sessionStorage.removeItem(PENDING_KEY);
  if (params.get('error')) throw new Error(`The identity provider refused the sign-in: ${params.get('error_description') ?? params.get('error')}`);
  if (!pending || !params.get('state') || params.get('state') !== pending.state) {
    throw new Error('This sign-in answer does not belong to a sign-in started in this tab. Please sign in again.');
  }
  const response = await fetch(config.tokenEndpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code') ?? '',
      redirect_uri: pending.redirectUri,
      code_verifier: pending.verifier,
      client_id: config.clientId,
    }),
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok || typeof json.access_token !== 'string') {
    throw new Error(`Sign-in failed: ${json.error_description ?? json.error ?? `HTTP ${response.status}`}`);
  }
  const lifetime = typeof json.expires_in === 'number' ? json.expires_in : 3600;
  sessionStorage.setItem(TOKEN_KEY, JSON.stringify({ accessToken: json.access_token, expiresAt: Date.now() + lifetime * 1000 }));
  return typeof pending.returnTo === 'string' && pending.returnTo.startsWith('#/') ? pending.returnTo : '';
}

export function currentToken() {
  try {
    const stored = JSON.parse(sessionStorage.getItem(TOKEN_KEY) ?? 'null');
    if (stored && typeof stored.accessToken === 'string' && stored.expiresAt > Date.now() + 5000) return stored.accessToken;
  } catch {
    // unreadable: treated as signed out
  }
  sessionStorage.removeItem(TOKEN_KEY);
  return null;
}

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
}
