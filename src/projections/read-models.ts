/**
 * The gateway's persisted read models: their projections (what the runner feeds from the log) and
 * their readers (paged SQL over the replica's read-model database), sharing one readiness status.
 */
import { accessLogProjection } from './access-log.js';
import { createAccessLog, type AccessLog } from './access-log-queries.js';
import { approvalQueueProjection, type PendingApproval } from './approval-queue.js';
import { createApprovalQueue, type ApprovalQueue } from './approval-queue-queries.js';
import { approvalsReportProjection } from './approvals-report.js';
import { createApprovalsReport, type ApprovalsReportReader } from './approvals-report-queries.js';
import { bigQueryJobsProjection, createBigQueryJobIndex, type BigQueryJobIndex } from './bigquery-jobs.js';
import { createMaskingReport, maskingReportProjection, type MaskingReportReader } from './masking-report.js';
import type { SqlProjection } from './projection.js';
import type { ReadModelDb } from './read-model-db.js';
import { ReadModelStatus } from './read-model-status.js';
import { createSessionIndex, sessionsProjection, type SessionIndex } from './sessions.js';

export interface ReadModels {
  readonly accessLog: AccessLog;
  readonly approvals: ApprovalQueue;
  readonly sessions: SessionIndex;
  readonly maskingReport: MaskingReportReader;
  readonly approvalsReport: ApprovalsReportReader;
  /** BigQuery-API jobs per principal (jobs.list). */
  readonly bigQueryJobs: BigQueryJobIndex;
  readonly status: ReadModelStatus;
  readonly projections: readonly SqlProjection[];
  /** A request's approval, or undefined (also while the queue is being rebuilt): for notices only. */
  approvalIfKnown(requestId: string): PendingApproval | undefined;
  /** How many approvals wait (0 while the queue is being rebuilt): for the metrics gauge. */
  pendingApprovals(): number;
}

export const readModelProjections: readonly SqlProjection[] = [
  accessLogProjection,
  approvalQueueProjection,
  sessionsProjection,
  maskingReportProjection,
  approvalsReportProjection,
  bigQueryJobsProjection,
];

export function createReadModels(readModels: ReadModelDb, projections: readonly SqlProjection[] = readModelProjections): ReadModels {
  const { db } = readModels;
  const status = new ReadModelStatus();
  const approvals = createApprovalQueue(db, status);
  return {
    accessLog: createAccessLog(db, status),
    approvals,
    sessions: createSessionIndex(db, status),
    maskingReport: createMaskingReport(db, status),
    approvalsReport: createApprovalsReport(db, status),
    bigQueryJobs: createBigQueryJobIndex(db, status),
    status,
    projections,
    approvalIfKnown: (requestId) => (status.isReady(approvalQueueProjection.name) ? approvals.get(requestId) : undefined),
    pendingApprovals: () => (status.isReady(approvalQueueProjection.name) ? approvals.countPending() : 0),
  };
}
