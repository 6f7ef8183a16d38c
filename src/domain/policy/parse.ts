/**
 * Policy text → validated Policy, or every error with its JSON path and YAML line/column.
 * Order: YAML syntax, then shape (JSON Schema) and meaning (semantic checks) together.
 */
import { Ajv } from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import { sha256Hex } from '../evidence/event-hash.js';
import { attachMatchers } from './matchers.js';
import { policySchema } from './schema.js';
import { schemaErrors } from './schema-errors.js';
import { semanticErrors } from './semantic-checks.js';
import { locator, positionAt } from './source-locations.js';
import { toPolicy, type PolicyDocument } from './to-policy.js';
import type { Policy, PolicyError } from './types.js';

export type ParsePolicyResult = { readonly ok: true; readonly policy: Policy } | { readonly ok: false; readonly errors: readonly PolicyError[] };

// Compiled once at load: compiling costs far more than validating. The function keeps no state
// between calls beyond ajv's synchronous `errors` slot, read immediately after each call.
const validateShape = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true }).compile(policySchema);

const byPosition = (a: PolicyError, b: PolicyError): number => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export function parsePolicy(text: string): ParsePolicyResult {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    const errors = document.errors.map((error) => {
      const { line, column } = positionAt(lineCounter, error.pos[0]);
      return { message: `YAML: ${error.message.split('\n')[0]}`, path: '', line, column };
    });
    return { ok: false, errors };
  }
  let raw: unknown;
  try {
    raw = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, errors: [{ message: `YAML: ${(error as Error).message.split('\n')[0]}`, path: '', line: 1, column: 1 }] };
  }
  const locate = locator(document, lineCounter);
  const shapeErrors = validateShape(raw) ? [] : schemaErrors(validateShape.errors ?? [], locate);
  const meaningErrors = semanticErrors(raw).map((error) => ({ ...error, ...locate(error.path) }));
  const errors = [...shapeErrors, ...meaningErrors]
    .map(({ message, path, line, column }) => ({ message, path, line, column }))
    .sort(byPosition);
  if (errors.length > 0) return { ok: false, errors };
  const policy = toPolicy(raw as PolicyDocument, { text, hash: sha256Hex(text) });
  return { ok: true, policy: deepFreeze(attachMatchers(policy)) };
}
