/**
 * Reads a job's results page by page (jobs.getQueryResults with autoPaginate off) until the job's
 * rows run out or the caller's row / byte budget is spent. Rows are taken raw (`skipParsing`) and
 * decoded by bigquery-types so no value loses precision on the way.
 */
import type { Job } from '@google-cloud/bigquery';
import { LedgergateError } from '../../domain/errors.js';
import type { CellValue, ColumnSchema, QueryResult } from '../../domain/ports.js';
import { toLedgergateError } from './bigquery-errors.js';
import { columnsOf, decodeRowValues, type BigQueryFieldSchema, type RawRow } from './bigquery-types.js';

export interface ReadLimits {
  readonly maxRows: number;
  readonly maxResultBytes: number;
  /** ms epoch after which the read gives up with warehouse_timeout. */
  readonly deadline: number;
  /** Rows asked for per page. */
  readonly pageSize: number;
}

interface ResultsPage {
  readonly jobComplete?: boolean;
  readonly schema?: { readonly fields?: readonly BigQueryFieldSchema[] };
  readonly rows?: readonly RawRow[];
  readonly totalRows?: string | number;
  readonly pageToken?: string;
  readonly totalBytesProcessed?: string | number;
  readonly numDmlAffectedRows?: string | number;
}

/** BigQuery holds getQueryResults at most this long; we re-ask until our own deadline. */
const MAX_SERVER_WAIT_MS = 10_000;
const NOT_COMPLETE = /did not complete before/;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const timeoutError = (jobId: string): LedgergateError =>
  new LedgergateError('warehouse_timeout', 'BigQuery job did not finish within the allowed time', { jobId });

/** Settles with `work`, or rejects with warehouse_timeout at the deadline (the request itself is left to finish). */
export const withDeadline = async <T>(work: Promise<T>, deadline: number, jobId: string): Promise<T> => {
  const remaining = deadline - Date.now();
  if (remaining <= 0) {
    work.catch(() => undefined);
    throw timeoutError(jobId);
  }
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(timeoutError(jobId)), remaining);
  });
  try {
    return await Promise.race([work, expiry]);
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
  }
};

/** One page, or undefined while the job is still running. */
const fetchPage = async (job: Job, pageToken: string | undefined, maxResults: number, deadline: number): Promise<ResultsPage | undefined> => {
  const waitMs = Math.max(1, Math.min(deadline - Date.now(), MAX_SERVER_WAIT_MS));
  try {
    const [, , response] = await withDeadline(
      job.getQueryResults({ autoPaginate: false, skipParsing: true, maxResults, timeoutMs: waitMs, ...(pageToken ? { pageToken } : {}) }),
      deadline,
      job.id ?? '',
    );
    return (response ?? {}) as ResultsPage;
  } catch (error) {
    if (error instanceof Error && NOT_COMPLETE.test(error.message)) return undefined;
    throw toLedgergateError(error, job.id);
  }
};

const toNumber = (value: string | number | undefined): number | undefined => (value === undefined ? undefined : Number(value));

export const readResults = async (job: Job, limits: ReadLimits): Promise<QueryResult> => {
  const jobId = job.id ?? '';
  const rows: CellValue[][] = [];
  let columns: ColumnSchema[] = [];
  let usedBytes = 0;
  let truncated = false;
  let first: ResultsPage | undefined;
  let pageToken: string | undefined;

  for (;;) {
    if (Date.now() >= limits.deadline) throw timeoutError(jobId);
    const wanted = Math.max(0, limits.maxRows - rows.length);
    const page = await fetchPage(job, pageToken, Math.min(limits.pageSize, Math.max(1, wanted)), limits.deadline);
    if (!page || page.jobComplete === false) {
      await sleep(Math.min(50, Math.max(0, limits.deadline - Date.now())));
      continue;
    }
    if (!first) {
      first = page;
      columns = columnsOf(page.schema?.fields);
    }
    for (const row of decodeRowValues(first.schema?.fields ?? [], page.rows ?? [])) {
      const size = Buffer.byteLength(JSON.stringify(row));
      if (rows.length >= limits.maxRows || usedBytes + size > limits.maxResultBytes) {
        truncated = true;
        break;
      }
      rows.push(row);
      usedBytes += size;
    }
    pageToken = page.pageToken;
    if (truncated || !pageToken || rows.length >= limits.maxRows) break;
  }

  const totalRows = toNumber(first?.totalRows) ?? rows.length;
  const affectedRows = toNumber(first?.numDmlAffectedRows);
  return {
    jobId,
    columns,
    rows,
    totalRows,
    truncated: truncated || totalRows > rows.length,
    bytesProcessed: toNumber(first?.totalBytesProcessed) ?? 0,
    ...(affectedRows !== undefined ? { affectedRows } : {}),
  };
};
