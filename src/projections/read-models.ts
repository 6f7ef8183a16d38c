/** The gateway's read models, built empty; the projection runner fills them from the log. */
import { createAccessLog, type AccessLog } from './access-log.js';
import { createApprovalQueue, type ApprovalQueue } from './approval-queue.js';
import { createApprovalsReport, type ApprovalsReportProjection } from './approvals-report.js';
import { createBigQueryJobIndex, type BigQueryJobIndex } from './bigquery-jobs.js';
import { createMaskingReport, type MaskingReportProjection } from './masking-report.js';
import { createSessionIndex, type SessionIndex } from './sessions.js';

export interface ReadModels {
  readonly accessLog: AccessLog;
  readonly approvals: ApprovalQueue;
  readonly sessions: SessionIndex;
  readonly maskingReport: MaskingReportProjection;
  readonly approvalsReport: ApprovalsReportProjection;
  /** BigQuery-API jobs per principal (jobs.list). */
  readonly bigQueryJobs: BigQueryJobIndex;
}

export function createReadModels(): ReadModels {
  return {
    accessLog: createAccessLog(),
    approvals: createApprovalQueue(),
    sessions: createSessionIndex(),
    maskingReport: createMaskingReport(),
    approvalsReport: createApprovalsReport(),
    bigQueryJobs: createBigQueryJobIndex(),
  };
}
