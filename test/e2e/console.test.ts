/**
 * The web console in a real browser (headless Chromium driven by playwright-core; see support/browser.ts) against
 * the real gateway process: an approver signs in through the development issuer, sees a pending
 * request an agent made through the API, approves it with a comment and watches it complete; an
 * auditor signs in, reads the access log and charts, replays the session and downloads evidence.
 * Screenshots go to test-artifacts/console/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { launchChromium, screenshotPath, type LaunchedBrowser } from '../support/browser.js';
import { call, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';

const sessionId = 'console-e2e-session';
const pendingSql = "SELECT customer_id, email, city FROM `demo-project.sales.customers` WHERE email LIKE '%@example.com' ORDER BY customer_id LIMIT 5";

describe('web console in headless Chromium', () => {
  let gateway: GatewayProcess;
  let browser: LaunchedBrowser;
  let agent: string;
  let pendingId: string;
  const cspViolations: string[] = [];

  before(async () => {
    // Both start in parallel; a missing chromium still fails with its own clear message.
    const [launched, started] = await Promise.allSettled([launchChromium(), startGatewayProcess({ timeoutMs: 90_000 })]);
    if (launched.status === 'fulfilled') browser = launched.value;
    if (started.status === 'fulfilled') gateway = started.value;
    if (launched.status === 'rejected') throw launched.reason;
    if (started.status === 'rejected') throw started.reason;
    agent = await gateway.token({ sub: 'priya', email: 'priya@example.com', groups: ['ai-agents'], act: 'coding-agent-1' });
    const headers = { 'X-Session-Id': sessionId };
    const allowed = await call(`${gateway.url}/v1/queries`, { token: agent, headers, body: { sql: 'SELECT order_id, amount FROM sales.orders LIMIT 3', reason: 'warm-up' } });
    assert.equal(allowed.status, 200, allowed.text);
    const denied = await call(`${gateway.url}/v1/queries`, { token: agent, headers, body: { sql: 'DROP TABLE sales.orders' } });
    assert.equal(denied.status, 403, denied.text);
    const pending = await call(`${gateway.url}/v1/queries`, { token: agent, headers, body: { sql: pendingSql, reason: 'find example.com customers for the <b>churn</b> report' } });
    assert.equal(pending.status, 202, pending.text);
    pendingId = (pending.body as { id: string; status: string }).id;
    assert.equal((pending.body as { status: string }).status, 'pending_approval');
  });

  after(async () => {
    await browser?.close();
    await gateway?.stop();
    gateway?.cleanup();
  });

  async function newPage(): Promise<Page> {
    const page = await browser.context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
    });
    page.on('pageerror', (error) => cspViolations.push(`page error: ${error.message}`));
    return page;
  }

  async function signIn(page: Page, who: { subject: string; email: string; groups: string }): Promise<void> {
    await page.goto(`${gateway.url}/console`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/dev-issuer\/authorize\?/);
    assert.match(await page.locator('.dev-banner').innerText(), /Development only/);
    await page.getByLabel('Subject (user id)').fill(who.subject);
    await page.getByLabel(/^Email/).fill(who.email);
    await page.getByLabel(/^Groups/).fill(who.groups);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/console(#.*)?$/);
    await page.locator('#whoami').waitFor();
    assert.match(await page.locator('#whoami').innerText(), new RegExp(who.email.replace('.', '\\.')));
  }

  it('lets an approver sign in, see the pending request in full, approve it with a comment and watch it complete', async () => {
    const page = await newPage();
    await signIn(page, { subject: 'olivia', email: 'olivia@example.com', groups: 'data-owners' });
    const card = page.locator(`article[data-request-id="${pendingId}"]`);
    await card.waitFor();
    const text = await card.innerText();
    assert.match(text, /WHERE email LIKE '%@example\.com'/, 'the SQL is shown');
    assert.match(text, /priya \(priya@example\.com\)/, 'the requester');
    assert.match(text, /coding-agent-1/, 'the acting agent');
    assert.match(text, /<b>churn<\/b>/, 'the reason, as text (not markup)');
    assert.equal(await card.locator('b').count(), 0, 'no element came from the reason');
    assert.match(text, /demo-project\.sales\.customers/, 'the tables');
    assert.match(text, /customers\.email → email \(named in this query\)/, 'the columns that will be masked');
    assert.match(text, /Expires/);
    assert.ok((await card.locator('.tok-keyword').count()) >= 4, 'SQL keywords are highlighted');
    await page.screenshot({ path: screenshotPath('approver-queue'), fullPage: true });

    await card.getByLabel(/^Comment/).fill('ok for the churn report, masked');
    await card.getByRole('button', { name: 'Approve' }).click();
    await card.locator('.status-line[data-status="succeeded"]').waitFor({ timeout: 60_000 });
    const outcome = await card.locator('.outcome').innerText();
    assert.match(outcome, /succeeded/);
    assert.match(outcome, /masked: email/, 'the result marks the masked column');
    assert.match(outcome, /\b[a-z0-9]\*+@example\.com\b/, 'the result shows masked emails');
    await page.screenshot({ path: screenshotPath('approver-approved'), fullPage: true });

    const view = await call(`${gateway.url}/v1/queries/${pendingId}`, { token: agent });
    assert.equal((view.body as { status: string }).status, 'succeeded', view.text);
    await page.close();
  });

  it('lets an auditor filter the access log, see the charts, replay the session and download evidence', async () => {
    const page = await newPage();
    await signIn(page, { subject: 'audrey', email: 'audrey@example.com', groups: 'auditors' });
    await page.goto(`${gateway.url}/console#/audit`);
    const log = page.locator('#access-log table.log');
    await log.waitFor();
    // The view puts focus on its heading; the next tab stop is the first filter.
    assert.equal(await page.evaluate('document.activeElement?.id'), 'view-title');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement?.id'), 'f-principal');
    assert.equal(await log.locator('tbody tr').count(), 3, 'three requests in the log');
    assert.ok((await page.locator('figure.chart svg rect.bar').count()) >= 3, 'charts have bars');
    const charts = await page.locator('.charts').innerText();
    assert.match(charts, /Requests per hour/);
    assert.match(charts, /Top principals/);
    assert.match(charts, /Most-hit deny rules/);
    assert.match((await page.locator('figure.chart').nth(2).locator('svg').getAttribute('aria-label')) ?? '', /no-destruction: 1/);

    await page.getByLabel('Decision', { exact: true }).selectOption('deny');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    // Polled through locators: a string predicate would be evaluated in the page, which the console's
    // CSP (no 'unsafe-eval') rightly refuses whenever the rows are not there at the first look.
    for (let tries = 0; (await log.locator('tbody tr').count()) !== 1; tries++) {
      assert.ok(tries < 100, 'the filtered access log shows one row within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.match(await log.locator('tbody tr').innerText(), /DROP TABLE/);
    await page.screenshot({ path: screenshotPath('auditor-access-log'), fullPage: true });

    await page.getByRole('button', { name: `Replay session ${sessionId}` }).first().click();
    const timeline = page.locator('#replay ol.timeline');
    await timeline.waitFor();
    const replay = await timeline.innerText();
    assert.match(replay, /QueryRequested/);
    assert.match(replay, /QueryDenied/);
    assert.match(replay, /olivia@example\.com: approve — “ok for the churn report, masked”/);
    assert.match(replay, /ExecutionSucceeded/);
    assert.match(replay, /Masked: .*email → email/);
    await page.locator('#replay').screenshot({ path: screenshotPath('auditor-session-replay') });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download evidence' }).click()]);
    assert.match(download.suggestedFilename(), /^ledgergate-evidence-.*\.json$/);
    const file = await download.path();
    const bundle = JSON.parse(readFileSync(file, 'utf8')) as { format: string; events?: unknown[] };
    assert.equal(bundle.format, 'ledgergate-evidence/1');
    await page.screenshot({ path: screenshotPath('auditor-evidence'), fullPage: true });
    await page.close();
  });

  it('raised no Content-Security-Policy violations or page errors', () => {
    assert.deepEqual(cspViolations, []);
  });
});
