// Charts as plain SVG built with DOM calls. Each chart has a text alternative (aria-label plus a
// <title> per mark) so the numbers are reachable without seeing the picture.
import { h, s } from './dom.js';

const DECISIONS = ['allow', 'approve', 'deny'];

/** Rows → [{ hour: Date, counts: { allow, approve, deny, other } }] for the hours that have rows. */
export function requestsPerHour(rows) {
  const buckets = new Map();
  for (const row of rows) {
    const time = new Date(row.time);
    if (Number.isNaN(time.getTime())) continue;
    time.setMinutes(0, 0, 0);
    const key = time.getTime();
    const bucket = buckets.get(key) ?? { hour: time, counts: { allow: 0, approve: 0, deny: 0, other: 0 } };
    bucket.counts[DECISIONS.includes(row.decision) ? row.decision : 'other'] += 1;
    buckets.set(key, bucket);
  }
  return [...buckets.values()].sort((a, b) => a.hour - b.hour).slice(-48);
}

/** The top `limit` values of key(row), by count. */
export function topCounts(rows, key, limit = 8) {
  const counts = new Map();
  for (const row of rows) {
    const value = key(row);
    if (value) counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, limit);
}

function figure(title, svgEl, empty) {
  return h('figure', { class: 'chart' }, h('figcaption', {}, title), empty ? h('p', { class: 'empty' }, 'No data in this selection.') : svgEl);
}

export function hourlyChart(rows) {
  const buckets = requestsPerHour(rows);
  const width = 1100;
  const height = 220;
  const pad = { left: 36, bottom: 28, top: 10, right: 8 };
  const max = Math.max(1, ...buckets.map((b) => Object.values(b.counts).reduce((x, y) => x + y, 0)));
  const slot = (width - pad.left - pad.right) / Math.max(buckets.length, 1);
  const barWidth = Math.max(4, Math.min(48, slot * 0.7));
  const scale = (n) => (n / max) * (height - pad.top - pad.bottom);
  const summary = buckets.map((b) => `${b.hour.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}: ${Object.entries(b.counts).filter(([, n]) => n).map(([d, n]) => `${n} ${d}`).join(', ')}`).join('; ');
  const svgEl = s(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `Requests per hour by decision. ${summary}`, class: 'chart-svg' },
    s('line', { x1: pad.left, y1: height - pad.bottom, x2: width - pad.right, y2: height - pad.bottom, class: 'axis' }),
    s('text', { x: pad.left - 6, y: pad.top + 8, 'text-anchor': 'end', class: 'tick' }, String(max)),
    s('text', { x: pad.left - 6, y: height - pad.bottom, 'text-anchor': 'end', class: 'tick' }, '0'),
    buckets.map((bucket, index) => {
      const x = pad.left + index * slot + (slot - barWidth) / 2;
      let y = height - pad.bottom;
      const label = bucket.hour.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
      const bars = ['allow', 'approve', 'deny', 'other'].filter((d) => bucket.counts[d] > 0).map((decision) => {
        const barHeight = scale(bucket.counts[decision]);
        y -= barHeight;
        return s('rect', { x, y, width: barWidth, height: barHeight, class: `bar d-${decision}` }, s('title', {}, `${label}: ${bucket.counts[decision]} ${decision}`));
      });
      const showLabel = buckets.length <= 12 || index % Math.ceil(buckets.length / 12) === 0;
      return [bars, showLabel ? s('text', { x: x + barWidth / 2, y: height - pad.bottom + 16, 'text-anchor': 'middle', class: 'tick' }, label) : null];
    }),
  );
  const legend = h('ul', { class: 'legend' }, ['allow', 'approve', 'deny'].map((d) => h('li', {}, h('span', { class: `swatch d-${d}`, 'aria-hidden': 'true' }), d)));
  const fig = figure('Requests per hour, by decision', svgEl, buckets.length === 0);
  fig.classList.add('chart-wide');
  fig.append(legend);
  return fig;
}

export function barChart(title, entries, { barClass = 'bar-neutral' } = {}) {
  const rowHeight = 26;
  const width = 560;
  const labelWidth = 200;
  const height = Math.max(rowHeight, entries.length * rowHeight);
  const max = Math.max(1, ...entries.map(([, n]) => n));
  const svgEl = s(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `${title}. ${entries.map(([k, n]) => `${k}: ${n}`).join('; ')}`, class: 'chart-svg' },
    entries.map(([key, count], index) => {
      const y = index * rowHeight;
      const barWidth = ((width - labelWidth - 40) * count) / max;
      const label = key.length > 28 ? `${key.slice(0, 27)}…` : key;
      return [
        s('text', { x: labelWidth - 8, y: y + 17, 'text-anchor': 'end', class: 'label' }, label),
        s('rect', { x: labelWidth, y: y + 4, width: Math.max(2, barWidth), height: rowHeight - 8, class: `bar ${barClass}` }, s('title', {}, `${key}: ${count}`)),
        s('text', { x: labelWidth + barWidth + 6, y: y + 17, class: 'value' }, String(count)),
      ];
    }),
  );
  return figure(title, svgEl, entries.length === 0);
}
