/**
 * The console's public side: the page itself (at /console and its callback), its static files, the
 * sign-in settings the page starts from, and — for a real identity provider — a relay for the code
 * exchange. The data the console shows comes from the authenticated API, never from here.
 */
import { join } from 'node:path';
import express, { Router, type Response } from 'express';
import { findConsoleAssets } from './assets-dir.js';
import type { ConsoleSignIn } from './sign-in-settings.js';
import type { Logger } from '../../domain/ports.js';

export interface ConsoleRoutesOptions {
  readonly signIn: ConsoleSignIn;
  readonly logger: Logger;
  /** Default: the repository's `console` folder. */
  readonly assetsDir?: string;
  /** For tests of the relay. */
  readonly fetchImpl?: typeof fetch;
}

export function consoleRoutes(options: ConsoleRoutesOptions): Router {
  const assets = options.assetsDir ?? findConsoleAssets();
  const fetchImpl = options.fetchImpl ?? fetch;
  const router = Router();
  const page = (_req: unknown, res: Response) => res.type('text/html; charset=utf-8').sendFile(join(assets, 'index.html'));

  router.get(['/console', '/console/', '/console/callback'], page);
  router.use('/console/assets', express.static(assets, { index: false, dotfiles: 'ignore', fallthrough: true, redirect: false }));

  router.get('/console/config.json', async (_req, res) => {
    const state = await options.signIn.browserConfig();
    if (!state.ok) options.logger.warn('console sign-in unavailable', { problem: state.problem });
    res.json(state.ok ? { signIn: state.config } : { problem: state.problem });
  });

  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });
  router.post('/console/token', form, async (req, res) => {
    let upstream: string | undefined;
    try {
      upstream = await options.signIn.upstreamTokenEndpoint();
    } catch {
      return void res.status(502).json({ error: 'temporarily_unavailable', error_description: 'The identity provider cannot be reached' });
    }
    const clientId = options.signIn.clientId;
    if (!upstream || !clientId) return void res.status(404).json({ error: 'invalid_request', error_description: 'No token relay: this gateway uses the development issuer' });
    const body = (req.body ?? {}) as Record<string, unknown>;
    const field = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');
    // Only an authorization-code exchange for the configured client passes; nothing else is forwarded.
    const params = new URLSearchParams({
      grant_type: 'authorization_code',
      code: field('code'),
      redirect_uri: field('redirect_uri'),
      code_verifier: field('code_verifier'),
      client_id: clientId,
    });
    try {
      const answer = await fetchImpl(upstream, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: params,
      });
      const json = (await answer.json().catch(() => ({}))) as Record<string, unknown>;
      if (answer.status !== 200 || typeof json.access_token !== 'string') {
        return void res.status(400).json({ error: typeof json.error === 'string' ? json.error : 'invalid_grant', error_description: 'The identity provider refused the code' });
      }
      // The access token only: refresh and ID tokens stay out of the browser's storage.
      res.json({ access_token: json.access_token, token_type: 'Bearer', ...(typeof json.expires_in === 'number' ? { expires_in: json.expires_in } : {}) });
    } catch (error) {
      options.logger.warn('console token relay failed', { error: String(error) });
      res.status(502).json({ error: 'temporarily_unavailable', error_description: 'The identity provider cannot be reached' });
    }
  });

  return router;
}
