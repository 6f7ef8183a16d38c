/**
 * BigQuery job ids belong to the caller: the request id behind a job is derived from the caller's
 * identity (issuer and subject) and the job id, so two agents choosing the same id never meet, a job id
 * of another principal cannot be probed, and reusing one's own id finds the existing request (409
 * `duplicate` on jobs.insert, as BigQuery answers). Id and label rules: BigQuery reference, Job and
 * labels ("[A-Za-z0-9_-], at most 1,024 characters"; "at most 64 labels, keys and values at most 63").
 */
import { createHash } from 'node:crypto';
import type { Principal } from '../../../domain/identity/principal.js';
import { BigQueryApiError } from './errors.js';

const jobIdPattern = /^[A-Za-z0-9_-]{1,1024}$/;

export function checkJobId(jobId: unknown): string {
  if (typeof jobId !== 'string' || !jobIdPattern.test(jobId)) {
    throw new BigQueryApiError(400, 'invalid', 'Invalid job ID: a job id has only letters, digits, underscores and dashes, at most 1,024 characters');
  }
  return jobId;
}

/** A UUID-shaped request id (RFC 9562 version 8: custom, hash based) for this principal's job id. */
export function requestIdForJob(principal: Pick<Principal, 'issuer' | 'subject'>, jobId: string): string {
  const hex = createHash('sha256').update(`bigquery-job\u0000${principal.issuer}\u0000${principal.subject}\u0000${jobId}`, 'utf8').digest('hex');
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** jobs.query's requestId gets its own namespace, so it never collides with a job id the caller chose. */
export const jobIdForQueryRequest = (requestId: string): string => `ledgergate_q_${createHash('sha256').update(requestId, 'utf8').digest('hex').slice(0, 40)}`;

const labelKey = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const labelValue = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;

export function checkLabels(labels: unknown): Record<string, string> | undefined {
  if (labels === undefined || labels === null) return undefined;
  if (typeof labels !== 'object' || Array.isArray(labels)) throw new BigQueryApiError(400, 'invalid', 'labels must be an object of strings');
  const entries = Object.entries(labels as Record<string, unknown>);
  if (entries.length > 64) throw new BigQueryApiError(400, 'invalid', 'A job has at most 64 labels');
  for (const [key, value] of entries) {
    if (!labelKey.test(key) || typeof value !== 'string' || !labelValue.test(value)) {
      throw new BigQueryApiError(400, 'invalid', `Invalid label ${JSON.stringify(key.slice(0, 63))}: keys and values use lower-case letters, digits, _ and -, at most 63 characters; keys start with a letter`);
    }
  }
  return entries.length ? Object.fromEntries(entries as [string, string][]) : undefined;
}
