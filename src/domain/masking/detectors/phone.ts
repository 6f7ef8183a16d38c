/**
 * Phone numbers: international `+` numbers with 8–15 digits (spaces, dashes, underscores or a
 * bracketed group allowed), and North American numbers with one kind of separator or none —
 * `(212) 555-0187`, `212-555-0187`, `212.555.0187`, `212_555_0187`, `2125550187`, `1-212-555-0187`
 * — bounded by any non-digit (letters and `_` included) outside hex digests and UUIDs. A bare ten-digit
 * number with a valid area code and exchange is taken for a phone: masking errs towards hiding.
 */
import type { Detector, TextMatch } from './types.js';
import { countDigits, disjoint, hexTokens, insideAny, profileOf, spansOf, type TextProfile } from './types.js';

// Each step takes one digit or one bracketed group, so a long run cannot backtrack exponentially.
const internationalPattern = /(?<![\d+])\+\d(?:[ _-]?(?:\(\d{1,4}\)|\d)){6,20}(?!\d|[ _-]?[\d(]|\.\d)/g;
const northAmericanPattern =
  /(?<![\d+])(?:1[ ._-]?)?(?:\((\d{3})\) ?|(\d{3})([-. _]?))(\d{3})([-. _]?)(\d{4})(?!\d|[-.]\d)/g;

function plausibleInternational(candidate: string): boolean {
  const digits = countDigits(candidate);
  if (digits < 8 || digits > 15 || candidate[1] === '0') return false;
  return candidate.split('(').length <= 2;
}

function plausibleNorthAmerican(m: RegExpExecArray): boolean {
  const area = m[1] ?? m[2];
  const exchange = m[4];
  // Written with separators, the two separators agree: 212-555-0187, not 212.555-0187.
  if (m[3] !== undefined && m[3] !== m[5]) return false;
  return area[0] >= '2' && exchange[0] >= '2';
}

export function findPhoneNumbers(text: string, profile?: TextProfile): TextMatch[] {
  if (text.length < 9) return [];
  const { digitChain, hasPlus } = profile ?? profileOf(text);
  if (digitChain < 8 || (digitChain < 10 && !hasPlus)) return [];
  const international = hasPlus
    ? spansOf(text, internationalPattern, (m) =>
        plausibleInternational(m[0]) ? { start: m.index, end: m.index + m[0].length } : undefined,
      )
    : [];
  const northAmerican = spansOf(text, northAmericanPattern, (m) =>
    plausibleNorthAmerican(m) ? { start: m.index, end: m.index + m[0].length } : undefined,
  );
  const found = international.length === 0 ? northAmerican : disjoint([...international, ...northAmerican]);
  if (found.length === 0) return found;
  const hex = hexTokens(text);
  return hex.length === 0 ? found : found.filter((span) => !insideAny(hex, span.start, span.end));
}

export const phoneDetector: Detector = { name: 'phone', replacement: '[PHONE]', find: findPhoneNumbers };
