/**
 * The console's server side over real HTTP, in process: the page and its files, the sign-in settings
 * for the development issuer and for a real issuer (from its discovery document), the code-exchange
 * relay (forwards one authorization-code exchange for the configured client, returns only the access
 * token), and the console-only API (who am I, masking rules for tables).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Router } from 'express';
import { consoleApiRoutes } from '../../src/adapters/console/console-api-routes.js';
import { consoleRoutes } from '../../src/adapters/console/console-routes.js';
import { devConsoleSignIn, oidcConsoleSignIn } from '../../src/adapters/console/sign-in-settings.js';
import { parsePolicy } from '../../src/domain/policy/parse.js';
import { readFileSync } from 'node:fs';
import { repoRoot } from '../support/gateway-process.js';
import type { Principal } from '../../src/domain/identity/principal.js';
import { silentLogger } from '../../src/adapters/logging/silent-logger.js';

async function serve(routers: Router[], principal?: Principal): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.use(express.json());
  if (principal) app.use((_req, res, next) => ((res.locals.principal = principal), next()));
  for (const router of routers) app.use(router);
  app.use(((error, _req, res, _next) => res.status(error.code === 'forbidden' ? 403 : 500).json({ code: error.code })) as express.ErrorRequestHandler);
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('console routes', () => {
  describe('with the development issuer', () => {
    let site: Awaited<ReturnType<typeof serve>>;
    before(async () => (site = await serve([consoleRoutes({ signIn: devConsoleSignIn({ scope: 'openid' }), logger: silentLogger })])));
    after(() => site.close());

    it('serves the page at /console and at the callback, and its module script', async () => {
      for (const path of ['/console', '/console/callback']) {
        const page = await fetch(`${site.url}${path}?code=x&state=y`);
        assert.equal(page.status, 200);
        const html = await page.text();
        assert.match(html, /<script type="module" src="\/console\/assets\/js\/main\.js"><\/script>/);
        assert.doesNotMatch(html, /<script>|style="/, 'no inline script or style (CSP)');
      }
      const script = await fetch(`${site.url}/console/assets/js/main.js`);
      assert.equal(script.status, 200);
      assert.match(script.headers.get('content-type') ?? '', /javascript/);
      assert.equal((await fetch(`${site.url}/console/assets/../package.json`)).status, 404);
    });

    it('tells the page to use the gateway\'s own dev issuer endpoints', async () => {
      const config = (await (await fetch(`${site.url}/console/config.json`)).json()) as { signIn: Record<string, string> };
      assert.deepEqual(config.signIn, {
        mode: 'development',
        authorizationEndpoint: '/dev-issuer/authorize',
        tokenEndpoint: '/dev-issuer/token',
        clientId: 'ledgergate-console',
        scope: 'openid',
        redirectPath: '/console/callback',
      });
    });

    it('has no relay for the development issuer', async () => {
      const answer = await fetch(`${site.url}/console/token`, { method: 'POST', body: new URLSearchParams({ code: 'x' }) });
      assert.equal(answer.status, 404);
    });
  });

  describe('with a real issuer', () => {
    const issuer = 'https://idp.example/realms/corp';
    const forwarded: { url: string; body: URLSearchParams }[] = [];
    let site: Awaited<ReturnType<typeof serve>>;
    let unconfigured: Awaited<ReturnType<typeof serve>>;
    const discovery = async () => ({ issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token` });
    const fakeFetch = (async (url: string | URL | Request, init?: RequestInit) => {
      forwarded.push({ url: String(url), body: new URLSearchParams(String(init?.body)) });
      return new Response(JSON.stringify({ access_token: 'at-1', refresh_token: 'rt-1', id_token: 'id-1', expires_in: 300 }), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;

    before(async () => {
      site = await serve([consoleRoutes({ signIn: oidcConsoleSignIn({ issuer, clientId: 'console-app', scope: 'openid email', fetchJson: discovery }), logger: silentLogger, fetchImpl: fakeFetch })]);
      unconfigured = await serve([consoleRoutes({ signIn: oidcConsoleSignIn({ issuer, scope: 'openid', fetchJson: discovery }), logger: silentLogger })]);
    });
    after(async () => {
      await site.close();
      await unconfigured.close();
    });

    it('takes the authorization endpoint from discovery and exchanges codes through the relay', async () => {
      const config = (await (await fetch(`${site.url}/console/config.json`)).json()) as { signIn: Record<string, string> };
      assert.equal(config.signIn.authorizationEndpoint, `${issuer}/auth`);
      assert.equal(config.signIn.tokenEndpoint, '/console/token');
      assert.equal(config.signIn.clientId, 'console-app');
    });

    it('forwards one code exchange for the configured client and returns only the access token', async () => {
      const answer = await fetch(`${site.url}/console/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', code: 'c-1', code_verifier: 'v'.repeat(43), redirect_uri: 'https://gw/console/callback', client_id: 'attacker', client_secret: 's' }),
      });
      assert.equal(answer.status, 200);
      assert.deepEqual(await answer.json(), { access_token: 'at-1', token_type: 'Bearer', expires_in: 300 });
      const sent = forwarded.at(-1);
      assert.equal(sent?.url, `${issuer}/token`);
      assert.deepEqual(Object.fromEntries(sent?.body ?? []), {
        grant_type: 'authorization_code',
        code: 'c-1',
        redirect_uri: 'https://gw/console/callback',
        code_verifier: 'v'.repeat(43),
        client_id: 'console-app',
      });
    });

    it('explains that sign-in is not configured without a client id', async () => {
      const config = (await (await fetch(`${unconfigured.url}/console/config.json`)).json()) as { problem: string };
      assert.match(config.problem, /LEDGERGATE_CONSOLE_CLIENT_ID/);
    });

    it('refuses discovery documents that name another issuer or downgrade to http', async () => {
      const other = oidcConsoleSignIn({ issuer, clientId: 'c', scope: 'openid', fetchJson: async () => ({ issuer: 'https://evil.example', authorization_endpoint: `${issuer}/a`, token_endpoint: `${issuer}/t` }) });
      const state = await other.browserConfig();
      assert.equal(state.ok, false);
      const downgrade = oidcConsoleSignIn({ issuer, clientId: 'c', scope: 'openid', fetchJson: async () => ({ issuer, authorization_endpoint: 'http://idp.example/a', token_endpoint: `${issuer}/t` }) });
      assert.equal((await downgrade.browserConfig()).ok, false);
    });
  });

  describe('console-only API', () => {
    const policy = parsePolicy(readFileSync(`${repoRoot}/policy.yaml`, 'utf8'));
    if (!policy.ok) throw new Error('shipped policy must parse');
    const routes = () =>
      consoleApiRoutes({ policy: () => policy.policy, approverGroups: () => ['data-owners'], auditGroups: () => ['auditors', 'data-owners'] });

    it('says who the caller is and which views they can use', async () => {
      const site = await serve([routes()], { subject: 'olivia', issuer: 'x', email: 'o@example.com', groups: ['data-owners'], actor: { subject: 'bot' } });
      try {
        const me = await (await fetch(`${site.url}/v1/console/me`)).json();
        assert.deepEqual(me, { subject: 'olivia', email: 'o@example.com', actor: 'bot', groups: ['data-owners'], roles: { approver: true, auditor: true } });
      } finally {
        await site.close();
      }
    });

    it('lists the masking rules covering given tables, for approvers and auditors only', async () => {
      const auditor = await serve([routes()], { subject: 'a', issuer: 'x', groups: ['auditors'] });
      const agent = await serve([routes()], { subject: 'b', issuer: 'x', groups: ['ai-agents'] });
      try {
        const answer = (await (await fetch(`${auditor.url}/v1/console/masking?table=demo-project.sales.invoices&table=demo-project.sales.orders`)).json()) as { items: unknown[] };
        assert.deepEqual(answer.items, [{ table: 'demo-project.sales.invoices', column: 'iban', rule: 'last4' }]);
        assert.equal((await fetch(`${agent.url}/v1/console/masking?table=demo-project.sales.invoices`)).status, 403);
      } finally {
        await auditor.close();
        await agent.close();
      }
    });
  });
});
