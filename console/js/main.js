// Start-up: finish a sign-in on the callback page, or show the sign-in screen, or the views the
// signed-in user can use (hash routes #/approvals and #/audit).
import { createApi } from './api.js';
import { renderApprovals } from './approvals.js';
import { renderAudit } from './audit.js';
import { completeSignIn, currentToken, loadSignInConfig, signOut, startSignIn } from './auth.js';
import { h, replace } from './dom.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');

function signInScreen(config, message) {
  const button = h('button', { type: 'button', id: 'sign-in' }, 'Sign in');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await startSignIn(config, location.hash.startsWith('#/') ? location.hash : '');
    } catch (error) {
      button.disabled = false;
      replace(problem, error.message);
    }
  });
  const problem = h('p', { class: 'error', role: 'alert' }, message ?? '');
  replace(
    main,
    h(
      'section',
      { class: 'narrow' },
      h('h1', { tabindex: '-1', id: 'view-title' }, 'Sign in to the ledgergate console'),
      h('p', {}, 'Approvers decide pending queries; auditors read the access log, replay sessions and download evidence.'),
      config.mode === 'development' ? h('p', { class: 'dev-banner' }, h('strong', {}, 'Development issuer. '), 'You will choose who to sign in as; configure LEDGERGATE_OIDC_ISSUER for real sign-in.') : null,
      button,
      problem,
    ),
  );
}

function fatal(message) {
  replace(main, h('section', { class: 'narrow' }, h('h1', { tabindex: '-1', id: 'view-title' }, 'The console cannot start'), h('p', { class: 'error', role: 'alert' }, message)));
}

async function boot() {
  let config;
  try {
    config = await loadSignInConfig();
  } catch (error) {
    return fatal(error.message);
  }
  if (location.pathname === config.redirectPath) {
    const params = new URLSearchParams(location.search);
    try {
      const returnTo = await completeSignIn(config, params);
      history.replaceState(null, '', `/console${returnTo}`);
    } catch (error) {
      history.replaceState(null, '', '/console');
      return signInScreen(config, error.message);
    }
  }
  const token = currentToken();
  if (!token) return signInScreen(config);

  const api = createApi({
    token,
    onUnauthorized: () => {
      signOut();
      signInScreen(config, 'Your sign-in has expired; please sign in again.');
    },
  });
  let me;
  try {
    me = await api.get('/v1/console/me');
  } catch (error) {
    if (error.status !== 401) fatal(error.message);
    return;
  }

  const signOutButton = h('button', { type: 'button', class: 'secondary', id: 'sign-out' }, 'Sign out');
  signOutButton.addEventListener('click', () => {
    signOut();
    nav.hidden = true;
    replace(who);
    signInScreen(config, 'You are signed out.');
  });
  replace(who, h('span', { id: 'whoami' }, me.email ?? me.subject, me.groups.length ? h('span', { class: 'hint' }, ` (${me.groups.join(', ')})`) : null), ' ', signOutButton);
  const canApprove = me.roles.approver;
  const canAudit = me.roles.auditor;
  document.getElementById('nav-approvals').hidden = !canApprove && !canAudit;
  document.getElementById('nav-audit').hidden = !canAudit;
  nav.hidden = !(canApprove || canAudit);

  const views = { '#/approvals': renderApprovals, '#/audit': renderAudit };
  let shown = '';
  const route = async () => {
    const hash = location.hash;
    if (!hash.startsWith('#/') && shown) return; // in-page anchors (the skip link) are not routes
    let target = views[hash] ? hash : canApprove ? '#/approvals' : canAudit ? '#/audit' : '';
    if (!target) {
      replace(main, h('section', { class: 'narrow' }, h('h1', { tabindex: '-1', id: 'view-title' }, 'Nothing to show'), h('p', {}, `Signed in as ${me.subject}, who is neither an approver nor an auditor. Ask for membership of an approver group or of the auditor groups.`)));
      return;
    }
    if (target === '#/audit' && !canAudit) target = '#/approvals';
    if (location.hash !== target) history.replaceState(null, '', `/console${target}`);
    shown = target;
    for (const link of nav.querySelectorAll('a')) {
      if (link.getAttribute('href') === target) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    replace(main, h('p', {}, 'Loading…'));
    await views[target](main, { api, me });
    document.getElementById('view-title')?.focus();
  };
  window.addEventListener('hashchange', () => void route());
  await route();
}

void boot();
