/**
 * A statement judged without becoming a request: a BigQuery-API dry run, or a job refused before it
 * was created (the client's maximumBytesBilled). Nothing ran, but the caller learnt something — which
 * tables exist, what the policy says, what a scan costs — so the audit trail holds it like any request.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Effect, PrincipalSnapshot, Sha256Hex, StatementKindSchema } from './shared-schemas.js';

/** Each assessment is one event in a stream of its own: `assessment-<id>`. */
export const assessmentStreamPrefix = 'assessment-';

export const QueryAssessed = Type.Object(
  {
    assessmentId: Type.String({ maxLength: 200 }),
    purpose: Type.Union([Type.Literal('dry_run'), Type.Literal('bytes_limit_check')]),
    sql: Type.String(),
    sqlHash: Sha256Hex,
    principal: PrincipalSnapshot,
    channel: Type.Union([Type.Literal('rest'), Type.Literal('mcp'), Type.Literal('bigquery-api')]),
    tables: Type.Array(Type.String()),
    kinds: Type.Array(StatementKindSchema),
    bytesEstimate: Type.Optional(Type.Number({ minimum: 0 })),
    readingProblems: Type.Optional(Type.Array(Type.String())),
    decision: Type.Object({ effect: Effect, rule: Type.String(), reasons: Type.Array(Type.String()) }, { additionalProperties: false }),
    policyHash: Sha256Hex,
    /** What the caller was told instead of a result, when the check refused it (e.g. bytesBilledLimitExceeded). */
    refusal: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type QueryAssessed = Static<typeof QueryAssessed>;
