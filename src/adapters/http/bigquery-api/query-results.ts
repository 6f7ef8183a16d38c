/**
 * jobs.getQueryResults and jobs.query answers from the gateway's own record: the masked rows the
 * request delivered (never a second read of the warehouse), paged by maxResults / pageToken /
 * startIndex, cells encoded per formatOptions. `totalRows` is the number of rows the gateway serves.
 * A request that ended without rows answers BigQuery's HTTP error (403 accessDenied for a denial or a
 * rejection), as BigQuery does on these two methods for a failed job.
 */
import type { RequestState } from '../../../domain/request/request-state.js';
import { BigQueryApiError } from './errors.js';
import { jobErrorOf, jobReferenceOf, ledgergateMember, type JobContext } from './job-resource.js';
import { nonNegativeInteger } from './paging.js';
import { encodeRow, wireSchemaOf, type TimestampFormat } from './wire-values.js';

export interface ResultOptions {
  readonly maxResults?: number;
  readonly startIndex?: number;
  readonly timestamps: TimestampFormat;
}

const truthy = (value: unknown) => value === true || value === 'true';

/** formatOptions from a query string (`formatOptions.useInt64Timestamp=true`) or a JSON body. */
export function timestampFormatOf(options: { useInt64Timestamp?: unknown; timestampOutputFormat?: unknown }): TimestampFormat {
  const format = options.timestampOutputFormat;
  if (format === 'ISO8601_STRING' || format === 'INT64' || format === 'FLOAT64') return format;
  if (format !== undefined && format !== 'TIMESTAMP_OUTPUT_FORMAT_UNSPECIFIED') {
    throw new BigQueryApiError(400, 'invalid', 'formatOptions.timestampOutputFormat must be FLOAT64, INT64 or ISO8601_STRING');
  }
  return truthy(options.useInt64Timestamp) ? 'INT64' : 'FLOAT64';
}

/** `pageToken` wins over `startIndex`; both are row offsets into what the gateway serves. */
export function resultOptionsOf(query: Record<string, unknown>, timestamps: TimestampFormat): ResultOptions {
  const maxResults = nonNegativeInteger(query.maxResults, 'maxResults');
  const startIndex = nonNegativeInteger(query.pageToken, 'pageToken') ?? nonNegativeInteger(query.startIndex, 'startIndex');
  return { ...(maxResults !== undefined ? { maxResults } : {}), ...(startIndex !== undefined ? { startIndex } : {}), timestamps };
}

/** The completed-or-not part of both answers; throws the job's error when it ended without rows. */
export function resultsBody(state: RequestState, context: JobContext, options: ResultOptions): Record<string, unknown> {
  const error = jobErrorOf(state);
  if (error) throw error;
  if (state.status !== 'succeeded' || !state.result) {
    return { jobReference: jobReferenceOf(context), jobComplete: false, ledgergate: ledgergateMember(state, context) };
  }
  const { result } = state;
  const fields = wireSchemaOf(result.columns);
  const start = Math.min(options.startIndex ?? 0, result.rows.length);
  // A page of at most 10,000 rows unless asked otherwise: BigQuery also splits large results into pages.
  const size = Math.max(1, options.maxResults ?? 10_000);
  const rows = result.rows.slice(start, start + size);
  const next = start + rows.length;
  return {
    jobReference: jobReferenceOf(context),
    jobComplete: true,
    schema: { fields },
    ...(rows.length > 0 ? { rows: rows.map((row) => encodeRow(fields, row, options.timestamps)) } : {}),
    totalRows: String(result.rows.length),
    ...(next < result.rows.length ? { pageToken: String(next) } : {}),
    totalBytesProcessed: String(Math.round(result.bytesProcessed)),
    cacheHit: false,
    ...(state.outcome?.affectedRows !== undefined ? { numDmlAffectedRows: String(state.outcome.affectedRows) } : {}),
    ledgergate: { ...ledgergateMember(state, context), ...(result.truncated ? { truncated: true } : {}) },
  };
}
