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
    /**
     * Where the job runs (BigQuery location). Recorded before the job is created, so a resume, a
     * cancel or a lost insert answer can still find a regional job. Absent in logs written before it.
     */
    location: Type.Optional(Type.String({ maxLength: 100 })),
    /**
     * The attempt this job id belongs to (1 when absent). A job that failed for a transient warehouse
     * reason is retried under a new job id, each attempt recorded here before its job is created.
     */
    attempt: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
export type ExecutionStarted = Static<typeof ExecutionStarted>;

/** A statement of a script, run as a child job of the script's job. */
export const ChildJobRecord = Type.Object(
  {
    jobId: Type.String(),
    statementType: Type.String({ maxLength: 100 }),
    state: Type.Union([Type.Literal('done'), Type.Literal('failed'), Type.Literal('running')]),
    bytesProcessed: Type.Optional(Type.Number({ minimum: 0 })),
    affectedRows: Type.Optional(Type.Integer({ minimum: 0 })),
    code: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

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
    /** The gateway asked the warehouse to cancel the job (its deadline passed), but the job finished first. */
    cancelRequested: Type.Optional(Type.Boolean()),
    /** A script's statements, each a child job, in the order they ran. */
    childJobs: Type.Optional(Type.Array(ChildJobRecord, { maxItems: 10_000 })),
    /** Reasons of problems the warehouse reported without failing the job. */
    warnings: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 1000 })),
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
    /** A failed script's statements that ran before (and including) the one that failed. */
    childJobs: Type.Optional(Type.Array(ChildJobRecord, { maxItems: 10_000 })),
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
