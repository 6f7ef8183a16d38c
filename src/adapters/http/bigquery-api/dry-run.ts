/**
 * A dry run answered from the gateway's own analysis and decision, not from the warehouse alone: the
 * estimate the policy used, the statement type and tables the analysis found, and the decision (a
 * denial is BigQuery's 403 accessDenied naming the rule, as a dry run without permission is). Nothing
 * runs and the job is not stored (REST reference: JobConfiguration.dryRun), but the assessment is
 * recorded before the answer leaves: a dry run tells its caller what the policy and the catalog say.
 */
import type { CallerContext, QueryService } from '../../../app/query-service.js';
import { BigQueryApiError } from './errors.js';
import { jobLocation, statementTypeOf, tableReferencesOf } from './job-resource.js';

export async function dryRunJob(queries: QueryService, caller: CallerContext, sql: string, projectId: string): Promise<{ jobReference: unknown; statistics: unknown; ledgergate: unknown } & Record<string, unknown>> {
  const assessment = await queries.assess(caller, sql);
  const { analysis, decision } = assessment;
  await queries.recordAssessment(caller, sql, assessment, { purpose: 'dry_run', channel: 'bigquery-api' });
  if (decision.effect === 'deny') {
    throw new BigQueryApiError(403, 'accessDenied', `Access Denied: ledgergate policy rule "${decision.rule}" denies this query. ${decision.reasons.join('; ')}`.trim());
  }
  const statementType = statementTypeOf(analysis.kinds);
  const bytes = analysis.bytesEstimate;
  return {
    kind: 'bigquery#job',
    jobReference: { projectId, location: jobLocation },
    configuration: { jobType: 'QUERY', dryRun: true, query: { query: sql, useLegacySql: false } },
    status: { state: 'DONE' },
    statistics: {
      totalBytesProcessed: String(Math.round(bytes ?? 0)),
      query: {
        totalBytesProcessed: String(Math.round(bytes ?? 0)),
        // An estimate from table sizes bounds the scan from above; an unknown one bounds nothing.
        totalBytesProcessedAccuracy: bytes === undefined ? 'UNKNOWN' : 'UPPER_BOUND',
        totalBytesBilled: '0',
        cacheHit: false,
        ...(statementType ? { statementType } : {}),
        referencedTables: tableReferencesOf(analysis.tables),
      },
    },
    ledgergate: { decision: { effect: decision.effect, rule: decision.rule }, ...(decision.effect === 'approve' ? { approvalRequired: true } : {}) },
  };
}
