/**
 * Durations and sizes as a policy author writes them. Parsing is strict: an unrecognised unit is an
 * error rather than a guess, because a misread threshold silently changes what a rule catches.
 */

const secondsPerUnit = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

const bytesPerUnit: Readonly<Record<string, number>> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  PB: 1e15,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
  PiB: 2 ** 50,
};

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const durationPattern = /^(\d+)\s*([smhd])$/;
const sizePattern = /^(\d+(?:\.\d+)?)\s*([A-Za-z]+)?$/;

/** `90s`, `30m`, `1h`, `2d` → seconds (a positive whole number). */
export function parseDuration(value: unknown): Parsed<number> {
  const invalid = { ok: false, message: 'must be a duration such as 90s, 30m, 1h or 2d' } as const;
  if (typeof value !== 'string') return invalid;
  const match = durationPattern.exec(value.trim());
  if (!match) return invalid;
  const seconds = Number(match[1]) * secondsPerUnit[match[2] as keyof typeof secondsPerUnit];
  if (seconds <= 0) return { ok: false, message: 'must be a duration longer than zero' };
  if (!Number.isSafeInteger(seconds)) return { ok: false, message: 'is too long a duration' };
  return { ok: true, value: seconds };
}

/**
 * `100GiB`, `1.5TB`, `500MB`, `1048576` → bytes. KiB/MiB/GiB/TiB/PiB count in 1024s,
 * KB/MB/GB/TB/PB in 1000s; a plain number (or a number without unit) is bytes.
 */
export function parseSize(value: unknown): Parsed<number> {
  const invalid = {
    ok: false,
    message: 'must be a size such as 500MB, 1.5TB or 100GiB (KB/MB/GB/TB/PB count in 1000s, KiB/MiB/GiB/TiB/PiB in 1024s) or a number of bytes',
  } as const;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return { ok: false, message: 'must not be negative' };
    if (!Number.isSafeInteger(Math.round(value))) return { ok: false, message: 'is too large a size' };
    return { ok: true, value: Math.round(value) };
  }
  if (typeof value !== 'string') return invalid;
  const match = sizePattern.exec(value.trim());
  if (!match) return invalid;
  const unit = match[2] ?? 'B';
  const factor = Object.hasOwn(bytesPerUnit, unit) ? bytesPerUnit[unit] : undefined;
  if (factor === undefined) return { ok: false, message: `has an unknown size unit "${unit}"; ${invalid.message}` };
  const bytes = Math.round(Number(match[1]) * factor);
  if (!Number.isSafeInteger(bytes)) return { ok: false, message: 'is too large a size' };
  return { ok: true, value: bytes };
}

/** For reasons: 107374182400 → `100 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let index = 0;
  while (value >= 1024 && index < units.length - 1) {
    value /= 1024;
    index += 1;
  }
  const rounded = Number.isInteger(value) ? String(value) : value.toFixed(2).replace(/\.?0+$/, '');
  return `${rounded} ${units[index]}`;
}
