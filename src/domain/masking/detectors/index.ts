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
import { secretDetector } from './secret.js';
import { profileOf, type Detector, type TextMatch } from './types.js';
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

/** A scanner running the named detectors; unknown or repeated names are ignored. */
export function createTextScanner(names: readonly DetectorName[]): TextScanner {
  const active = scanOrder.filter((name) => names.includes(name)).map((name) => detectors[name]);
  return (text, onHit) => {
    // One profile serves every detector: replacements only remove digits, so it never understates.
    const profile = profileOf(text);
    let current = text;
    for (const detector of active) {
      const spans = detector.find(current, profile);
      if (spans.length === 0) continue;
      current = replaceSpans(current, spans, detector.replacement);
      onHit(detector.name, spans.length);
    }
    return current;
  };
}
