/**
 * Payment card numbers: 13–19 digits, Luhn-valid and starting with a known issuer prefix at a length
 * that issuer uses; compact, or grouped by one kind of separator (space, dot, dash, underscore). A
 * run is bounded by any non-digit — letters and `_` included (`x4111…`, `card_4111…`) — except
 * inside a hex digest or UUID. In a longer run of groups, every stretch of whole groups is tried.
 */
import type { Detector, TextMatch } from './types.js';
import { hexTokens, insideAny, profileOf, spansOf, type TextProfile } from './types.js';

/** Digits with single separators between them; no lookbehind needed, a match starts at a run's first digit. */
const runPattern = /\d(?:[ ._-]?\d)*/g;
const isSeparator = (code: number): boolean => code === 32 || code === 46 || code === 45 || code === 95;
const maxGroupsTried = 12;

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

const isCard = (digits: string): boolean => digits.length >= 13 && digits.length <= 19 && knownIssuer(digits) && luhnValid(digits);

interface Group {
  readonly start: number;
  readonly end: number;
  readonly separator: string;
}

/** The groups of one run: digits between separators, each with the separator before it. */
function groupsOf(run: string, offset: number): Group[] {
  const groups: Group[] = [];
  let start = 0;
  for (let i = 0; i <= run.length; i++) {
    if (i === run.length || isSeparator(run.charCodeAt(i))) {
      groups.push({ start: offset + start, end: offset + i, separator: start === 0 ? '' : (run[start - 1] as string) });
      start = i + 1;
    }
  }
  return groups;
}

/** The card numbers in one run: the longest stretch of whole groups, one separator kind, that is a card. */
function cardsInRun(text: string, run: string, offset: number): TextMatch[] {
  const groups = groupsOf(run, offset);
  const found: TextMatch[] = [];
  for (let i = 0; i < groups.length && i < maxGroupsTried; i++) {
    let digits = '';
    let kind: string | undefined;
    let best: TextMatch | undefined;
    for (let j = i; j < groups.length && j < i + maxGroupsTried; j++) {
      const group = groups[j] as Group;
      if (j > i) {
        if (kind !== undefined && group.separator !== kind) break;
        kind = group.separator;
      }
      digits += text.slice(group.start, group.end);
      if (digits.length > 19) break;
      if (isCard(digits)) best = { start: (groups[i] as Group).start, end: group.end };
    }
    if (best) {
      found.push(best);
      while (i + 1 < groups.length && (groups[i + 1] as Group).start < best.end) i++;
    }
  }
  return found;
}

export function findCardNumbers(text: string, profile?: TextProfile): TextMatch[] {
  if (text.length < 13 || (profile ?? profileOf(text)).digitChain < 13) return [];
  const runs: TextMatch[][] = [];
  spansOf(text, runPattern, (m) => {
    if (m[0].length >= 13) runs.push(cardsInRun(text, m[0], m.index));
    return undefined;
  });
  const found = runs.flat();
  if (found.length === 0) return found;
  const hex = hexTokens(text);
  return hex.length === 0 ? found : found.filter((span) => !insideAny(hex, span.start, span.end));
}

export const creditCardDetector: Detector = { name: 'credit_card', replacement: '[CREDIT_CARD]', find: findCardNumbers };
