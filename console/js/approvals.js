// The approver's view: the pending queue, each request in full, a decision with a comment, and the
// request followed to its end after approval.
import { announce, facts, h, replace } from './dom.js';
import { formatBytes, formatTime, formatUsd, relativeTime, shortId } from './format.js';
import { sqlBlock } from './sql-highlight.js';

const FINAL = new Set(['succeeded', 'failed', 'denied', 'rejected', 'expired']);

export async function renderApprovals(root, { api, me }) {
  const list = h('div', { class: 'cards', id: 'approval-list', 'aria-busy': 'true' });
  const refresh = h('button', { type: 'button', class: 'secondary', onclick: () => load() }, 'Refresh');
  replace(
    root,
    h('div', { class: 'view-head' }, h('h1', { tabindex: '-1', id: 'view-title' }, 'Pending approvals'), refresh),
    me.roles.approver ? null : h('p', { class: 'note' }, 'You are not in an approver group: you can read the queue but not decide.'),
    list,
  );

  async function load() {
    list.setAttribute('aria-busy', 'true');
    try {
      const { items } = await api.get('/v1/approvals?status=pending');
      const masking = await maskingRules(api, items);
      replace(list, items.length === 0 ? h('p', { class: 'empty' }, 'Nothing is waiting for a decision.') : items.map((item) => approvalCard(item, { api, masking, onDone: load })));
    } catch (error) {
      replace(list, h('p', { class: 'error', role: 'alert' }, `The queue could not be loaded: ${error.message}`));
    } finally {
      list.setAttribute('aria-busy', 'false');
    }
  }
  await load();
}

/** Masking rules for every table in the queue, one call. */
async function maskingRules(api, items) {
  const tables = [...new Set(items.flatMap((item) => item.tables ?? []))].slice(0, 50);
  if (tables.length === 0) return [];
  try {
    const query = new URLSearchParams(tables.map((t) => ['table', t]));
    return (await api.get(`/v1/console/masking?${query}`)).items;
  } catch {
    return [];
  }
}

function maskingList(item, masking) {
  const planned = (item.plannedMasking ?? []).filter((c) => c.masked);
  if (planned.length > 0) return h('ul', { class: 'inline-list' }, planned.map((c) => h('li', {}, h('code', {}, c.name), ` → ${c.masked}`)));
  // No plan recorded: show the tables' masking rules, those whose column the SQL names first.
  const words = new Set((item.sql.toLowerCase().match(/[a-z_][a-z0-9_]*/g) ?? []));
  const rules = masking
    .filter((m) => (item.tables ?? []).includes(m.table))
    .map((m) => ({ ...m, used: words.has(m.column.toLowerCase()) }))
    .sort((a, b) => Number(b.used) - Number(a.used));
  if (rules.length === 0) return 'No masking rules cover these tables (content detectors still run).';
  return h(
    'ul',
    { class: 'inline-list', 'aria-label': 'Masking rules on these tables' },
    rules.map((m) => h('li', {}, h('code', {}, `${m.table.split('.').pop()}.${m.column}`), ` → ${m.rule}`, m.used ? h('span', { class: 'used' }, ' (named in this query)') : null)),
  );
}

function requesterText(requester) {
  return requester.email ? `${requester.subject} (${requester.email})` : requester.subject;
}

