/**
 * IBANs: country code, two check digits and the country's BBAN, in either case, written compact or
 * in groups of four (separated by one kind of space, dot, dash or underscore); the length must be
 * the country's and the number must pass the ISO 7064 mod-97 check. What comes before or after does
 * not matter (`acctDE89…`, `…3000x`): the checksum, not the boundary, rules out look-alikes.
 */
import type { Detector, TextMatch } from './types.js';
import { disjoint, hexTokens, insideAny, profileOf, spansOf, type TextProfile } from './types.js';

/** Total IBAN length per country (SWIFT IBAN registry). */
export const ibanLengths: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, CH: 21, CR: 22,
  CY: 28, CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22,
  GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IS: 26, IT: 27, JO: 30,
  KW: 30, KZ: 20, LB: 28, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27,
  MT: 31, MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24,
  SE: 24, SI: 19, SK: 24, SM: 27, TN: 24, TR: 26, UA: 29, VG: 24, XK: 20,
};

const startPattern = /([A-Za-z]{2})\d{2}/g;

const isIbanChar = (code: number): boolean => (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
const isGroupSeparator = (code: number): boolean => code === 32 || code === 45 || code === 46 || code === 95;

export function ibanChecksumValid(compact: string): boolean {
  const upper = compact.toUpperCase();
  const rearranged = upper.slice(4) + upper.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

/** The end of the IBAN starting at `start`, or -1: exactly `length` characters, single spaces allowed. */
function ibanEnd(text: string, start: number, length: number): { end: number; compact: string } | undefined {
  let compact = '';
  let i = start;
  let separator: number | undefined;
  while (compact.length < length && i < text.length) {
    const code = text.charCodeAt(i);
    if (isIbanChar(code)) {
      compact += text[i];
      i++;
    } else if (isGroupSeparator(code) && (separator === undefined || separator === code) && compact.length % 4 === 0 && isIbanChar(text.charCodeAt(i + 1))) {
      separator = code;
      i++;
    } else {
      break;
    }
  }
  if (compact.length !== length) return undefined;
  return { end: i, compact };
}

export function findIbans(text: string, profile?: TextProfile): TextMatch[] {
  if (text.length < 15 || !(profile ?? profileOf(text)).capitalsThenDigit) return [];
  const found = spansOf(text, startPattern, (m) => {
    const length = ibanLengths[(m[1] as string).toUpperCase()];
    if (length === undefined) return undefined;
    const found = ibanEnd(text, m.index, length);
    if (!found || !ibanChecksumValid(found.compact)) return undefined;
    return { start: m.index, end: found.end };
  });
  if (found.length === 0) return found;
  // A hex digest or UUID holds letter pairs and digits that can pass mod-97 by chance.
  const hex = hexTokens(text);
  const outsideHex = hex.length === 0 ? found : found.filter((span) => !insideAny(hex, span.start, span.end) && !overlapsAny(hex, span));
  return outsideHex.length < 2 ? outsideHex : disjoint(outsideHex);
}

const overlapsAny = (spans: readonly TextMatch[], span: TextMatch): boolean => spans.some((other) => span.start < other.end && other.start < span.end);

export const ibanDetector: Detector = { name: 'iban', replacement: '[IBAN]', find: findIbans };
