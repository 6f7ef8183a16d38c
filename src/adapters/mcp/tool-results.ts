/** How query views and errors become MCP tool results: JSON text for the model, the same object as structured content. */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { isLedgergateError } from '../../domain/errors.js';
import type { QueryView } from '../../domain/request/request-view.js';

export const jsonResult = (value: Record<string, unknown>, isError = false): CallToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(value, null, 2) }],
  structuredContent: value,
  ...(isError ? { isError: true } : {}),
});

const howToWait = (id: string, waitSeconds: number, pending: boolean): string =>
  `${pending ? 'A person must approve this request before it runs. ' : ''}Call get_query with {"id": "${id}", "wait": ${waitSeconds}} ` +
  `to wait up to ${waitSeconds} s for the outcome; call it again while the status stays ${pending ? 'pending_approval' : 'running'}.`;

/** A query's view as the agent needs it: rows when done, who must approve and until when while pending, the rule when denied. */
export function queryResult(view: QueryView, waitSeconds: number): CallToolResult {
  const decision = view.decision ? { effect: view.decision.effect, rule: view.decision.rule } : undefined;
  const base = { id: view.id, status: view.status, ...(decision ? { decision } : {}) };
  switch (view.status) {
    case 'succeeded':
      return jsonResult({
        ...base,
        columns: view.columns ?? [],
        rows: view.rows ?? [],
        rowCount: view.rowCount ?? 0,
        truncated: view.truncated ?? false,
        bytesProcessed: view.bytesProcessed ?? 0,
      });
    case 'pending_approval':
      return jsonResult({
        ...base,
        ...(view.approval
          ? {
              approval: {
                rule: view.approval.rule,
                approverGroups: view.approval.approverGroups,
                required: view.approval.required,
                approvedBy: view.approval.approvals.filter((a) => a.decision === 'approve').length,
                expiresAt: view.approval.expiresAt,
              },
            }
          : {}),
        ...(view.tables ? { tables: view.tables } : {}),
        howToWait: howToWait(view.id, waitSeconds, true),
      });
    case 'running':
      return jsonResult({ ...base, howToWait: howToWait(view.id, waitSeconds, false) });
    case 'denied':
      return jsonResult(
        {
          ...base,
          rule: view.decision?.rule ?? 'default',
          message: `Denied by policy rule "${view.decision?.rule ?? 'default'}": ${view.error?.message ?? 'the policy does not allow this request'}`,
        },
        true,
      );
    default:
      // failed, rejected, expired: final, and not a result the agent can use.
      return jsonResult(
        {
          ...base,
          ...(view.error ? { error: view.error } : {}),
          ...(view.approval ? { approvals: view.approval.approvals.map((a) => ({ decision: a.decision, ...(a.comment ? { comment: a.comment } : {}) })) } : {}),
        },
        true,
      );
  }
}

/** A thrown error as a tool error: our own errors carry a safe message; anything else stays generic. */
export function errorResult(error: unknown): CallToolResult {
  if (isLedgergateError(error)) return jsonResult({ error: { code: error.code, message: error.message } }, true);
  return jsonResult({ error: { code: 'internal', message: 'Something went wrong; the gateway log has the details' } }, true);
}
