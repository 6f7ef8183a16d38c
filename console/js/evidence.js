// The evidence download: a signed bundle for a period, fetched with the bearer token and saved as a file.
import { announce, h } from './dom.js';
import { isoFromLocalInput } from './format.js';

export function evidenceSection({ api }) {
  const from = h('input', { id: 'e-from', type: 'datetime-local', step: '1' });
  const to = h('input', { id: 'e-to', type: 'datetime-local', step: '1' });
  const button = h('button', { type: 'submit' }, 'Download evidence');
  const note = h('p', { class: 'hint', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'filters', 'aria-labelledby': 'evidence-title' },
    h('div', { class: 'field' }, h('label', { for: from.id }, 'From (optional)'), from),
    h('div', { class: 'field' }, h('label', { for: to.id }, 'To (optional)'), to),
    h('div', { class: 'field field-actions' }, button),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    const fromIso = isoFromLocalInput(from.value);
    const toIso = isoFromLocalInput(to.value);
    if (fromIso) params.set('from', fromIso);
    if (toIso) params.set('to', toIso);
    button.disabled = true;
    note.textContent = 'Preparing the bundle…';
    try {
      const blob = await api.blob(`/v1/evidence${params.size ? `?${params}` : ''}`);
      const url = URL.createObjectURL(blob);
      const link = h('a', { href: url, download: `ledgergate-evidence-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, class: 'visually-hidden' }, 'download');
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      note.textContent = `Downloaded ${Math.round(blob.size / 1024)} KiB. Check it offline with: npx ledgergate verify <file>`;
      announce('Evidence bundle downloaded.', 'ok');
    } catch (error) {
      note.textContent = `The evidence could not be downloaded: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  });
  return h(
    'section',
    { 'aria-labelledby': 'evidence-title' },
    h('h2', { id: 'evidence-title' }, 'Evidence'),
    h('p', {}, 'A signed bundle of the event log (all of it, or a period), verifiable offline.'),
    form,
    note,
  );
}
