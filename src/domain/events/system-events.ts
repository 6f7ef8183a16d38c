/** Events outside a single request: authentication failures, policy activations, evidence seals. */
import { Type, type Static } from '@sinclair/typebox';
import { Sha256Hex } from './shared-schemas.js';

export const AuthenticationFailed = Type.Object(
  {
    reason: Type.String({ maxLength: 200 }),
    clientIp: Type.Optional(Type.String()),
    userAgent: Type.Optional(Type.String()),
    path: Type.String({ maxLength: 2000 }),
    /** Failures of the same kind from the same address that were folded into this one (flood control). */
    suppressed: Type.Integer({ minimum: 0 }),
    /** SHA-256 prefix of the presented token, so repeats can be correlated without storing it. */
    tokenFingerprint: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type AuthenticationFailed = Static<typeof AuthenticationFailed>;

export const PolicyActivated = Type.Object(
  {
    policyHash: Sha256Hex,
    text: Type.String(),
    source: Type.String(),
    activatedBy: Type.String(),
    previousPolicyHash: Type.Optional(Sha256Hex),
  },
  { additionalProperties: false },
);
export type PolicyActivated = Static<typeof PolicyActivated>;

export const PolicyRejected = Type.Object(
  { source: Type.String(), errors: Type.Array(Type.String()), keptPolicyHash: Type.Optional(Sha256Hex) },
  { additionalProperties: false },
);
export type PolicyRejected = Static<typeof PolicyRejected>;

export const Sealed = Type.Object(
  {
    fromPosition: Type.Integer({ minimum: 1 }),
    toPosition: Type.Integer({ minimum: 1 }),
    count: Type.Integer({ minimum: 1 }),
    merkleRoot: Sha256Hex,
    lastEventHash: Sha256Hex,
    previousSealHash: Type.Optional(Sha256Hex),
    /** Where the store keeps the event numbered toPosition (signed: where the next seal continues). */
    toStorePosition: Type.Optional(Type.Integer({ minimum: 1 })),
    keyId: Type.String(),
    /** Compact JWS over the canonical seal body (every field above). */
    signature: Type.String(),
  },
  { additionalProperties: false },
);
export type Sealed = Static<typeof Sealed>;

/** Which approval moment a webhook message announced. */
export const WebhookEventKind = Type.Union([
  Type.Literal('approval_requested'),
  Type.Literal('approved'),
  Type.Literal('rejected'),
  Type.Literal('expired'),
]);

/** The approval webhook accepted a message (stream `webhooks`). The URL is a secret and never recorded. */
export const WebhookDelivered = Type.Object(
  {
    requestId: Type.String(),
    event: WebhookEventKind,
    status: Type.Integer({ minimum: 100, maximum: 599 }),
    attempts: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);
export type WebhookDelivered = Static<typeof WebhookDelivered>;

/** Every attempt to deliver an approval webhook message failed; the request itself carried on. */
export const WebhookFailed = Type.Object(
  {
    requestId: Type.String(),
    event: WebhookEventKind,
    error: Type.String({ maxLength: 500 }),
    attempts: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);
export type WebhookFailed = Static<typeof WebhookFailed>;
