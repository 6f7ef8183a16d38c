/**
 * Credentials: JWTs, PEM private keys (to the END line, or to the end of the text when it is cut
 * off), AWS access key ids, GitHub, GitLab, Slack, Google API and Stripe live keys.
 */
import type { Detector, TextMatch } from './types.js';
import { spansOf } from './types.js';

const secretPattern = new RegExp(
  [
    String.raw`-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)`,
    String.raw`(?<![\w-])eyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]*`,
    String.raw`(?<![A-Za-z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9])`,
    String.raw`(?<!\w)gh[pousr]_[A-Za-z0-9]{36,255}(?!\w)`,
    String.raw`(?<!\w)github_pat_\w{22,255}`,
    String.raw`(?<![\w-])glpat-[\w-]{20,}`,
    String.raw`(?<![A-Za-z0-9])xox[baprs]-[A-Za-z0-9-]{10,}`,
    String.raw`(?<![\w-])AIza[\w-]{35}(?![\w-])`,
    String.raw`(?<!\w)[sr]k_live_[0-9A-Za-z]{16,}`,
  ].join('|'),
  'g',
);

/** Something every credential above contains; one test rules most texts out. */
const marker = /-----BEGIN|eyJ|A(?:KIA|SIA|Iza)|_|glpat-|xox/;

/** False when no credential can be in the text (the scanner's quick check). */
export const maySecret = (text: string): boolean => text.length >= 20 && marker.test(text);

export function findSecrets(text: string): TextMatch[] {
  if (!maySecret(text)) return [];
  return spansOf(text, secretPattern, (m) => ({ start: m.index, end: m.index + m[0].length }));
}

export const secretDetector: Detector = { name: 'secret', replacement: '[SECRET]', find: findSecrets };
