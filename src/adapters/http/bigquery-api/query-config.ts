/**
 * What a BigQuery query job asks for, checked before anything is recorded. The gateway runs GoogleSQL
 * query jobs and nothing else: load, copy and extract jobs, destination tables, write dispositions and
 * external table definitions would move data past the gate, so they are refused (403 accessDenied).
 * Legacy SQL is refused (400): an absent `useLegacySql` means legacy (REST reference,
 * JobConfigurationQuery), which is also what `bq` sends unless given --nouse_legacy_sql.
 */
import { BigQueryApiError } from './errors.js';

const writesPastTheGate = [
  'destinationTable',
  'writeDisposition',
  'createDisposition',
  'tableDefinitions',
  'schemaUpdateOptions',
  'destinationEncryptionConfiguration',
  'timePartitioning',
  'rangePartitioning',
  'clustering',
  'createSession',
  'connectionProperties',
  'scriptOptions',
  'continuous',
] as const;

export interface QueryJobSpec {
  readonly sql: string;
  /** The client's own bound on bytes billed, honoured before anything runs. */
  readonly maximumBytesBilled?: number;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Members a client may send that change nothing the gateway decides (kept lenient: clients fill them in). */
function isBenign(key: string, value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (key === 'writeDisposition' || key === 'createDisposition') return value === '';
  if (key === 'tableDefinitions' || key === 'connectionProperties') return isObject(value) ? Object.keys(value).length === 0 : Array.isArray(value) && value.length === 0;
  if (key === 'schemaUpdateOptions') return Array.isArray(value) && value.length === 0;
  if (key === 'createSession' || key === 'continuous') return value === false;
  return false;
}

/** `query` is JobConfigurationQuery (jobs.insert) or QueryRequest (jobs.query): the same members matter. */
export function querySpecOf(query: Record<string, unknown>): QueryJobSpec {
  if (query.useLegacySql !== false) {
    throw new BigQueryApiError(
      400,
      'invalidQuery',
      'ledgergate runs GoogleSQL only and refuses legacy SQL: send useLegacySql: false (bq: --nouse_legacy_sql; an absent useLegacySql means legacy SQL)',
    );
  }
  for (const key of writesPastTheGate) {
    if (key in query && !isBenign(key, query[key])) {
      throw new BigQueryApiError(403, 'accessDenied', `Access Denied: ledgergate refuses ${key} on query jobs; write the statement in SQL so the policy judges it`);
    }
  }
  const parameters = query.queryParameters;
  if (Array.isArray(parameters) ? parameters.length > 0 : parameters !== undefined && parameters !== null) {
    throw new BigQueryApiError(400, 'invalidQuery', 'ledgergate does not take query parameters: write the values into the SQL so the policy sees them');
  }
  if (query.defaultDataset !== undefined && query.defaultDataset !== null) {
    throw new BigQueryApiError(400, 'invalidQuery', 'ledgergate does not take a default dataset: qualify table names as dataset.table in the SQL');
  }
  if (typeof query.query !== 'string' || query.query.trim() === '') throw new BigQueryApiError(400, 'invalid', 'Required parameter is missing: query');
  const limit = query.maximumBytesBilled;
  if (limit === undefined || limit === null) return { sql: query.query };
  const bytes = typeof limit === 'string' && /^\d{1,18}$/.test(limit) ? Number(limit) : typeof limit === 'number' && Number.isSafeInteger(limit) && limit >= 0 ? limit : NaN;
  if (Number.isNaN(bytes)) throw new BigQueryApiError(400, 'invalid', 'maximumBytesBilled must be a non-negative int64');
  return { sql: query.query, maximumBytesBilled: bytes };
}

/** jobs.insert's body: a query job, or a refusal naming what else was asked. */
export function insertSpecOf(body: unknown): { spec: QueryJobSpec; dryRun: boolean; labels: unknown; jobId?: unknown } {
  if (!isObject(body) || !isObject(body.configuration)) throw new BigQueryApiError(400, 'invalid', 'Required parameter is missing: configuration');
  const configuration = body.configuration;
  for (const other of ['load', 'copy', 'extract'] as const) {
    if (configuration[other] !== undefined) {
      throw new BigQueryApiError(403, 'accessDenied', `Access Denied: ledgergate runs query jobs only; ${other} jobs are refused`);
    }
  }
  if (!isObject(configuration.query)) throw new BigQueryApiError(400, 'invalid', 'ledgergate runs query jobs only: configuration.query is required');
  const reference = isObject(body.jobReference) ? body.jobReference : {};
  return {
    spec: querySpecOf(configuration.query),
    dryRun: configuration.dryRun === true,
    labels: configuration.labels,
    ...(reference.jobId !== undefined ? { jobId: reference.jobId } : {}),
  };
}
