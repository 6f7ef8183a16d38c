/**
 * What the JSON Schema cannot say. These checks read the raw document defensively (anything of the
 * wrong shape is skipped: the schema already reports it), so one run reports every error at once.
 */
import { globProblem } from './glob.js';
import { parseDuration, parseSize } from './units.js';
import { pointerOf } from './source-locations.js';

export interface SemanticError {
  readonly path: string;
  readonly message: string;
}

/** Rule ids the decision uses for outcomes no rule produced. */
export const reservedRuleIds = ['default', 'protected-predicates'] as const;

type Raw = Record<string, unknown>;

const isRecord = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);
const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const at = (...segments: (string | number)[]): string => pointerOf(segments);

function checkGlobs(globs: unknown, path: (string | number)[], errors: SemanticError[]): void {
  listOf(globs).forEach((glob, index) => {
    if (typeof glob !== 'string' || glob.length === 0) return;
    const problem = globProblem(glob);
    if (problem) errors.push({ path: at(...path, index), message: `table glob "${glob}" ${problem}` });
  });
}

function checkApprovals(approvals: unknown, path: (string | number)[], errors: SemanticError[]): void {
  if (!isRecord(approvals) || typeof approvals.expiresAfter !== 'string') return;
  const parsed = parseDuration(approvals.expiresAfter);
  if (!parsed.ok) errors.push({ path: at(...path, 'expiresAfter'), message: `"${approvals.expiresAfter}" ${parsed.message}` });
}

function checkRule(rule: Raw, index: number, firstIdAt: Map<string, number>, errors: SemanticError[]): void {
  const id = rule.id;
  if (typeof id === 'string') {
    if ((reservedRuleIds as readonly string[]).includes(id)) {
      errors.push({ path: at('rules', index, 'id'), message: `rule id "${id}" is reserved; choose another` });
    }
    const first = firstIdAt.get(id);
    if (first === undefined) firstIdAt.set(id, index);
    else errors.push({ path: at('rules', index, 'id'), message: `duplicate rule id "${id}" (already used by rule ${first})` });
  }
  const match = rule.match;
  if (isRecord(match)) {
    checkGlobs(match.tables, ['rules', index, 'match', 'tables'], errors);
    if (typeof match.bytesOver === 'string' || typeof match.bytesOver === 'number') {
      const parsed = parseSize(match.bytesOver);
      if (!parsed.ok) errors.push({ path: at('rules', index, 'match', 'bytesOver'), message: `${JSON.stringify(match.bytesOver)} ${parsed.message}` });
    }
    if (rule.effect === 'allow') {
      const unknownAt = listOf(match.statements).indexOf('unknown');
      if (unknownAt >= 0) {
        errors.push({
          path: at('rules', index, 'match', 'statements', unknownAt),
          message: 'an allow rule cannot allow "unknown" statements: SQL that cannot be analysed is never allowed',
        });
      }
    }
  }
  if (rule.approvals !== undefined && typeof rule.effect === 'string' && rule.effect !== 'approve') {
    errors.push({ path: at('rules', index, 'approvals'), message: `approvals apply only to rules whose effect is approve (this one is ${rule.effect})` });
  }
  checkApprovals(rule.approvals, ['rules', index, 'approvals'], errors);
}

function groupsOf(approvals: unknown): unknown[] | undefined {
  return isRecord(approvals) && Array.isArray(approvals.approverGroups) ? approvals.approverGroups : undefined;
}

/** Someone must be able to decide every request the policy can send to approval. */
function checkApproversReachable(document: Raw, errors: SemanticError[]): void {
  const topGroups = groupsOf(document.approvals) ?? [];
  const topPath = groupsOf(document.approvals) ? at('approvals', 'approverGroups') : undefined;
  const missing = (what: string, fallbackPath: string): SemanticError => ({
    path: topPath ?? fallbackPath,
    message: `${what} can require approval, but approvals.approverGroups is empty or missing`,
  });
  if (document.default === 'approve' && topGroups.length === 0) errors.push(missing('default: approve', at('default')));
  const masking = document.masking;
  if (isRecord(masking) && masking.protectedPredicates === 'approve' && topGroups.length === 0) {
    errors.push(missing('masking.protectedPredicates: approve', at('masking', 'protectedPredicates')));
  }
  listOf(document.rules).forEach((rule, index) => {
    if (!isRecord(rule) || rule.effect !== 'approve') return;
    const own = groupsOf(rule.approvals);
    if ((own ?? topGroups).length > 0) return;
    errors.push({
      path: own ? at('rules', index, 'approvals', 'approverGroups') : topPath ?? at('rules', index, 'effect'),
      message: `rule ${typeof rule.id === 'string' ? `"${rule.id}"` : index} can require approval, but no approverGroups apply to it (set approvals.approverGroups or the rule's own)`,
    });
  });
}

function checkMasking(masking: unknown, errors: SemanticError[]): void {
  if (!isRecord(masking)) return;
  const seen = new Map<string, number>();
  listOf(masking.columns).forEach((entry, index) => {
    if (!isRecord(entry) || typeof entry.table !== 'string' || typeof entry.column !== 'string') return;
    if (entry.table.length > 0) {
      const problem = globProblem(entry.table);
      if (problem) errors.push({ path: at('masking', 'columns', index, 'table'), message: `table glob "${entry.table}" ${problem}` });
    }
    const key = `${entry.table.toLowerCase()}\u0000${entry.column.toLowerCase()}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else errors.push({ path: at('masking', 'columns', index), message: `column "${entry.column}" of "${entry.table}" is already masked by entry ${first}` });
  });
}

export function semanticErrors(document: unknown): SemanticError[] {
  if (!isRecord(document)) return [];
  const errors: SemanticError[] = [];
  checkApprovals(document.approvals, ['approvals'], errors);
  const firstIdAt = new Map<string, number>();
  listOf(document.rules).forEach((rule, index) => {
    if (isRecord(rule)) checkRule(rule, index, firstIdAt, errors);
  });
  checkMasking(document.masking, errors);
  checkApproversReachable(document, errors);
  return errors;
}
