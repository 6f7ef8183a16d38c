/** The policy document (see CONTRACT.md "Policy") once parsed and validated. */
import type { StatementKind } from '../analysis/types.js';

export type Effect = 'allow' | 'deny' | 'approve';

export const maskRuleNames = ['redact', 'email', 'last4', 'hash', 'null', 'year'] as const;
export type MaskRuleName = (typeof maskRuleNames)[number];

export const detectorNames = ['email', 'credit_card', 'us_ssn', 'phone', 'iban', 'secret'] as const;
export type DetectorName = (typeof detectorNames)[number];

export interface ApprovalSettings {
  readonly approverGroups: readonly string[];
  /** Distinct people, never the requester. */
  readonly required: number;
  readonly expiresAfterSeconds: number;
}

export interface MaskColumnRule {
  /** Glob over `project.dataset.table`. */
  readonly table: string;
  readonly column: string;
  readonly rule: MaskRuleName;
}

export interface RuleMatch {
  readonly statements?: readonly StatementKind[];
  /** Globs over `project.dataset.table`. */
  readonly tables?: readonly string[];
  readonly groups?: readonly string[];
  readonly bytesOver?: number;
}

export interface PolicyRule {
  readonly id: string;
  readonly match: RuleMatch;
  readonly effect: Effect;
  /** Per-rule approval settings, overriding the policy's `approvals`. */
  readonly approvals?: ApprovalSettings;
}

export interface Policy {
  readonly version: 1;
  readonly default: Effect;
  readonly approvals: ApprovalSettings;
  readonly masking: {
    readonly columns: readonly MaskColumnRule[];
    readonly detectors: readonly DetectorName[];
    /** Optional: what to do when a query filters, joins, groups or orders on a protected column. */
    readonly protectedPredicates?: 'allow' | 'approve' | 'deny';
  };
  readonly rules: readonly PolicyRule[];
  /** SHA-256 of the document text. */
  readonly hash: string;
  readonly text: string;
}

export interface PolicyDecision {
  readonly effect: Effect;
  /** The id of the deciding rule, or `default`. */
  readonly rule: string;
  readonly reasons: readonly string[];
  readonly perStatement: readonly { readonly effect: Effect; readonly rule: string }[];
  /** Present when effect is approve. */
  readonly approval?: ApprovalSettings;
  readonly policyHash: string;
}

export interface PolicyError {
  readonly message: string;
  /** JSON path inside the document, e.g. /rules/2/match/statements/0 */
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
}
