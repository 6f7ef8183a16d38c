import { canonicalJson, sha256Hex } from '../evidence/event-hash.js';
import type { CellValue } from '../ports.js';

export interface ResultColumnDescription {
  readonly name: string;
  readonly type: string;
  readonly masked?: string;
}

/** SHA-256 (hex) of the canonical JSON (RFC 8785) of the result exactly as delivered. */
export function resultHash(columns: readonly ResultColumnDescription[], rows: readonly Record<string, CellValue>[]): string {
  return sha256Hex(canonicalJson({ columns, rows }));
}
