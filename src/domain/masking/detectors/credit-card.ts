/**
 * Payment card numbers: 13–19 digits, optionally grouped by single spaces or dashes, Luhn-valid and
 * starting with a known issuer prefix at a length that issuer uses. Digit runs glued to letters or
 * dashes (hashes, UUID groups, ORD-… numbers) are not candidates.
 */
import type { Detector, TextMatch } from './types.js';
import { profileOf, spansOf, type TextProfile } from './types.js';

const candidatePattern = /(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])/g;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

const between = (value: number, low: number, high: number): boolean => value >= low && value <= high;

/** Issuer prefixes (IIN ranges) and the lengths each issuer uses. */
export function knownIssuer(digits: string): boolean {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  const p6 = Number(digits.slice(0, 6));
  if (digits[0] === '4') return n === 13 || n === 16 || n === 19; // Visa
  if (between(p2, 51, 55) || between(p4, 2221, 2720)) return n === 16; // Mastercard
  if (p2 === 34 || p2 === 37) return n === 15; // American Express
  if (between(p4, 2200, 2204)) return n >= 16; // Mir
  if (p4 === 6011 || p2 === 65 || between(p3, 644, 649) || between(p6, 622126, 622925)) return n >= 16; // Discover
  if (between(p4, 3528, 3589)) return n >= 16; // JCB
  if (p2 === 62) return n >= 16; // UnionPay
  if (between(p3, 300, 305) || p2 === 36 || p2 === 38 || p2 === 39) return n >= 14; // Diners Club
  if ([5018, 5020, 5038, 5893, 6304, 6759, 6761, 6762, 6763].includes(p4)) return n >= 13; // Maestro
  return false;
}

function wellGrouped(candidate: string): boolean {
  const separators = candidate.match(/[ -]/g);
  if (separators === null) return true;
  if (new Set(separators).size > 1) return false;
  const groups = candidate.split(separators[0]);
  return groups[0].length === 4 && groups.slice(1).every((group) => group.length >= 3 && group.length <= 6);
}

export function findCardNumbers(text: string, profile?: TextProfile): TextMatch[] {
  if (text.length < 13 || (profile ?? profileOf(text)).digitChain < 13) return [];
  return spansOf(text, candidatePattern, (m) => {
    const digits = m[0].replace(/[ -]/g, '');
    if (!wellGrouped(m[0]) || !knownIssuer(digits) || !luhnValid(digits)) return undefined;
    return { start: m.index, end: m.index + m[0].length };
  });
}

export const creditCardDetector: Detector = { name: 'credit_card', replacement: '[CREDIT_CARD]', find: findCardNumbers };
