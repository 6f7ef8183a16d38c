/**
 * What BigQuery refuses before it creates a job, checked the way BigQuery checks it (facts and
 * sources in server.ts's header): job ids, labels, and the SQL dialect a request asks for.
 */

/** [D reference/rest/v2/JobReference] letters, digits, underscores and dashes; at most 1,024 characters. */
export const JOB_ID = /^[A-Za-z0-9_-]{1,1024}$/;

/**
 * [D docs/labels-intro#requirements] at most 64 labels; keys and values at most 63 characters of
 * lower-case letters, digits, `_` and `-` (international letters allowed); keys start with a
 * lower-case letter and are never empty; values may be empty.
 */
const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;
export const MAX_LABELS = 64;

export const jobIdProblem = (jobId: unknown): string | undefined =>
  typeof jobId === 'string' && JOB_ID.test(jobId)
    ? undefined
    : `Invalid job ID "${String(jobId).slice(0, 40)}". Job IDs must be alphanumeric (plus underscores and dashes) and must be at most 1024 characters long.`;

export const labelsProblem = (labels: unknown): string | undefined => {
  if (labels === undefined || labels === null) return undefined;
  if (typeof labels !== 'object' || Array.isArray(labels)) return 'Invalid value for labels: expected a map of strings';
  const entries = Object.entries(labels as Record<string, unknown>);
  if (entries.length > MAX_LABELS) return `Too many labels: ${entries.length}; at most ${MAX_LABELS} are allowed`;
  for (const [key, value] of entries) {
    if (!LABEL_KEY.test(key)) return `Invalid label key "${key.slice(0, 70)}"`;
    if (typeof value !== 'string' || !LABEL_VALUE.test(value)) return `Invalid label value for key "${key}"`;
  }
  return undefined;
};

/**
 * [D reference/rest/v2/Job#JobConfigurationQuery.FIELDS.use_legacy_sql] "The default value is
 * true": a request that does not say useLegacySql:false is legacy SQL. This fake does not model
 * legacy SQL at all, so such a query fails like a GoogleSQL query does in legacy mode — which is at
 * least as strict as BigQuery for any client that means GoogleSQL.
 */
export const legacySqlProblem = (queryConfig: Readonly<Record<string, unknown>>): string | undefined =>
  queryConfig.useLegacySql === false
    ? undefined
    : 'Invalid query: this request runs as legacy SQL (useLegacySql is not false); the fake models GoogleSQL only';
