/**
 * A BigQuery dry run read as a bound: what it says about bytes (only when its accuracy makes the
 * number an upper bound) and what the scan would cost on demand.
 */

const MiB = 1024 * 1024;
const TiB = 1024 ** 4;

/** On-demand price of scanning `bytes`: BigQuery bills whole MiB, at least 10 MiB per query. */
export const estimateCostUsd = (bytes: number, pricePerTiBUsd = 6.25): number => {
  if (bytes <= 0) return 0;
  const billed = Math.max(10 * MiB, Math.ceil(bytes / MiB) * MiB);
  return (billed / TiB) * pricePerTiBUsd;
};

/** The parts of a dry run's Job resource read here. */
export interface DryRunResponse {
  readonly jobReference?: { readonly location?: string | null } | null;
  readonly statistics?: {
    readonly totalBytesProcessed?: string | number | null;
    readonly query?: DryRunQueryStatistics | null;
  } | null;
}

export interface DryRunQueryStatistics {
  readonly statementType?: string | null;
  readonly totalBytesProcessed?: string | number | null;
  readonly totalBytesProcessedAccuracy?: string | null;
  readonly referencedTables?: readonly { projectId?: string | null; datasetId?: string | null; tableId?: string | null }[] | null;
  readonly schema?: { readonly fields?: unknown } | null;
}

/**
 * The dry run's byte count when it bounds the scan: only PRECISE and UPPER_BOUND do. LOWER_BOUND
 * (external and federated tables may say 0 while scanning terabytes), UNKNOWN, an absent accuracy
 * or an absent count leave the estimate unknown (NaN), so bytesOver rules fail closed.
 */
export const boundedEstimate = (stats: DryRunQueryStatistics | null | undefined, jobBytes: string | number | null | undefined): number => {
  const accuracy = stats?.totalBytesProcessedAccuracy;
  if (accuracy !== 'PRECISE' && accuracy !== 'UPPER_BOUND') return Number.NaN;
  const reported = stats?.totalBytesProcessed ?? jobBytes;
  return reported === undefined || reported === null ? Number.NaN : Number(reported);
};

