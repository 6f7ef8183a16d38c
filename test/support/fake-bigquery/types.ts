/**
 * What the fake BigQuery server needs from whatever answers its SQL. The engine speaks in plain JS
 * values; the server turns them into BigQuery's wire format (see wire-format.ts).
 */

/** A schema field exactly as BigQuery's REST API describes it (legacy type names allowed). */
export interface BigQueryField {
  readonly name: string;
  /** INTEGER, FLOAT, NUMERIC, BIGNUMERIC, BOOLEAN, STRING, BYTES, DATE, DATETIME, TIME, TIMESTAMP, RECORD, JSON, GEOGRAPHY, … */
  readonly type: string;
  readonly mode?: 'NULLABLE' | 'REQUIRED' | 'REPEATED';
  readonly fields?: readonly BigQueryField[];
  readonly policyTags?: { readonly names: readonly string[] };
}

export interface TableId {
  readonly projectId: string;
  readonly datasetId: string;
  readonly tableId: string;
}

/**
 * Row values, per column, in the order of the schema:
 * INTEGER bigint | number | string; FLOAT number; NUMERIC/BIGNUMERIC string | number;
 * BOOLEAN boolean; BYTES Uint8Array | base64 string; TIMESTAMP bigint micros | Date | ISO string;
 * DATE/DATETIME/TIME/GEOGRAPHY/INTERVAL strings; JSON any (strings are taken as JSON text);
 * RECORD object keyed by field name (or array in field order); REPEATED array; null.
 */
export type EngineRow = readonly unknown[];

export interface EngineResult {
  readonly schema: readonly BigQueryField[];
  readonly rows: readonly EngineRow[];
  readonly totalBytesProcessed: number;
  readonly statementType: string;
  readonly referencedTables: readonly TableId[];
  readonly numDmlAffectedRows?: number;
  /**
   * How good a dry run's byte count is (default PRECISE). External and federated tables report
   * LOWER_BOUND, often with 0 bytes [D reference/rest/v2/Job#JobStatistics2.FIELDS.total_bytes_processed_accuracy].
   */
  readonly totalBytesProcessedAccuracy?: 'UNKNOWN' | 'PRECISE' | 'LOWER_BOUND' | 'UPPER_BOUND';
  /** Problems that do not fail the job: reported as status.errors without errorResult. */
  readonly warnings?: readonly { readonly reason: string; readonly message: string }[];
}

export interface QueryEngine {
  run(sql: string, opts: { dryRun: boolean }): Promise<EngineResult>;
  table(datasetId: string, tableId: string): readonly BigQueryField[] | undefined;
  datasets(): readonly string[];
  tables(datasetId: string): readonly string[];
}

/** BigQuery error reasons the fake can answer with. */
export type ErrorReason =
  | 'invalidQuery'
  | 'notFound'
  | 'accessDenied'
  | 'quotaExceeded'
  | 'rateLimitExceeded'
  | 'backendError'
  | 'internalError'
  | 'duplicate'
  | 'invalid'
  | 'stopped'
  | 'bytesBilledLimitExceeded'
  | 'jobInternalError'
  | 'jobBackendError'
  | 'jobRateLimitExceeded'
  | 'responseTooLarge'
  | 'timeout';

/** Thrown by an engine to fail a query with a particular BigQuery reason. */
export class EngineError extends Error {
  constructor(
    readonly reason: ErrorReason,
    message: string,
    readonly location = 'query',
  ) {
    super(message);
    this.name = 'EngineError';
  }
}
