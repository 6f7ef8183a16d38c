/** One line per policy error, in the compiler-style form editors and CI logs can jump to. */
import type { PolicyError } from './types.js';

/** `FILE:LINE:COLUMN: message (at /json/path)`; the document root's path prints as `/`. */
export function formatPolicyError(source: string, error: PolicyError): string {
  return `${source}:${error.line ?? 1}:${error.column ?? 1}: ${error.message} (at ${error.path || '/'})`;
}
