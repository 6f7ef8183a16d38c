/** Events of a query request's first steps: asked, analysed, judged. */
import { Type, type Static } from '@sinclair/typebox';
import { ColumnDescription, Effect, PrincipalSnapshot, Sha256Hex, StatementKindSchema } from './shared-schemas.js';

export const QueryRequested = Type.Object(
  {
    requestId: Type.String(),
    sql: Type.String(),
    sqlHash: Sha256Hex,
    reason: Type.Optional(Type.String({ maxLength: 2000 })),
    maxRows: Type.Integer({ minimum: 0 }),
    principal: PrincipalSnapshot,
    sessionId: Type.Optional(Type.String()),
    clientIp: Type.Optional(Type.String()),
    userAgent: Type.Optional(Type.String()),
    channel: Type.Union([Type.Literal('rest'), Type.Literal('mcp'), Type.Literal('bigquery-api')]),
    /** BigQuery API calls: the job id the client chose or was given (namespaced per principal). */
    clientJobId: Type.Optional(Type.String({ maxLength: 1024, pattern: '^[A-Za-z0-9_-]+$' })),
    /** BigQuery API calls: the job's labels, as the client sent them. */
    labels: Type.Optional(Type.Record(Type.String({ maxLength: 63 }), Type.String({ maxLength: 63 }), { maxProperties: 64 })),
  },
  { additionalProperties: false },
);
export type QueryRequested = Static<typeof QueryRequested>;

const SourceColumnSchema = Type.Object({ table: Type.String(), column: Type.String() }, { additionalProperties: false });

export const AnalysedStatementSummary = Type.Object(
  {
    kind: StatementKindSchema,
    kinds: Type.Array(StatementKindSchema),
    tables: Type.Array(Type.String()),
    writtenTables: Type.Array(Type.String()),
    outputColumns: Type.Array(
      Type.Object(
        {
          name: Type.String(),
          lineage: Type.Array(SourceColumnSchema),
          confidence: Type.Union([Type.Literal('exact'), Type.Literal('derived'), Type.Literal('unknown')]),
        },
        { additionalProperties: false },
      ),
    ),
    filterColumns: Type.Array(SourceColumnSchema),
    joinColumns: Type.Array(SourceColumnSchema),
    groupColumns: Type.Array(SourceColumnSchema),
    orderColumns: Type.Array(SourceColumnSchema),
    flags: Type.Object(
      {
        scripting: Type.Boolean(),
        dynamicSql: Type.Boolean(),
        unparsed: Type.Boolean(),
        lineageIncomplete: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const QueryAnalysed = Type.Object(
  {
    requestId: Type.String(),
    statements: Type.Array(AnalysedStatementSummary),
    tables: Type.Array(Type.String()),
    kinds: Type.Array(StatementKindSchema),
    bytesEstimate: Type.Optional(Type.Number({ minimum: 0 })),
    costEstimateUsd: Type.Optional(Type.Number({ minimum: 0 })),
    dryRunDisagreement: Type.Optional(Type.String()),
    /** Why parts of the SQL were read as unknown or opaque (where readings split, unclassified nodes, routines). */
    readingProblems: Type.Optional(Type.Array(Type.String())),
    /** Columns that will be masked, known before execution (for approvers). */
    plannedMasking: Type.Optional(Type.Array(ColumnDescription)),
  },
  { additionalProperties: false },
);
export type QueryAnalysed = Static<typeof QueryAnalysed>;

export const ApprovalSettingsSchema = Type.Object(
  {
    approverGroups: Type.Array(Type.String()),
    required: Type.Integer({ minimum: 1 }),
    expiresAfterSeconds: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);

export const PolicyEvaluated = Type.Object(
  {
    requestId: Type.String(),
    effect: Effect,
    rule: Type.String(),
    policyHash: Sha256Hex,
    reasons: Type.Array(Type.String()),
    perStatement: Type.Array(Type.Object({ effect: Effect, rule: Type.String() }, { additionalProperties: false })),
    approval: Type.Optional(ApprovalSettingsSchema),
  },
  { additionalProperties: false },
);
export type PolicyEvaluated = Static<typeof PolicyEvaluated>;

export const QueryDenied = Type.Object(
  {
    requestId: Type.String(),
    rule: Type.String(),
    reason: Type.String(),
    policyHash: Type.Optional(Sha256Hex),
  },
  { additionalProperties: false },
);
export type QueryDenied = Static<typeof QueryDenied>;