function approvalCard(item, { api, masking, onDone }) {
  const titleId = `req-${item.id}`;
  const comment = h('textarea', { id: `comment-${item.id}`, name: 'comment', rows: '2', maxlength: '2000' });
  const outcome = h('div', { class: 'outcome', 'aria-live': 'polite' });
  const buttons = [
    h('button', { type: 'submit', value: 'approve', class: 'approve', disabled: !item.canDecide }, 'Approve'),
    h('button', { type: 'submit', value: 'reject', class: 'reject', disabled: !item.canDecide }, 'Reject'),
  ];
  const form = h(
    'form',
    { class: 'decision', 'aria-label': `Decide request ${shortId(item.id)}` },
    h('label', { for: comment.id }, 'Comment (recorded with your decision)'),
    comment,
    h('div', { class: 'actions' }, buttons),
    item.canDecide ? null : h('p', { class: 'note' }, `Only members of ${item.approverGroups.join(', ')} may decide, and never the requester.`),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const decision = event.submitter?.value === 'reject' ? 'reject' : 'approve';
    for (const b of buttons) b.disabled = true;
    try {
      const view = await api.post(`/v1/queries/${encodeURIComponent(item.id)}/decisions`, { decision, ...(comment.value.trim() ? { comment: comment.value.trim() } : {}) });
      announce(`Request ${shortId(item.id)}: ${decision === 'approve' ? 'approved' : 'rejected'}.`, 'ok');
      replace(outcome, statusLine(view));
      if (!FINAL.has(view.status)) await follow(api, item.id, outcome);
    } catch (error) {
      for (const b of buttons) b.disabled = !item.canDecide;
      replace(outcome, h('p', { class: 'error', role: 'alert' }, `The decision was not recorded: ${error.message}`));
      return;
    }
    replace(form, h('p', {}, h('button', { type: 'button', class: 'secondary', onclick: onDone }, 'Back to the queue')));
  });

  const approvedBy = item.approvals?.length ? item.approvals.map((a) => `${a.email ?? a.subject} ${a.comment ? `(“${a.comment}”)` : ''}`).join(', ') : 'none yet';
  return h(
    'article',
    { class: 'card', 'aria-labelledby': titleId, 'data-request-id': item.id },
    h('h2', { id: titleId }, `Request ${shortId(item.id)} `, h('span', { class: 'badge badge-approve' }, item.rule)),
    sqlBlock(item.sql, { 'aria-label': 'SQL' }),
    facts([
      ['Requester', requesterText(item.requester)],
      ['Acting agent', item.requester.actor],
      ['Reason', item.reason || '(none given)'],
      ['Tables', (item.tables ?? []).join(', ')],
      ['Statements', (item.statements ?? []).join(', ')],
      ['Cost estimate', `${formatBytes(item.bytesEstimate)} scanned, ${formatUsd(item.costEstimateUsd)}`],
      ['Masked columns', maskingList(item, masking)],
      ['Approvals', `${item.approvals?.length ?? 0} of ${item.required}: ${approvedBy}`],
      ['Requested', formatTime(item.requestedAt)],
      ['Expires', h('time', { datetime: item.expiresAt }, `${formatTime(item.expiresAt)} (${relativeTime(item.expiresAt)})`)],
      ['Session', item.sessionId],
    ]),
    form,
    outcome,
  );
}

function statusLine(view) {
  const parts = [h('span', { class: `badge badge-status-${view.status}` }, view.status.replace('_', ' '))];
  if (view.status === 'succeeded') {
    parts.push(` ${view.rowCount ?? 0} row(s)${view.affectedRows !== undefined ? `, ${view.affectedRows} affected` : ''}, ${formatBytes(view.bytesProcessed)} processed.`);
  }
  if (view.error?.message) parts.push(` ${view.error.message}`);
  return h('p', { class: 'status-line', 'data-status': view.status }, 'Status: ', parts);
}

/** Long-polls the request until it reaches a final state, then shows the (already masked) result. */
async function follow(api, id, outcome) {
  for (let attempt = 0; attempt < 40; attempt += 1) {
    const view = await api.get(`/v1/queries/${encodeURIComponent(id)}?wait=10`, { anyStatus: true });
    replace(outcome, statusLine(view));
    if (FINAL.has(view.status)) {
      if (view.status === 'succeeded' && Array.isArray(view.columns) && Array.isArray(view.rows)) outcome.append(resultTable(view));
      announce(`Request ${shortId(id)} finished: ${view.status}.`, view.status === 'succeeded' ? 'ok' : 'warn');
      return;
    }
  }
}

function resultTable(view) {
  const rows = view.rows.slice(0, 20);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('caption', {}, `Result (first ${rows.length} of ${view.rowCount} rows; masked columns are marked)`),
      h('thead', {}, h('tr', {}, view.columns.map((c) => h('th', { scope: 'col' }, c.name, c.masked ? h('span', { class: 'masked-mark' }, ` masked: ${c.masked}`) : null)))),
      h('tbody', {}, rows.map((row) => h('tr', {}, view.columns.map((c) => h('td', {}, cellText(row[c.name])))))),
    ),
  );
}

export function cellText(value) {
  if (value === null || value === undefined) return '∅';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
