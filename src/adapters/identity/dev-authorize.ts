/**
 * The development issuer's browser sign-in: OAuth 2.0 authorization code with PKCE (RFC 6749 §4.1,
 * RFC 7636, S256 only). `/dev-issuer/authorize` shows a form where a developer types who they want to
 * be — there is no password, so it is labelled development only — and redirects back with a one-time
 * code; `/dev-issuer/token` trades the code and its verifier for an access token from the dev issuer.
 *
 * Codes live in memory, per gateway instance: single use, short-lived, bound to the client, the
 * redirect URI and the PKCE challenge. Redirect URIs must point at this gateway's own console
 * callback, so the form can never be used to bounce a code to another site.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import type { DevIssuer } from './dev-issuer.js';

export const consoleCallbackPath = '/console/callback';
const codeChallengePattern = /^[A-Za-z0-9_-]{43}$/;
const verifierPattern = /^[A-Za-z0-9._~-]{43,128}$/;
const maxOutstandingCodes = 1000;

export interface AuthorizationGrant {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly subject: string;
  readonly email?: string;
  readonly groups: readonly string[];
}

export interface AuthorizationCodes {
  issue(grant: AuthorizationGrant): string;
  /** Removes the code whatever happens next: a code is tried once. Undefined when unknown or expired. */
  take(code: string): AuthorizationGrant | undefined;
  size(): number;
}

export function createAuthorizationCodes(options: { clock: () => Date; ttlSeconds: number }): AuthorizationCodes {
  const codes = new Map<string, { grant: AuthorizationGrant; expiresAt: number }>();
  const purgeExpired = (now: number) => {
    for (const [code, entry] of codes) if (entry.expiresAt <= now) codes.delete(code);
  };
  return {
    issue(grant) {
      const now = options.clock().getTime();
      purgeExpired(now);
      // Bounded: a flood of unfinished sign-ins evicts the oldest codes rather than growing memory.
      while (codes.size >= maxOutstandingCodes) codes.delete(codes.keys().next().value as string);
      const code = randomBytes(32).toString('base64url');
      codes.set(code, { grant, expiresAt: now + options.ttlSeconds * 1000 });
      return code;
    },
    take(code) {
      const entry = codes.get(code);
      codes.delete(code);
      if (!entry || entry.expiresAt <= options.clock().getTime()) return undefined;
      return entry.grant;
    },
    size: () => codes.size,
  };
}

export const s256 = (verifier: string): string => createHash('sha256').update(verifier, 'ascii').digest('base64url');

export interface DevAuthorizeOptions {
  readonly devIssuer: DevIssuer;
  readonly audience: string;
  readonly groupsClaim: string;
  readonly clock: () => Date;
  /** Default 60 s. */
  readonly codeTtlSeconds?: number;
  /** Default 3 600 s. */
  readonly tokenTtlSeconds?: number;
}

interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
}

export function devAuthorizeRoutes(options: DevAuthorizeOptions): Router {
  const codes = createAuthorizationCodes({ clock: options.clock, ttlSeconds: options.codeTtlSeconds ?? 60 });
  const tokenTtl = options.tokenTtlSeconds ?? 3600;
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });

  router.get('/dev-issuer/authorize', (req, res) => {
    const params = authorizeParams(req, req.query as Record<string, unknown>);
    if ('problem' in params) return void sendPage(res, 400, errorPage(params.problem));
    sendPage(res, 200, signInPage(params));
  });

  router.post('/dev-issuer/authorize', form, (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const params = authorizeParams(req, body);
    if ('problem' in params) return void sendPage(res, 400, errorPage(params.problem));
    const subject = text(body.subject).trim();
    const email = text(body.email).trim();
    const groups = text(body.groups).split(',').map((g) => g.trim()).filter(Boolean);
    const problem = identityProblem(subject, email, groups);
    if (problem) return void sendPage(res, 400, signInPage(params, problem));
    const code = codes.issue({
      clientId: params.clientId,
      redirectUri: params.redirectUri,
      codeChallenge: params.codeChallenge,
      subject,
      ...(email ? { email } : {}),
      groups,
    });
    const target = new URL(params.redirectUri);
    target.searchParams.set('code', code);
    if (params.state) target.searchParams.set('state', params.state);
    res.redirect(303, target.toString());
  });

  router.post('/dev-issuer/token', form, async (req, res, next) => {
    try {
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (text(body.grant_type) !== 'authorization_code') return void tokenError(res, 'unsupported_grant_type', 'grant_type must be authorization_code');
      const grant = codes.take(text(body.code));
      if (!grant) return void tokenError(res, 'invalid_grant', 'The code is unknown, used or expired');
      const verifier = text(body.code_verifier);
      if (
        !verifierPattern.test(verifier) ||
        !sameText(s256(verifier), grant.codeChallenge) ||
        text(body.redirect_uri) !== grant.redirectUri ||
        text(body.client_id) !== grant.clientId
      ) {
        return void tokenError(res, 'invalid_grant', 'The code does not match the verifier, redirect_uri or client_id');
      }
      const accessToken = await options.devIssuer.mint({
        sub: grant.subject,
        ...(grant.email ? { email: grant.email } : {}),
        groups: grant.groups,
        audience: options.audience,
        groupsClaim: options.groupsClaim,
        ttlSeconds: tokenTtl,
      });
      res.json({ access_token: accessToken, token_type: 'Bearer', expires_in: tokenTtl });
    } catch (error) {
      next(error);
    }
  });

  return router;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function authorizeParams(req: Request, source: Record<string, unknown>): AuthorizeParams | { problem: string } {
  if (text(source.response_type) !== 'code') return { problem: 'response_type must be "code".' };
  const clientId = text(source.client_id);
  if (!/^[\w.:-]{1,200}$/.test(clientId)) return { problem: 'client_id is missing or malformed.' };
  if (text(source.code_challenge_method) !== 'S256') return { problem: 'PKCE is required: code_challenge_method must be S256.' };
  const codeChallenge = text(source.code_challenge);
  if (!codeChallengePattern.test(codeChallenge)) return { problem: 'code_challenge must be a base64url SHA-256 digest (43 characters).' };
  const state = text(source.state);
  if (state.length > 500) return { problem: 'state is too long.' };
  const redirectUri = text(source.redirect_uri);
  if (!isOwnCallback(req, redirectUri)) {
    return { problem: `redirect_uri must be this gateway's console callback (${ownOrigin(req)}${consoleCallbackPath}).` };
  }
  return { clientId, redirectUri, state, codeChallenge };
}

