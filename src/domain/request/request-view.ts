/** The contract's response shape for a query request (POST/GET /v1/queries). */
import type { RequestState } from './request-state.js';
import { publicStatusOf, type PublicStatus } from './request-status.js';

export { publicStatusOf, type PublicStatus } from './request-status.js';

export interface QueryView {
  readonly id: string;
  readonly status: PublicStatus;
  readonly decision?: { readonly effect: string; readonly rule: string; readonly policyHash: string; readonly reasons: readonly string[] };
  readonly columns?: readonly { name: string; type: string; masked?: string }[];
  readonly rows?: readonly Record<string, unknown>[];
  readonly rowCount?: number;
  readonly truncated?: boolean;
  readonly bytesProcessed?: number;
  /** Rows a write inserted, updated or deleted. */
  readonly affectedRows?: number;
  readonly approval?: {
    readonly rule: string;
    readonly approverGroups: readonly string[];
    readonly required: number;
    readonly approvals: readonly { subject: string; email?: string; decision: string; comment?: string }[];
    readonly expiresAt: string;
  };
  readonly tables?: readonly string[];
  readonly costEstimateUsd?: number;
  readonly bytesEstimate?: number;
  readonly error?: { readonly code: string; readonly message: string };
  readonly requestedAt: string;
  readonly finishedAt?: string;
  readonly sessionId?: string;
}


export function toQueryView(state: RequestState): QueryView {
  const { request, evaluation, analysis, approval, result } = state;
  return {
    id: request.requestId,
    status: publicStatusOf(state.status),
    ...(evaluation
      ? { decision: { effect: evaluation.effect, rule: evaluation.rule, policyHash: evaluation.policyHash, reasons: evaluation.reasons } }
      : {}),
    ...(result
      ? {
          columns: result.columns,
          rows: result.rows,
          rowCount: result.rowCount,
          truncated: result.truncated,
          bytesProcessed: result.bytesProcessed,
        }
      : {}),
    ...(state.outcome?.affectedRows !== undefined ? { affectedRows: state.outcome.affectedRows } : {}),
    ...(approval
      ? {
          approval: {
            rule: approval.requested.rule,
            approverGroups: approval.requested.settings.approverGroups,
            required: approval.requested.settings.required,
            approvals: approval.decisions.map((d) => ({
              subject: d.decider.subject,
              ...(d.decider.email ? { email: d.decider.email } : {}),
              decision: d.decision,
              ...(d.comment ? { comment: d.comment } : {}),
            })),
            expiresAt: approval.requested.expiresAt,
          },
        }
      : {}),
    ...(analysis ? { tables: analysis.tables } : {}),
    ...(analysis?.bytesEstimate !== undefined ? { bytesEstimate: analysis.bytesEstimate } : {}),
    ...(analysis?.costEstimateUsd !== undefined ? { costEstimateUsd: analysis.costEstimateUsd } : {}),
    ...(state.failure ? { error: state.failure } : {}),
    ...(state.status === 'denied' && state.denial ? { error: { code: 'denied_by_policy', message: state.denial.reason } } : {}),
    requestedAt: state.times.requested,
    ...(state.times.finished ? { finishedAt: state.times.finished } : {}),
    ...(request.sessionId ? { sessionId: request.sessionId } : {}),
  };
}
