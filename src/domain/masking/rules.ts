/**
 * Applying one mask rule to one value, type-aware:
 * - `redact` → '[REDACTED]' (whatever the type: the output is that string)
 * - `email`  → 'j***@example.com' (a value that is not an address is redacted whole)
 * - `last4`  → '****1234' (the last four letters/digits; fewer than eight → '****')
 * - `hash`   → 'hash:' + 16 hex of HMAC-SHA256 under the gateway's key (stable per value)
 * - `null`   → null
 * - `year`   → '1984' for DATE/DATETIME/TIMESTAMP values, otherwise redacted
 * Null stays null. STRUCT, ARRAY and JSON values keep their shape and every leaf is masked.
 * Strictness for choosing among rules: see strictness.ts (null > redact > hash > year > last4 > email).
 */
import type { CellValue } from '../ports.js';
import type { MaskRuleName } from '../policy/types.js';
import type { KeyedHasher } from './keyed-hash.js';
import { maskNested, type SchemaNode } from './nested.js';

export { REDACTED, maskEmailAddress, maskLast4, maskScalar, yearOf } from './leaf-rules.js';
export { createKeyedHasher, type KeyedHasher } from './keyed-hash.js';
export { maskRuleStrictness, stricterRule, strictestRule } from './strictness.js';

const noFieldRules: ReadonlyMap<string, MaskRuleName> = new Map();

export function applyRule(rule: MaskRuleName, value: CellValue, schema: SchemaNode | undefined, hasher: KeyedHasher): CellValue {
  return maskNested(value, schema, rule, { hasher, fieldRules: noFieldRules });
}
