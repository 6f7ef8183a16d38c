/**
 * US Social Security numbers: `AAA-GG-SSSS` with one kind of separator (dash, space, dot,
 * underscore) or none, bounded by any non-digit (letters and `_` included) outside hex digests and
 * UUIDs; or nine digits (optionally spaced) right after an SSN label ("SSN: 123456789"). Numbers the
 * SSA never issues are not flagged. A bare nine-digit number that could be an SSN is taken for one:
 * masking errs towards hiding.
 */
import type { Detector, TextMatch } from './types.js';
import { disjoint, hexTokens, insideAny, profileOf, spansOf, type TextProfile } from './types.js';

const dashedPattern = /(?<!\d)(\d{3})([ ._-]?)(\d{2})\2(\d{4})(?!\d)/g;
const labelledPattern =
  /(?<![A-Za-z])(?:ssn|ss#|social[ _-]?security(?:[ _-]?(?:number|num|no))?)[\s:=#.'"-]{0,5}(\d{3} ?\d{2} ?\d{4})(?![\w-])/dgi;

/** Published examples and advertising numbers that are valid in shape but never anyone's. */
const knownInvalid = new Set(['078051120', '123456789', '219099999']);

export function plausibleSsn(digits: string): boolean {
  const area = Number(digits.slice(0, 3));
  const group = digits.slice(3, 5);
  const serial = digits.slice(5);
  if (area === 0 || area === 666 || area >= 900) return false;
  if (group === '00' || serial === '0000') return false;
  return !knownInvalid.has(digits);
}

export function findSsns(text: string, profile?: TextProfile): TextMatch[] {
  if (text.length < 9 || (profile ?? profileOf(text)).digitChain < 9) return [];
  let hex: TextMatch[] | undefined;
  const dashed = spansOf(text, dashedPattern, (m) => {
    if (!plausibleSsn(m[1] + m[3] + m[4])) return undefined;
    const span = { start: m.index, end: m.index + m[0].length };
    hex ??= hexTokens(text);
    return insideAny(hex, span.start, span.end) ? undefined : span;
  });
  const labelled = spansOf(text, labelledPattern, (m) => {
    const [start, end] = m.indices?.[1] ?? [0, 0];
    return plausibleSsn(m[1].replace(/ /g, '')) ? { start, end } : undefined;
  });
  return labelled.length === 0 ? dashed : disjoint([...dashed, ...labelled]);
}

export const usSsnDetector: Detector = { name: 'us_ssn', replacement: '[US_SSN]', find: findSsns };
