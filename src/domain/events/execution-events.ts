/** Events of running a request on the warehouse and handing back its (masked) result. */
import { Type, type Static } from '@sinclair/typebox';
import { ColumnDescription, JsonValue, Sha256Hex } from './shared-schemas.js';

export const ExecutionStarted = Type.Object(
  {
    requestId: Type.String(),
    jobId: Type.String(),
    warehouse: Type.String(),
    sqlHash: Sha256Hex,
    policyHash: Sha256Hex,
    /** Set when this start resumes a job left in flight by a stopped gateway. */
    resumed: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ExecutionStarted = Static<typeof ExecutionStarted>;

export const ExecutionSucceeded = Type.Object(
  {
    requestId: Type.String(),
    jobId: Type.String(),
    rowCount: Type.Integer({ minimum: 0 }),
    totalRows: Type.Integer({ minimum: 0 }),
    truncated: Type.Boolean(),
    bytesProcessed: Type.Number({ minimum: 0 }),
    affectedRows: Type.Optional(Type.Integer({ minimum: 0 })),
    durationMs: Type.Number({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type ExecutionSucceeded = Static<typeof ExecutionSucceeded>;

export const ExecutionFailed = Type.Object(
  {
    requestId: Type.String(),
    jobId: Type.String(),
    code: Type.String(),
    /** Sanitised: never echoes values from the warehouse's error text. */
    message: Type.String({ maxLength: 2000 }),
  },
  { additionalProperties: false },
);
export type ExecutionFailed = Static<typeof ExecutionFailed>;

export const ExecutionCancelled = Type.Object(
  { requestId: Type.String(), jobId: Type.Optional(Type.String()), by: Type.String() },
  { additionalProperties: false },
);
export type ExecutionCancelled = Static<typeof ExecutionCancelled>;

export const MaskedColumn = Type.Object(
  {
    column: Type.String(),
    rule: Type.String(),
    sources: Type.Array(Type.String()),
    originalType: Type.String(),
    reason: Type.Union([Type.Literal('lineage'), Type.Literal('unknown-lineage'), Type.Literal('unpaired-columns')]),
  },
  { additionalProperties: false },
);

export const ResultMasked = Type.Object(
  {
    requestId: Type.String(),
    maskedColumns: Type.Array(MaskedColumn),
    detectorHits: Type.Array(
      Type.Object(
        { column: Type.String(), detector: Type.String(), count: Type.Integer({ minimum: 1 }) },
        { additionalProperties: false },
      ),
    ),
    resultHash: Sha256Hex,
  },
  { additionalProperties: false },
);
export type ResultMasked = Static<typeof ResultMasked>;

/** The masked result as delivered; stored so GET, replays and evidence show exactly what the agent saw. */
export const ResultDelivered = Type.Object(
  {
    requestId: Type.String(),
    columns: Type.Array(ColumnDescription),
    rows: Type.Array(Type.Record(Type.String(), JsonValue)),
    rowCount: Type.Integer({ minimum: 0 }),
    truncated: Type.Boolean(),
    bytesProcessed: Type.Number({ minimum: 0 }),
    resultHash: Sha256Hex,
  },
  { additionalProperties: false },
);
export type ResultDelivered = Static<typeof ResultDelivered>;
