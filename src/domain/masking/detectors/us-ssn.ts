/**
 * US Social Security numbers: `AAA-GG-SSSS` anywhere, or nine digits (optionally spaced) right after
 * an SSN label ("SSN: 123456789"). Numbers the SSA never issues are not flagged.
 */
import type { Detector, TextMatch } from './types.js';
import { disjoint, profileOf, spansOf, type TextProfile } from './types.js';

const dashedPattern = /(?<![\w-])(\d{3})-(\d{2})-(\d{4})(?![\w-])/g;
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
  const dashed = spansOf(text, dashedPattern, (m) =>
    plausibleSsn(m[1] + m[2] + m[3]) ? { start: m.index, end: m.index + m[0].length } : undefined,
  );
  const labelled = spansOf(text, labelledPattern, (m) => {
    const [start, end] = m.indices?.[1] ?? [0, 0];
    return plausibleSsn(m[1].replace(/ /g, '')) ? { start, end } : undefined;
  });
  return labelled.length === 0 ? dashed : disjoint([...dashed, ...labelled]);
}

export const usSsnDetector: Detector = { name: 'us_ssn', replacement: '[US_SSN]', find: findSsns };
