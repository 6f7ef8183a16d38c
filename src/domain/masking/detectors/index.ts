/**
 * The content detectors and the scanner that runs the enabled ones over a string. Detectors run in a
 * fixed order — secrets first (a JWT or key block may contain anything), then the narrower shapes —
 * each over the text the previous ones left, so a span is replaced once.
 */
import type { DetectorName } from '../../policy/types.js';
import { creditCardDetector } from './credit-card.js';
import { emailDetector } from './email.js';
import { ibanDetector } from './iban.js';
import { phoneDetector } from './phone.js';
import { maySecret, secretDetector } from './secret.js';
import { isWholeHexToken, profileOf, type Detector, type TextMatch, type TextProfile } from './types.js';
import { usSsnDetector } from './us-ssn.js';

export { profileOf, type Detector, type TextMatch, type TextProfile } from './types.js';
export { findEmails } from './email.js';
export { findCardNumbers, luhnValid } from './credit-card.js';
export { findSsns } from './us-ssn.js';
export { findPhoneNumbers } from './phone.js';
export { findIbans, ibanChecksumValid } from './iban.js';
export { findSecrets } from './secret.js';

export const detectors: Readonly<Record<DetectorName, Detector>> = {
  email: emailDetector,
  credit_card: creditCardDetector,
  us_ssn: usSsnDetector,
  phone: phoneDetector,
  iban: ibanDetector,
  secret: secretDetector,
};

const scanOrder: readonly DetectorName[] = ['secret', 'email', 'iban', 'credit_card', 'us_ssn', 'phone'];

export function replaceSpans(text: string, spans: readonly TextMatch[], replacement: string): string {
  let out = '';
  let from = 0;
  for (const span of spans) {
    out += text.slice(from, span.start) + replacement;
    from = span.end;
  }
  return out + text.slice(from);
}

export type DetectorHit = (detector: DetectorName, count: number) => void;
export type TextScanner = (text: string, onHit: DetectorHit) => string;

/** Base64 runs long enough to hold a value worth finding (nine bytes encode to twelve characters). */
const base64Token = /[A-Za-z0-9+/]{12,}={0,2}/g;
const minimumBase64Run = 12;
const hexOnly = /^(?:[0-9a-f]+|[0-9A-F]+)$/;

/** The printable stretches (ASCII letters, digits, punctuation, blanks) of nine bytes or more in decoded bytes. */
function printableStretches(bytes: Buffer): string[] {
  const stretches: string[] = [];
  let from = 0;
  for (let i = 0; i <= bytes.length; i++) {
    const byte = i < bytes.length ? (bytes[i] as number) : -1;
    if (byte >= 32 ? byte <= 126 : byte >= 9 && byte <= 13) continue;
    if (i - from >= 9) stretches.push(bytes.toString('latin1', from, i));
    from = i + 1;
  }
  return stretches;
}

/**
 * The detector whose value a base64 run encodes, or undefined. Each of the four alignments is tried
 * (the run may begin part-way into an encoding, `prefix` + base64), and within the decoded bytes
 * each printable stretch, so text glued before or after does not hide it.
 */
function encodedHit(token: string, detect: (text: string) => Detector | undefined): Detector | undefined {
  // A hex digest is not base64 of text: printable text encodes with letters outside a–f (or A–F).
  if (hexOnly.test(token)) return undefined;
  const bare = token.replace(/=+$/, '');
  for (let offset = 0; offset < 4 && bare.length - offset >= minimumBase64Run; offset++) {
    for (const stretch of printableStretches(Buffer.from(bare.slice(offset), 'base64'))) {
      const hit = detect(stretch);
      if (hit) return hit;
    }
  }
  return undefined;
}

/**
 * False when the profile rules every detector out: fewer than nine digits in a chain (eight with a
 * `+`), no `@`, no letters-then-digit, no base64 run, no credential marker. Each detector checks its
 * own part of this again; here it saves the rest of the work for most cells (names, amounts, dates).
 */
function mayHoldAnything(text: string, profile: TextProfile): boolean {
  return (
    profile.digitChain >= 9 ||
    (profile.digitChain >= 8 && profile.hasPlus) ||
    profile.hasAt ||
    (profile.capitalsThenDigit && text.length >= 15) ||
    profile.base64Run >= minimumBase64Run ||
    maySecret(text)
  );
}

/** A scanner running the named detectors; unknown or repeated names are ignored. */
export function createTextScanner(names: readonly DetectorName[]): TextScanner {
  const active = scanOrder.filter((name) => names.includes(name)).map((name) => detectors[name]);
  const firstDetecting = (text: string): Detector | undefined => {
    const profile = profileOf(text);
    return active.find((detector) => detector.find(text, profile).length > 0);
  };
  const scanOnce = (text: string, profile: TextProfile, onHit: DetectorHit): string => {
    let current = text;
    for (const detector of active) {
      const spans = detector.find(current, profile);
      if (spans.length === 0) continue;
      current = replaceSpans(current, spans, detector.replacement);
      onHit(detector.name, spans.length);
    }
    if (profile.base64Run < minimumBase64Run || active.length === 0) return current;
    // A value written in base64 (TO_BASE64, a client's encoding) is the value: its run is replaced.
    return current.replace(base64Token, (token) => {
      const hit = encodedHit(token, firstDetecting);
      if (!hit) return token;
      onHit(hit.name, 1);
      return hit.replacement;
    });
  };
  // Result columns repeat their values (statuses, cities, notes); a short text is scanned once per result.
  const rememberedTexts = new Map<string, string>();
  const rememberedHits = new Map<string, readonly (readonly [DetectorName, number])[]>();
  let pending: [DetectorName, number][] = [];
  const collect: DetectorHit = (name, count) => void pending.push([name, count]);
  return (text, onHit) => {
    // A digest or UUID (ids, hashes) holds nothing any detector finds: the common case, skipped early.
    if (isWholeHexToken(text)) return text;
    // One profile serves every detector: replacements only remove digits, so it never understates.
    const profile = profileOf(text);
    if (!mayHoldAnything(text, profile)) return text;
    if (text.length > rememberedLength) return scanOnce(text, profile, onHit);
    const known = rememberedTexts.get(text);
    if (known !== undefined) {
      for (const [name, count] of rememberedHits.get(text) ?? []) onHit(name, count);
      return known;
    }
    const scanned = scanOnce(text, profile, collect);
    if (rememberedTexts.size >= rememberedLimit) {
      rememberedTexts.clear();
      rememberedHits.clear();
    }
    rememberedTexts.set(text, scanned);
    if (pending.length > 0) {
      for (const [name, count] of pending) onHit(name, count);
      rememberedHits.set(text, pending);
      pending = [];
    }
    return scanned;
  };
}

const rememberedLength = 256;
const rememberedLimit = 4096;
