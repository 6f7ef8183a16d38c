/**
 * Every event type the gateway writes, with its JSON Schema and schema version: the one list of
 * event names. The request stream's events are a part of it; their TypeScript union is derived
 * from these schemas (domain/request/request-stream.ts), so a name is never listed twice.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import * as request from './request-events.js';
import * as approval from './approval-events.js';
import * as execution from './execution-events.js';
import * as system from './system-events.js';
import * as assessment from './assessment-events.js';

/** The events of one query request's stream (`query-<id>`). */
export const requestEventSchemas = {
  QueryRequested: { version: 1, schema: request.QueryRequested },
  QueryAnalysed: { version: 1, schema: request.QueryAnalysed },
  PolicyEvaluated: { version: 1, schema: request.PolicyEvaluated },
  QueryDenied: { version: 1, schema: request.QueryDenied },
  ApprovalRequested: { version: 1, schema: approval.ApprovalRequested },
  ApprovalDecided: { version: 1, schema: approval.ApprovalDecided },
  QueryApproved: { version: 1, schema: approval.QueryApproved },
  QueryRejected: { version: 1, schema: approval.QueryRejected },
  ApprovalExpired: { version: 1, schema: approval.ApprovalExpired },
  QueryReevaluated: { version: 1, schema: approval.QueryReevaluated },
  ExecutionStarted: { version: 1, schema: execution.ExecutionStarted },
  ExecutionSucceeded: { version: 1, schema: execution.ExecutionSucceeded },
  ExecutionFailed: { version: 1, schema: execution.ExecutionFailed },
  ExecutionCancelled: { version: 1, schema: execution.ExecutionCancelled },
  ResultMasked: { version: 1, schema: execution.ResultMasked },
  ResultDelivered: { version: 1, schema: execution.ResultDelivered },
} as const satisfies Record<string, { version: number; schema: TSchema }>;

export const eventSchemas = {
  ...requestEventSchemas,
  QueryAssessed: { version: 1, schema: assessment.QueryAssessed },
  AuthenticationFailed: { version: 1, schema: system.AuthenticationFailed },
  PolicyActivated: { version: 1, schema: system.PolicyActivated },
  PolicyRejected: { version: 1, schema: system.PolicyRejected },
  Sealed: { version: 1, schema: system.Sealed },
  WebhookDelivered: { version: 1, schema: system.WebhookDelivered },
  WebhookFailed: { version: 1, schema: system.WebhookFailed },
} as const satisfies Record<string, { version: number; schema: TSchema }>;

/** `{ type, data }` for each entry of a schema list, as a tagged union. */
export type EventUnionOf<Schemas extends Record<string, { schema: TSchema }>> = {
  [Type in keyof Schemas & string]: { readonly type: Type; readonly data: Static<Schemas[Type]['schema']> };
}[keyof Schemas & string];
