// Formatting helpers: sizes, money, times.
export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined) return 'unknown';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 && unit > 0 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export function formatUsd(amount) {
  if (amount === null || amount === undefined) return 'unknown';
  if (amount === 0) return '$0';
  return amount < 0.01 ? `< $0.01` : `$${amount.toFixed(2)}`;
}

export function formatTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso ?? '') : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** "in 59 min", "3 min ago" */
export function relativeTime(iso, now = Date.now()) {
  const diff = new Date(iso).getTime() - now;
  if (Number.isNaN(diff)) return '';
  const minutes = Math.round(Math.abs(diff) / 60000);
  const text = minutes < 1 ? 'less than a minute' : minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
  return diff >= 0 ? `in ${text}` : `${text} ago`;
}

export function shortId(id) {
  return String(id ?? '').slice(0, 8);
}

/** An ISO string from a datetime-local input's value (local time), or undefined. */
export function isoFromLocalInput(value) {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
