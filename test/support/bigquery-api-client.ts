/**
 * Helpers for driving the gateway's BigQuery API with the official Node client and with raw REST
 * calls. The client gets an explicit auth client that sends the gateway token (so it never probes the
 * cloud metadata address) and no retries (a retried refusal would only hide the first answer).
 */
import { BigQuery } from '@google-cloud/bigquery';
import { call, type GatewayProcess, type HttpAnswer } from './gateway-process.js';

export const demoProject = 'demo-project';

export function bigQueryClient(gateway: GatewayProcess, token: string): BigQuery {
  const authClient = { getRequestHeaders: async () => new Headers({ Authorization: `Bearer ${token}` }) };
  return new BigQuery({
    projectId: demoProject,
    apiEndpoint: gateway.url,
    authClient: authClient as unknown as NonNullable<ConstructorParameters<typeof BigQuery>[0]>['authClient'],
    retryOptions: { maxRetries: 0, autoRetry: false },
  });
}

/** A BigQuery REST call at `/bigquery/v2/projects/demo-project/…` (or at the root when `root`). */
export function bq(gateway: GatewayProcess, token: string | undefined, path: string, options: { method?: string; body?: unknown; headers?: Record<string, string>; root?: boolean } = {}): Promise<HttpAnswer> {
  const prefix = options.root ? '' : '/bigquery/v2';
  return call(`${gateway.url}${prefix}/projects/${demoProject}/${path}`, {
    ...(token ? { token } : {}),
    ...(options.method ? { method: options.method } : {}),
    ...(options.body !== undefined ? { body: options.body } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
  });
}

export interface BigQueryErrorBody {
  error: { code: number; message: string; errors: { reason: string; message: string; domain: string }[] };
}

export const reasonOf = (answer: HttpAnswer): string | undefined => (answer.body as BigQueryErrorBody).error?.errors?.[0]?.reason;
export const messageOf = (answer: HttpAnswer): string => (answer.body as BigQueryErrorBody).error?.message ?? '';
