/** Maps a document that passed every check onto the Policy type, applying the documented defaults. */
import type { StatementKind } from '../analysis/types.js';
import { detectorNames, type ApprovalSettings, type DetectorName, type Effect, type MaskRuleName, type Policy, type PolicyRule, type RuleMatch } from './types.js';
import { parseDuration, parseSize } from './units.js';

interface ApprovalsDocument {
  readonly approverGroups?: readonly string[];
  readonly required?: number;
  readonly expiresAfter?: string;
}

/** The document's shape once the schema and semantic checks have accepted it. */
export interface PolicyDocument {
  readonly version: 1;
  readonly default: Effect;
  readonly approvals?: ApprovalsDocument;
  readonly masking?: {
    readonly columns?: readonly { readonly table: string; readonly column: string; readonly rule: MaskRuleName }[];
    readonly detectors?: readonly DetectorName[];
    readonly protectedPredicates?: Effect;
  };
  readonly rules: readonly {
    readonly id: string;
    readonly match: {
      readonly statements?: readonly StatementKind[];
      readonly tables?: readonly string[];
      readonly groups?: readonly string[];
      readonly bytesOver?: string | number;
    };
    readonly effect: Effect;
    readonly approvals?: ApprovalsDocument;
  }[];
}

export const defaultExpiresAfter = '1h';

function valueOf(parsed: ReturnType<typeof parseDuration>): number {
  if (!parsed.ok) throw new Error(`unchecked policy value: ${parsed.message}`);
  return parsed.value;
}

function approvalSettings(document: ApprovalsDocument | undefined, base: ApprovalSettings | undefined): ApprovalSettings {
  return {
    approverGroups: [...(document?.approverGroups ?? base?.approverGroups ?? [])],
    required: document?.required ?? base?.required ?? 1,
    expiresAfterSeconds:
      document?.expiresAfter !== undefined
        ? valueOf(parseDuration(document.expiresAfter))
        : base?.expiresAfterSeconds ?? valueOf(parseDuration(defaultExpiresAfter)),
  };
}

function ruleMatch(match: PolicyDocument['rules'][number]['match']): RuleMatch {
  return {
    ...(match.statements ? { statements: [...match.statements] } : {}),
    ...(match.tables ? { tables: [...match.tables] } : {}),
    ...(match.groups ? { groups: [...match.groups] } : {}),
    ...(match.bytesOver !== undefined ? { bytesOver: valueOf(parseSize(match.bytesOver)) } : {}),
  };
}

export function toPolicy(document: PolicyDocument, source: { readonly text: string; readonly hash: string }): Policy {
  const approvals = approvalSettings(document.approvals, undefined);
  const rules: PolicyRule[] = document.rules.map((rule) => ({
    id: rule.id,
    match: ruleMatch(rule.match),
    effect: rule.effect,
    ...(rule.approvals ? { approvals: approvalSettings(rule.approvals, approvals) } : {}),
  }));
  return {
    version: 1,
    default: document.default,
    approvals,
    masking: {
      columns: (document.masking?.columns ?? []).map((entry) => ({ table: entry.table, column: entry.column, rule: entry.rule })),
      // Absent means every detector: turning content scanning off must be written down (`detectors: []`).
      detectors: [...(document.masking?.detectors ?? detectorNames)],
      protectedPredicates: document.masking?.protectedPredicates ?? 'allow',
    },
    rules,
    hash: source.hash,
    text: source.text,
  };
}
