/** Email addresses: local@domain.tld with a letters-only top-level domain (so `pkg@1.2.3` is not one). */
import type { Detector, TextMatch } from './types.js';
import { spansOf, type TextProfile } from './types.js';

const emailPattern =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;

export function findEmails(text: string, profile?: TextProfile): TextMatch[] {
  if (!(profile ? profile.hasAt : text.includes('@'))) return [];
  return spansOf(text, emailPattern, (m) => ({ start: m.index, end: m.index + m[0].length }));
}

export const emailDetector: Detector = { name: 'email', replacement: '[EMAIL]', find: findEmails };
