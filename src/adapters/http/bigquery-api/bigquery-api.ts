/**
 * The BigQuery REST v2 surface, at /bigquery/v2/… (what client libraries call with apiEndpoint) and at
 * the root (BIGQUERY_EMULATOR_HOST-style clients leave the prefix out), plus the discovery document
 * `bq` reads first. Served: query jobs and catalog reads. Everything else under a project — row reads
 * (tabledata.list), streaming inserts, uploads, dataset and table changes — is 403 accessDenied: those
 * would move data past the policy, masking and audit.
 */
import { Router, type Request, type Response } from 'express';
import type { Logger } from '../../../domain/ports.js';
import type { PolicyHolder } from '../../../app/policy-holder.js';
import type { QueryService } from '../../../app/query-service.js';
import type { Catalog } from '../../../domain/ports.js';
import type { BigQueryJobIndex } from '../../../projections/bigquery-jobs.js';
import type { ForeignApi } from '../app.js';
import { catalogRoutes } from './catalog-routes.js';
import { discoveryDocument } from './discovery.js';
import { BigQueryApiError, bigQueryErrorHandler, sendBigQueryError } from './errors.js';
import { jobsRoutes } from './jobs-routes.js';

export interface BigQueryApiDeps {
  readonly queries: QueryService;
  readonly catalog: Catalog;
  readonly policies: PolicyHolder;
  readonly jobs: BigQueryJobIndex;
  readonly projectId: string;
  readonly logger: Logger;
}

const discoveryPaths = ['/$discovery/rest', '/discovery/v1/apis/bigquery/v2/rest', '/bigquery/v2/$discovery/rest'];

/** The discovery document needs no token (Google serves it publicly too); its rootUrl is this gateway. */
export function bigQueryDiscoveryRoutes(): Router {
  const router = Router();
  router.get(/.*/, (req, res, next) => {
    if (!discoveryPaths.includes(req.path)) return next();
    const version = req.query.version;
    if (req.path === '/$discovery/rest' && version !== undefined && version !== 'v2') {
      return sendBigQueryError(res, 404, 'notFound', `ledgergate serves BigQuery API version v2, not ${String(version)}`);
    }
    res.json(discoveryDocument(`${req.protocol}://${req.get('host') ?? 'localhost'}/`));
  });
  return router;
}

function refusal(req: Request): BigQueryApiError {
  const path = req.path;
  if (/\/tables\/[^/]+\/data\/?$/.test(path)) {
    return new BigQueryApiError(403, 'accessDenied', 'Access Denied: ledgergate does not serve tabledata.list; read rows with a query, so the policy judges it and masks the answer');
  }
  if (/\/insertAll\/?$/.test(path)) return new BigQueryApiError(403, 'accessDenied', 'Access Denied: ledgergate does not serve tabledata.insertAll; write with an INSERT statement, which the policy judges');
  if (req.method !== 'GET') {
    return new BigQueryApiError(403, 'accessDenied', `Access Denied: ledgergate does not serve ${req.method} ${path}; change datasets and tables with SQL statements, which the policy judges`);
  }
  return new BigQueryApiError(403, 'accessDenied', `Access Denied: ledgergate does not serve ${req.method} ${path}; it serves query jobs and catalog reads`);
}

/** A Google access token (ya29.…) is the user's cloud credential, not the gateway's: say how to send the right one. */
function respondUnauthenticated(req: Request, res: Response, _reason: string, message: string): void {
  const token = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
  const text = token.startsWith('ya29.')
    ? 'Request had invalid authentication credentials: this is a Google access token, and ledgergate accepts only tokens of its own identity provider. Send the gateway token instead (bq: --oauth_access_token=$TOKEN; client libraries: an auth client that returns the gateway token)'
    : `Request had invalid authentication credentials: ${message}`;
  sendBigQueryError(res, 401, 'authError', text);
}

export function bigQueryApi(deps: BigQueryApiDeps): ForeignApi {
  const { projectId } = deps;
  const perProject = Router({ mergeParams: true });
  perProject.use(jobsRoutes({ queries: deps.queries, jobs: deps.jobs, projectId }));
  perProject.use(catalogRoutes({ catalog: deps.catalog, policies: deps.policies, projectId }));
  perProject.use((req) => {
    throw refusal(req);
  });

  const router = Router();
  router.use('/:projectId', (req, _res, next) => {
    const requested = String(req.params.projectId ?? '');
    if (requested !== projectId) throw new BigQueryApiError(404, 'notFound', `Not found: Project ${requested} (this gateway serves project ${projectId})`);
    next();
  }, perProject);

  const api = Router();
  api.use(['/bigquery/v2/projects', '/projects'], router);
  api.use(['/upload/bigquery', '/resumable/upload/bigquery'], () => {
    throw new BigQueryApiError(403, 'accessDenied', 'Access Denied: ledgergate does not accept uploads or load jobs');
  });
  api.use('/bigquery/v2', (req) => {
    throw new BigQueryApiError(404, 'notFound', `Not found: ledgergate does not serve ${req.method} ${req.originalUrl.split('?')[0] ?? ''}`);
  });

  return {
    paths: ['/bigquery/v2', '/projects', '/upload/bigquery', '/resumable/upload/bigquery'],
    router: api,
    respondUnauthenticated,
    errorHandler: bigQueryErrorHandler(deps.logger),
  };
}
