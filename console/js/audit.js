// The auditor's view: the access log with filters, charts over the selection, session replays and
// the evidence download.
import { barChart, hourlyChart, topCounts } from './charts.js';
import { h, replace } from './dom.js';
import { evidenceSection } from './evidence.js';
import { formatBytes, formatTime, isoFromLocalInput, shortId } from './format.js';
import { sessionsSection } from './replay.js';
import { sqlBlock } from './sql-highlight.js';

const STATUSES = ['pending_approval', 'running', 'succeeded', 'failed', 'denied', 'rejected', 'expired'];

function field(label, control) {
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
}

function select(id, options) {
  return h('select', { id, name: id }, h('option', { value: '' }, 'any'), options.map((o) => h('option', { value: o }, o.replace('_', ' '))));
}

export async function renderAudit(root, { api }) {
  const principal = h('input', { id: 'f-principal', name: 'principal', type: 'search', autocomplete: 'off', placeholder: 'subject or email' });
  const decision = select('f-decision', ['allow', 'approve', 'deny']);
  const status = select('f-status', STATUSES);
  const from = h('input', { id: 'f-from', name: 'from', type: 'datetime-local', step: '1' });
  const to = h('input', { id: 'f-to', name: 'to', type: 'datetime-local', step: '1' });
  const filters = h(
    'form',
    { class: 'filters', 'aria-label': 'Access log filters' },
    field('Principal', principal),
    field('Decision', decision),
    field('Status', status),
    field('From', from),
    field('To', to),
    h('div', { class: 'field field-actions' }, h('button', { type: 'submit' }, 'Apply filters'), h('button', { type: 'reset', class: 'secondary' }, 'Clear')),
  );
  const charts = h('div', { class: 'charts', 'aria-live': 'polite' });
  const log = h('div', { class: 'table-wrap', id: 'access-log' });
  const replay = h('section', { 'aria-labelledby': 'replay-title', id: 'replay' });
  const sessions = sessionsSection({ api, replayInto: replay });

  replace(
    root,
    h('div', { class: 'view-head' }, h('h1', { tabindex: '-1', id: 'view-title' }, 'Audit')),
    h('section', { 'aria-labelledby': 'log-title' }, h('h2', { id: 'log-title' }, 'Access log'), filters, charts, log),
    sessions.element,
    replay,
    evidenceSection({ api }),
  );

  async function load() {
    const params = new URLSearchParams({ format: 'json' });
    if (principal.value.trim()) params.set('principal', principal.value.trim());
    if (decision.value) params.set('decision', decision.value);
    if (status.value) params.set('status', status.value);
    const fromIso = isoFromLocalInput(from.value);
    const toIso = isoFromLocalInput(to.value);
    if (fromIso) params.set('from', fromIso);
    if (toIso) params.set('to', toIso);
    log.setAttribute('aria-busy', 'true');
    try {
      const { items } = await api.get(`/v1/audit/access-log?${params}`);
      replace(
        charts,
        hourlyChart(items),
        barChart('Top principals', topCounts(items, (r) => r.email || r.subject)),
        barChart('Most-hit deny rules', topCounts(items.filter((r) => r.decision === 'deny'), (r) => r.rule), { barClass: 'd-deny' }),
      );
      replace(log, logTable(items, (sessionId) => sessions.open(sessionId)));
    } catch (error) {
      replace(log, h('p', { class: 'error', role: 'alert' }, `The access log could not be loaded: ${error.message}`));
    } finally {
      log.setAttribute('aria-busy', 'false');
    }
  }
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  filters.addEventListener('reset', () => setTimeout(() => void load(), 0));
  await Promise.all([load(), sessions.load()]);
}

function logTable(items, openSession) {
  const newest = [...items].reverse().slice(0, 500);
  return h(
    'table',
    { class: 'log' },
    h('caption', {}, `${items.length} request(s)${items.length > newest.length ? `, newest ${newest.length} shown` : ''}`),
    h(
      'thead',
      {},
      h('tr', {}, ['Time', 'Principal', 'Decision', 'Status', 'SQL', 'Tables', 'Rows / bytes', 'Session'].map((c) => h('th', { scope: 'col' }, c))),
    ),
    h(
      'tbody',
      {},
      newest.map((row) =>
        h(
          'tr',
          { 'data-request-id': row.requestId },
          h('td', {}, h('time', { datetime: row.time }, formatTime(row.time))),
          h('td', {}, row.email || row.subject, row.actor ? h('div', { class: 'hint' }, `via ${row.actor}`) : null),
          h('td', {}, h('span', { class: `badge badge-${row.decision || 'none'}` }, row.decision || '—'), h('div', { class: 'hint' }, row.rule)),
          h('td', {}, h('span', { class: `badge badge-status-${row.status}` }, row.status.replace('_', ' ')), row.approvers?.length ? h('div', { class: 'hint' }, `by ${row.approvers.map((a) => a.email ?? a.subject).join(', ')}`) : null),
          h('td', { class: 'sql-cell' }, sqlBlock(row.sql.length > 300 ? `${row.sql.slice(0, 300)}…` : row.sql), h('div', { class: 'hint' }, `request ${shortId(row.requestId)}`)),
          h('td', {}, row.tables.join(', ')),
          h('td', {}, row.rows === null ? '—' : String(row.rows), h('div', { class: 'hint' }, row.bytesProcessed === null ? '' : formatBytes(row.bytesProcessed))),
          h(
            'td',
            {},
            row.sessionId
              ? h('button', { type: 'button', class: 'link', 'aria-label': `Replay session ${row.sessionId}`, onclick: () => openSession(row.sessionId) }, row.sessionId)
              : '—',
          ),
        ),
      ),
    ),
  );
}
