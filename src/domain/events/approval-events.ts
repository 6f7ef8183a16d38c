/** Events of the just-in-time approval of a request. */
import { Type, type Static } from '@sinclair/typebox';
import { ApprovalSettingsSchema } from './request-events.js';
import { PrincipalSnapshot, Sha256Hex } from './shared-schemas.js';

export const ApprovalRequested = Type.Object(
  {
    requestId: Type.String(),
    settings: ApprovalSettingsSchema,
    rule: Type.String(),
    sqlHash: Sha256Hex,
    policyHash: Sha256Hex,
    expiresAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type ApprovalRequested = Static<typeof ApprovalRequested>;

export const ApprovalDecided = Type.Object(
  {
    requestId: Type.String(),
    decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]),
    decider: PrincipalSnapshot,
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
    sqlHash: Sha256Hex,
    policyHash: Sha256Hex,
  },
  { additionalProperties: false },
);
export type ApprovalDecided = Static<typeof ApprovalDecided>;

export const QueryApproved = Type.Object(
  {
    requestId: Type.String(),
    approvers: Type.Array(Type.Object({ subject: Type.String(), email: Type.Optional(Type.String()), at: Type.String() })),
    sqlHash: Sha256Hex,
    policyHash: Sha256Hex,
  },
  { additionalProperties: false },
);
export type QueryApproved = Static<typeof QueryApproved>;

export const QueryRejected = Type.Object(
  { requestId: Type.String(), by: Type.String(), comment: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);
export type QueryRejected = Static<typeof QueryRejected>;

export const ApprovalExpired = Type.Object(
  { requestId: Type.String(), expiresAt: Type.String({ format: 'date-time' }) },
  { additionalProperties: false },
);
export type ApprovalExpired = Static<typeof ApprovalExpired>;

/** The policy changed between approval and execution and was applied again. */
export const QueryReevaluated = Type.Object(
  {
    requestId: Type.String(),
    previousPolicyHash: Sha256Hex,
    policyHash: Sha256Hex,
    effect: Type.Union([Type.Literal('allow'), Type.Literal('deny'), Type.Literal('approve')]),
    rule: Type.String(),
  },
  { additionalProperties: false },
);
export type QueryReevaluated = Static<typeof QueryReevaluated>;
