import type { ApprovalNotice } from '../../../src/domain/ports.js';
/** An approval notice with plain values; tests override what they probe. */

export const notice = (overrides: Partial<ApprovalNotice> = {}): ApprovalNotice => ({
  kind: 'approval_requested',
  requestId: 'r-1',
  sql: 'INSERT INTO sales.orders VALUES (1)',
  requester: { subject: 'agent-1', email: 'agent-1@example.com' },
  reason: 'backfill',
  rule: 'writes-need-approval',
  tables: ['demo-project.sales.orders'],
  costEstimateUsd: 0.0001,
  required: 1,
  approverGroups: ['data-owners'],
  expiresAt: '2030-01-01T11:00:00.000Z',
  ...overrides,
});