function ownOrigin(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

function isOwnCallback(req: Request, redirectUri: string): boolean {
  try {
    const url = new URL(redirectUri);
    return url.origin === ownOrigin(req) && url.pathname === consoleCallbackPath && url.search === '' && url.hash === '';
  } catch {
    return false;
  }
}

function identityProblem(subject: string, email: string, groups: string[]): string | undefined {
  if (!/^[^\s<>"'`]{1,200}$/.test(subject)) return 'Enter a subject: up to 200 characters, no spaces or quotes.';
  if (email && !/^[^\s@<>"'`]{1,100}@[^\s@<>"'`]{1,150}$/.test(email)) return 'The email address does not look like one.';
  if (groups.length > 50 || groups.some((g) => !/^[\w.:/-]{1,100}$/.test(g))) return 'Groups are names separated by commas (letters, digits, . _ : / -).';
  return undefined;
}

function tokenError(res: Response, error: string, description: string): void {
  res.status(400).json({ error, error_description: description });
}

function sendPage(res: Response, status: number, html: string): void {
  res.status(status).type('text/html; charset=utf-8').send(html);
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — ledgergate</title>
<link rel="stylesheet" href="/console/assets/console.css">
</head>
<body class="dev-issuer">
<main id="main" class="narrow">
${body}
</main>
</body>
</html>`;
}

function errorPage(problem: string): string {
  return page('Sign-in request refused', `<h1>Sign-in request refused</h1>\n<p class="error" role="alert">${escapeHtml(problem)}</p>\n<p><a href="/console">Back to the console</a></p>`);
}

function signInPage(params: AuthorizeParams, problem?: string): string {
  const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  return page(
    'Development sign-in',
    `<p class="dev-banner" role="note"><strong>Development only.</strong> This built-in issuer signs in whoever you type, without a password.
Configure LEDGERGATE_OIDC_ISSUER to use your organisation's identity provider.</p>
<h1>Development sign-in</h1>
${problem ? `<p class="error" role="alert" id="form-error">${escapeHtml(problem)}</p>` : ''}
<form method="post" action="/dev-issuer/authorize" class="stack"${problem ? ' aria-describedby="form-error"' : ''}>
${hidden('response_type', 'code')}
${hidden('client_id', params.clientId)}
${hidden('redirect_uri', params.redirectUri)}
${hidden('state', params.state)}
${hidden('code_challenge', params.codeChallenge)}
${hidden('code_challenge_method', 'S256')}
<label for="subject">Subject (user id)</label>
<input id="subject" name="subject" required autocomplete="username" maxlength="200" autofocus>
<label for="email">Email <span class="hint">(optional)</span></label>
<input id="email" name="email" type="email" autocomplete="email" maxlength="250">
<label for="groups">Groups <span class="hint">(comma-separated, e.g. data-owners or auditors)</span></label>
<input id="groups" name="groups" maxlength="2000" aria-describedby="groups-hint">
<p id="groups-hint" class="hint">Approvers belong to the policy's approver groups (data-owners in the shipped policy); auditors to LEDGERGATE_AUDITOR_GROUPS.</p>
<button type="submit">Sign in</button>
</form>`,
  );
}
