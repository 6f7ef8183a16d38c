// Sessions and their replay: every event of an agent's session in order, with what each one says.
import { announce, h, replace } from './dom.js';
import { formatTime, shortId } from './format.js';
import { sqlBlock } from './sql-highlight.js';

export function sessionsSection({ api, replayInto }) {
  const body = h('div', { class: 'table-wrap' });
  const element = h('section', { 'aria-labelledby': 'sessions-title' }, h('h2', { id: 'sessions-title' }, 'Sessions'), body);

  async function load() {
    try {
      const { items } = await api.get('/v1/sessions');
      replace(
        body,
        items.length === 0
          ? h('p', { class: 'empty' }, 'No sessions yet (agents group calls with the X-Session-Id header).')
          : h(
              'table',
              {},
              h('caption', {}, `${items.length} session(s), most recent first`),
              h('thead', {}, h('tr', {}, ['Session', 'First activity', 'Last activity', 'Requests', ''].map((c) => h('th', { scope: 'col' }, c)))),
              h(
                'tbody',
                {},
                items.slice(0, 200).map((session) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, h('code', {}, session.sessionId)),
                    h('td', {}, formatTime(session.firstAt)),
                    h('td', {}, formatTime(session.lastAt)),
                    h('td', {}, String(session.streams)),
                    h('td', {}, h('button', { type: 'button', class: 'secondary', 'aria-label': `Replay session ${session.sessionId}`, onclick: () => open(session.sessionId) }, 'Replay')),
                  ),
                ),
              ),
            ),
      );
    } catch (error) {
      replace(body, h('p', { class: 'error', role: 'alert' }, `Sessions could not be loaded: ${error.message}`));
    }
  }

  async function open(sessionId) {
    replace(replayInto, h('h2', { id: 'replay-title', tabindex: '-1' }, `Replay of session ${sessionId}`), h('p', {}, 'Loading…'));
    try {
      const replay = await api.get(`/v1/sessions/${encodeURIComponent(sessionId)}`);
      replace(
        replayInto,
        h('h2', { id: 'replay-title', tabindex: '-1' }, `Replay of session ${sessionId}`),
        h('p', {}, `${replay.count} event(s), in the order they were recorded.`),
        h('ol', { class: 'timeline' }, replay.events.map(timelineEntry)),
      );
      announce(`Session ${sessionId}: ${replay.count} events.`);
    } catch (error) {
      replace(replayInto, h('h2', { id: 'replay-title', tabindex: '-1' }, `Replay of session ${sessionId}`), h('p', { class: 'error', role: 'alert' }, error.message));
    }
    replayInto.scrollIntoView({ block: 'start' });
    replayInto.querySelector('#replay-title')?.focus();
  }

  return { element, load, open };
}

function timelineEntry(event) {
  const requestId = event.stream.replace(/^query-/, '');
  return h(
    'li',
    { class: `event event-${event.type}`, 'data-type': event.type },
    h('div', { class: 'event-head' }, h('time', { datetime: event.occurredAt }, formatTime(event.occurredAt)), ' ', h('strong', {}, event.type), h('span', { class: 'hint' }, ` request ${shortId(requestId)} · #${event.position}`)),
    summary(event),
    h('details', {}, h('summary', {}, 'Event data'), h('pre', { class: 'json' }, JSON.stringify({ data: event.data, metadata: event.metadata, hash: event.hash }, null, 2))),
  );
}

function summary(event) {
  const d = event.data ?? {};
  switch (event.type) {
    case 'QueryRequested':
      return [h('p', {}, `${d.principal?.email ?? d.principal?.subject ?? ''}${d.principal?.actor ? ` via ${d.principal.actor.subject}` : ''} asked${d.reason ? `: “${d.reason}”` : ''}`), sqlBlock(d.sql)];
    case 'QueryAnalysed':
      return h('p', {}, `${(d.kinds ?? []).join(', ')} on ${(d.tables ?? []).join(', ') || 'no tables'}`);
    case 'PolicyEvaluated':
      return h('p', {}, `Policy: ${d.effect} by rule ${d.rule}`);
    case 'ApprovalRequested':
      return h('p', {}, `Needs ${d.settings?.required} approval(s) from ${(d.settings?.approverGroups ?? []).join(', ')} before ${formatTime(d.expiresAt)}`);
    case 'ApprovalDecided':
      return h('p', {}, `${d.decider?.email ?? d.decider?.subject}: ${d.decision}${d.comment ? ` — “${d.comment}”` : ''}`);
    case 'QueryDenied':
      return h('p', {}, `Denied by ${d.rule}: ${d.reason}`);
    case 'QueryRejected':
      return h('p', {}, `Rejected by ${d.by}${d.comment ? ` — “${d.comment}”` : ''}`);
    case 'ExecutionSucceeded':
      return h('p', {}, `${d.rowCount} row(s)${d.affectedRows !== undefined ? `, ${d.affectedRows} affected` : ''} in ${Math.round(d.durationMs ?? 0)} ms`);
    case 'ExecutionStarted':
      return h('p', {}, `Job ${d.jobId} on ${d.warehouse}${d.resumed ? ' (resumed after a restart)' : ''}`);
    case 'ResultMasked': {
      const masked = (d.maskedColumns ?? []).map((c) => `${c.column} → ${c.rule}`);
      const hits = (d.detectorHits ?? []).map((hit) => `${hit.detector} in ${hit.column} ×${hit.count}`);
      return h('p', {}, `Masked: ${masked.join(', ') || 'no columns'}${hits.length ? `; detectors: ${hits.join(', ')}` : ''}`);
    }
    case 'ResultDelivered':
      return h('p', {}, `${d.rowCount} row(s) delivered${d.truncated ? ' (truncated)' : ''}`);
    case 'ExecutionFailed':
      return h('p', {}, `${d.code}: ${d.message}`);
    default:
      return null;
  }
}
