/**
 * The development issuer's authorization-code + PKCE endpoints, over real HTTP: a code works once,
 * only with its verifier, redirect URI and client; it expires; the form never redirects off-site and
 * never reflects input as markup. The token it yields is accepted by the dev issuer's authenticator.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { devAuthorizeRoutes, s256 } from '../../src/adapters/identity/dev-authorize.js';
import { openDevIssuer } from '../../src/adapters/identity/dev-issuer.js';

describe('development issuer sign-in (authorization code + PKCE)', () => {
  let server: Server;
  let base: string;
  let dataDir: string;
  let now = new Date('2030-01-01T10:00:00Z');
  const issuer = () => openDevIssuer({ dataDir, clock: () => now });

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ledgergate-signin-'));
    const app = express();
    app.use(devAuthorizeRoutes({ devIssuer: issuer(), audience: 'ledgergate', groupsClaim: 'groups', clock: () => now, codeTtlSeconds: 60 }));
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  const redirectUri = () => `${base}/console/callback`;
  const newVerifier = () => randomBytes(32).toString('base64url');

  async function authorize(fields: Record<string, string>): Promise<Response> {
    return fetch(`${base}/dev-issuer/authorize`, { method: 'POST', redirect: 'manual', body: new URLSearchParams(fields) });
  }

  async function codeFor(verifier: string, who: { subject: string; email?: string; groups?: string } = { subject: 'olivia', groups: 'data-owners' }) {
    const answer = await authorize({
      response_type: 'code',
      client_id: 'ledgergate-console',
      redirect_uri: redirectUri(),
      state: 'st-1',
      code_challenge: s256(verifier),
      code_challenge_method: 'S256',
      subject: who.subject,
      email: who.email ?? '',
      groups: who.groups ?? '',
    });
    assert.equal(answer.status, 303, await answer.text());
    const location = new URL(answer.headers.get('location') ?? '');
    assert.equal(`${location.origin}${location.pathname}`, redirectUri());
    assert.equal(location.searchParams.get('state'), 'st-1');
    return location.searchParams.get('code') ?? '';
  }

  async function exchange(fields: Record<string, string>) {
    const answer = await fetch(`${base}/dev-issuer/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', client_id: 'ledgergate-console', redirect_uri: redirectUri(), ...fields }) });
    return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
  }

  it('shows a labelled development-only form for a valid request', async () => {
    const query = new URLSearchParams({ response_type: 'code', client_id: 'ledgergate-console', redirect_uri: redirectUri(), state: 's', code_challenge: s256(newVerifier()), code_challenge_method: 'S256' });
    const answer = await fetch(`${base}/dev-issuer/authorize?${query}`);
    const html = await answer.text();
    assert.equal(answer.status, 200);
    assert.match(html, /Development only/);
    assert.match(html, /<label for="subject">/);
    assert.doesNotMatch(html, /<script|style=/);
  });

  it('trades a code and its verifier for an access token carrying the entered identity, once', async () => {
    const verifier = newVerifier();
    const code = await codeFor(verifier, { subject: 'olivia', email: 'olivia@example.com', groups: 'data-owners, auditors' });
    const first = await exchange({ code, code_verifier: verifier });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.token_type, 'Bearer');
    const principal = await issuer().authenticator({ audience: 'ledgergate', groupsClaim: 'groups' }).authenticate(String(first.body.access_token));
    assert.equal(principal.subject, 'olivia');
    assert.equal(principal.email, 'olivia@example.com');
    assert.deepEqual([...principal.groups], ['data-owners', 'auditors']);

    const replay = await exchange({ code, code_verifier: verifier });
    assert.equal(replay.status, 400);
    assert.equal(replay.body.error, 'invalid_grant');
  });

  it('refuses a wrong verifier, and the code is spent by the attempt', async () => {
    const verifier = newVerifier();
    const code = await codeFor(verifier);
    assert.equal((await exchange({ code, code_verifier: newVerifier() })).status, 400);
    assert.equal((await exchange({ code, code_verifier: verifier })).status, 400);
  });

  it('refuses a code presented with another redirect_uri or client_id', async () => {
    const verifier = newVerifier();
    const code = await codeFor(verifier);
    assert.equal((await exchange({ code, code_verifier: verifier, redirect_uri: `${base}/console/callback?x=1` })).body.error, 'invalid_grant');
    const other = newVerifier();
    const code2 = await codeFor(other);
    assert.equal((await exchange({ code: code2, code_verifier: other, client_id: 'someone-else' })).body.error, 'invalid_grant');
  });

  it('refuses an expired code', async () => {
    const verifier = newVerifier();
    const code = await codeFor(verifier);
    now = new Date(now.getTime() + 61_000);
    try {
      const answer = await exchange({ code, code_verifier: verifier });
      assert.equal(answer.status, 400);
      assert.equal(answer.body.error, 'invalid_grant');
    } finally {
      now = new Date(now.getTime() - 61_000);
    }
  });

  it('never redirects to another site, and requires S256', async () => {
    const base64 = s256(newVerifier());
    const common = { response_type: 'code', client_id: 'c', state: 's', code_challenge: base64, code_challenge_method: 'S256', subject: 'x' };
    for (const redirect of ['https://evil.example/console/callback', `${base}/elsewhere`, `${base}/console/callback#frag`, 'javascript:alert(1)']) {
      const answer = await authorize({ ...common, redirect_uri: redirect });
      assert.equal(answer.status, 400, redirect);
      assert.equal(answer.headers.get('location'), null);
    }
    const plain = await authorize({ ...common, redirect_uri: redirectUri(), code_challenge_method: 'plain' });
    assert.equal(plain.status, 400);
    assert.match(await plain.text(), /S256/);
  });

  it('escapes what it echoes back into the form', async () => {
    const answer = await authorize({
      response_type: 'code',
      client_id: 'ledgergate-console',
      redirect_uri: redirectUri(),
      state: '"><script>alert(1)</script>',
      code_challenge: s256(newVerifier()),
      code_challenge_method: 'S256',
      subject: '',
    });
    const html = await answer.text();
    assert.equal(answer.status, 400);
    assert.match(html, /Enter a subject/);
    assert.doesNotMatch(html, /<script>alert/);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });

  it('answers RFC 6749 errors for other grant types', async () => {
    const answer = await exchange({ grant_type: 'password', code: 'x', code_verifier: newVerifier() });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error, 'unsupported_grant_type');
  });
});
