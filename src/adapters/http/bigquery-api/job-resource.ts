/**
 * A gateway request seen as a BigQuery Job (REST reference: Job, JobStatus, JobStatistics2): pending
 * approval is PENDING, allowed or running is RUNNING, anything final is DONE; a denial or rejection is
 * DONE with errorResult.reason `accessDenied` naming the rule, an expiry or cancellation `stopped`.
 * `ledgergate` is an extra member clients ignore: the request id, its status and the approval link.
 */
import type { RequestState } from '../../../domain/request/request-state.js';
import { publicStatusOf } from '../../../domain/request/request-view.js';
import { BigQueryApiError, bigQueryErrorOf } from './errors.js';

/** Jobs report this location; the gateway takes any location a client sends back (it serves one place). */
export const jobLocation = 'US';

export interface JobContext {
  readonly projectId: string;
  readonly jobId: string;
  /** Absolute URL of the request's approval resource. */
  readonly approvalUrl: string;
}

const statementTypes: Record<string, string> = {
  select: 'SELECT',
  insert: 'INSERT',
  update: 'UPDATE',
  delete: 'DELETE',
  merge: 'MERGE',
  create: 'CREATE_TABLE',
  alter: 'ALTER_TABLE',
  drop: 'DROP_TABLE',
  truncate: 'TRUNCATE_TABLE',
  export: 'EXPORT_DATA',
  load: 'LOAD_DATA',
  call: 'CALL',
  script: 'SCRIPT',
};

/** BigQuery's statementType for the analysed kinds; undefined when the gateway could not tell. */
export function statementTypeOf(kinds: readonly string[]): string | undefined {
  if (kinds.length > 1) return 'SCRIPT';
  return kinds[0] ? statementTypes[kinds[0]] : undefined;
}

export function tableReferencesOf(tables: readonly string[]): { projectId: string; datasetId: string; tableId: string }[] {
  return tables.flatMap((name) => {
    const parts = name.split('.');
    return parts.length === 3 ? [{ projectId: parts[0] ?? '', datasetId: parts[1] ?? '', tableId: parts[2] ?? '' }] : [];
  });
}

const msString = (iso: string | undefined): string | undefined => {
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(ms) ? undefined : String(ms);
};

/** Why a final request did not produce rows, as a BigQuery error (undefined when it succeeded or is not final). */
export function jobErrorOf(state: RequestState): BigQueryApiError | undefined {
  switch (state.status) {
    case 'denied': {
      const rule = state.denial?.rule ?? state.evaluation?.rule ?? 'default';
      return new BigQueryApiError(403, 'accessDenied', `Access Denied: ledgergate policy rule "${rule}" denies this query. ${state.denial?.reason ?? ''}`.trim());
    }
    case 'rejected': {
      const rule = state.approval?.requested.rule ?? state.evaluation?.rule ?? 'default';
      const rejections = (state.approval?.decisions ?? []).filter((d) => d.decision === 'reject');
      const by = rejections.map((d) => `${d.decider.email ?? d.decider.subject}${d.comment ? ` ("${d.comment}")` : ''}`).join(', ');
      return new BigQueryApiError(403, 'accessDenied', `Access Denied: the approval that ledgergate policy rule "${rule}" requires was rejected${by ? ` by ${by}` : ''}`);
    }
    case 'expired':
      return new BigQueryApiError(400, 'stopped', `Job stopped: no approval for ledgergate policy rule "${state.approval?.requested.rule ?? 'default'}" before ${state.approval?.requested.expiresAt ?? 'it expired'}`);
    case 'cancelled':
      return new BigQueryApiError(400, 'stopped', `Job execution was cancelled: ${state.failure?.message ?? 'by its requester'}`);
    case 'failed':
      return bigQueryErrorOf(state.failure?.code ?? 'query_failed', state.failure?.message ?? 'The query failed');
    default:
      return undefined;
  }
}

export function jobStateOf(state: RequestState): 'PENDING' | 'RUNNING' | 'DONE' {
  if (state.status === 'pending_approval') return 'PENDING';
  if (state.status === 'ready' || state.status === 'running') return 'RUNNING';
  return 'DONE';
}

export function ledgergateMember(state: RequestState, context: JobContext): Record<string, unknown> {
  return {
    requestId: state.request.requestId,
    status: publicStatusOf(state.status),
    ...(state.evaluation ? { decision: { effect: state.evaluation.effect, rule: state.evaluation.rule } } : {}),
    ...(state.status === 'pending_approval' ? { approval: context.approvalUrl } : {}),
  };
}

export function jobReferenceOf(context: JobContext): { projectId: string; jobId: string; location: string } {
  return { projectId: context.projectId, jobId: context.jobId, location: jobLocation };
}

export function jobResourceOf(state: RequestState, context: JobContext): Record<string, unknown> {
  const { request, analysis, result, times } = state;
  const error = jobErrorOf(state);
  const jobState = jobStateOf(state);
  const statementType = analysis ? statementTypeOf(analysis.kinds) : undefined;
  const bytes = result?.bytesProcessed ?? analysis?.bytesEstimate;
  const queryStatistics = {
    ...(bytes !== undefined ? { totalBytesProcessed: String(Math.round(bytes)), totalBytesBilled: String(Math.round(result?.bytesProcessed ?? 0)) } : {}),
    cacheHit: false,
    ...(statementType ? { statementType } : {}),
    ...(analysis ? { referencedTables: tableReferencesOf(analysis.tables) } : {}),
    ...(state.outcome?.affectedRows !== undefined ? { numDmlAffectedRows: String(state.outcome.affectedRows) } : {}),
  };
  return {
    kind: 'bigquery#job',
    id: `${context.projectId}:${jobLocation}.${context.jobId}`,
    jobReference: jobReferenceOf(context),
    configuration: {
      jobType: 'QUERY',
      query: { query: request.sql, useLegacySql: false, priority: 'INTERACTIVE' },
      ...(request.labels ? { labels: request.labels } : {}),
    },
    status: {
      state: jobState,
      ...(error && jobState === 'DONE' ? { errorResult: { reason: error.reason, message: error.message }, errors: [{ reason: error.reason, message: error.message }] } : {}),
    },
    statistics: {
      ...(msString(times.requested) ? { creationTime: msString(times.requested) } : {}),
      ...(msString(times.started) ? { startTime: msString(times.started) } : {}),
      ...(jobState === 'DONE' && msString(times.finished) ? { endTime: msString(times.finished) } : {}),
      ...(bytes !== undefined ? { totalBytesProcessed: String(Math.round(bytes)) } : {}),
      query: queryStatistics,
    },
    user_email: request.principal.email ?? request.principal.subject,
    ledgergate: ledgergateMember(state, context),
  };
}
