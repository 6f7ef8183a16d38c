/**
 * The policy document's JSON Schema: shape only. Everything the schema cannot say (durations, sizes,
 * globs, unique ids, approvers when approval is reachable) is checked in semantic-checks.ts.
 * Every object forbids unknown keys: a typo such as `efect` or `tabels` must fail loudly, never
 * silently widen a rule.
 */
import { statementKinds } from '../analysis/types.js';
import { detectorNames, maskRuleNames } from './types.js';

const effect = { enum: ['allow', 'approve', 'deny'] } as const;
const nonEmptyName = { type: 'string', minLength: 1 } as const;
const globList = { type: 'array', minItems: 1, items: nonEmptyName } as const;
const duration = { type: 'string', minLength: 1 } as const;
const size = { type: ['string', 'number'] } as const;

const approvalsFields = {
  approverGroups: { type: 'array', items: nonEmptyName, uniqueItems: true },
  required: { type: 'integer', minimum: 1 },
  expiresAfter: duration,
} as const;

const ruleMatch = {
  type: 'object',
  additionalProperties: false,
  properties: {
    statements: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...statementKinds] } },
    tables: globList,
    groups: { type: 'array', minItems: 1, items: nonEmptyName },
    bytesOver: size,
  },
} as const;

const rule = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'match', 'effect'],
  properties: {
    id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' },
    match: ruleMatch,
    effect,
    approvals: { type: 'object', additionalProperties: false, minProperties: 1, properties: approvalsFields },
  },
} as const;

const maskColumn = {
  type: 'object',
  additionalProperties: false,
  required: ['table', 'column', 'rule'],
  properties: {
    table: nonEmptyName,
    column: nonEmptyName,
    rule: { enum: [...maskRuleNames] },
  },
} as const;

export const policySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'default', 'rules'],
  properties: {
    version: { const: 1 },
    default: effect,
    approvals: { type: 'object', additionalProperties: false, properties: approvalsFields },
    masking: {
      type: 'object',
      additionalProperties: false,
      properties: {
        columns: { type: 'array', items: maskColumn },
        detectors: { type: 'array', uniqueItems: true, items: { enum: [...detectorNames] } },
        protectedPredicates: effect,
      },
    },
    rules: { type: 'array', items: rule },
  },
} as const;
