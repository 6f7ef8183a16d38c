import type { DetectorName } from '../../policy/types.js';

/** A half-open span [start, end) of the scanned text. */
export interface TextMatch {
  readonly start: number;
  readonly end: number;
}

/**
 * What one cheap pass over a text tells the detectors, so most texts are ruled out before any
 * regular expression runs.
 */
export interface TextProfile {
  /** Most digits in one run where digits may be joined by up to three of ` -.()`. */
  readonly digitChain: number;
  readonly hasAt: boolean;
  readonly hasPlus: boolean;
  /** Two letters (either case) directly followed by a digit (an IBAN's start). */
  readonly capitalsThenDigit: boolean;
  /** Longest run of base64 characters (`A–Z a–z 0–9 + / =`). */
  readonly base64Run: number;
}

export interface Detector {
  readonly name: DetectorName;
  /** What replaces a match: `[EMAIL]`, `[CREDIT_CARD]`, … */
  readonly replacement: string;
  /** Matches in order, never overlapping. The profile of `text` may be passed when already known. */
  find(text: string, profile?: TextProfile): TextMatch[];
}

export function countDigits(text: string): number {
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) digits++;
  }
  return digits;
}

/** Characters that may separate digit groups: space - . ( ) _ */
const isJoiner = (code: number): boolean => code === 32 || code === 45 || code === 46 || code === 40 || code === 41 || code === 95;
const isLetter = (code: number): boolean => (code >= 65 && code <= 90) || (code >= 97 && code <= 122);

export function profileOf(text: string): TextProfile {
  let digitChain = 0;
  let chain = 0;
  let gap = 0;
  let capitals = 0;
  let hasAt = false;
  let hasPlus = false;
  let capitalsThenDigit = false;
  let base64Run = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // Base64 characters: letters, digits, + / =
    if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code >= 47 && code <= 57) || code === 43 || code === 61) {
      if (++run > base64Run) base64Run = run;
    } else {
      run = 0;
    }
    if (code >= 48 && code <= 57) {
      if (capitals >= 2) capitalsThenDigit = true;
      chain++;
      gap = 0;
      if (chain > digitChain) digitChain = chain;
      capitals = 0;
      continue;
    }
    if (isJoiner(code)) {
      if (++gap > 3) chain = 0;
    } else {
      chain = 0;
      gap = 0;
      if (code === 64) hasAt = true;
      else if (code === 43) hasPlus = true;
    }
    capitals = isLetter(code) ? capitals + 1 : 0;
  }
  return { digitChain, hasAt, hasPlus, capitalsThenDigit, base64Run };
}

/**
 * Runs a global pattern over the text. The pattern object is shared by the module that owns it;
 * matching is synchronous and lastIndex is reset before and after, so no state outlives a call.
 */
export function spansOf(text: string, pattern: RegExp, accept: (match: RegExpExecArray) => TextMatch | undefined): TextMatch[] {
  const found: TextMatch[] = [];
  pattern.lastIndex = 0;
  try {
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      const span = accept(match);
      if (span) found.push(span);
      if (match[0].length === 0) pattern.lastIndex++;
    }
  } finally {
    pattern.lastIndex = 0;
  }
  return found;
}

/** Sorted, non-overlapping: where two spans overlap the earlier (then longer) one is kept. */
export function disjoint(spans: readonly TextMatch[]): TextMatch[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: TextMatch[] = [];
  for (const span of sorted) {
    const last = kept[kept.length - 1];
    if (last === undefined || span.start >= last.end) kept.push(span);
  }
  return kept;
}

/**
 * Spans of hex strings — digests of 16 or more hex digits in one case, with at least three letters and a digit,
 * and UUIDs — whose digit runs are not numbers. Three letters, so that a lower-case IBAN with a
 * digits-only BBAN (`de89…`, two letters) is not taken for a digest. Empty for most texts.
 */
const hexTokenPattern =
  /[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|(?<![0-9A-Za-z])(?:[0-9a-f]{16,}|[0-9A-F]{16,})(?![0-9A-Za-z])/g;
const threeHexLetters = /[A-Fa-f][^A-Fa-f]*[A-Fa-f][^A-Fa-f]*[A-Fa-f]/;

export function hexTokens(text: string): TextMatch[] {
  if (text.length < 16) return [];
  return spansOf(text, hexTokenPattern, (m) => {
    const uuid = m[0].includes('-');
    return uuid || (threeHexLetters.test(m[0]) && /\d/.test(m[0])) ? { start: m.index, end: m.index + m[0].length } : undefined;
  });
}

export const insideAny = (spans: readonly TextMatch[], start: number, end: number): boolean =>
  spans.some((span) => start >= span.start && end <= span.end);

const wholeHexPattern = /^(?:[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|[0-9a-f]{16,}|[0-9A-F]{16,})$/;

/** True when the whole text is one hex digest or UUID: no detector can find anything in it. */
export function isWholeHexToken(text: string): boolean {
  if (text.length < 16 || !wholeHexPattern.test(text)) return false;
  return text.includes('-') || (threeHexLetters.test(text) && /\d/.test(text));
}
