/**
 * The gateway's route list, in one place: which routers are public, which sit behind bearer
 * authentication, and what each is given. The composition root builds the parts; this file only
 * says where they are served.
 */
import type { RequestHandler, Router } from 'express';
import type { PolicyHolder } from '../../app/policy-holder.js';
import type { QueryService } from '../../app/query-service.js';
import type { Clock, EventStore, Signer, Warehouse, Logger } from '../../domain/ports.js';
import { approverGroupsOf } from '../../domain/policy/approver-groups.js';
import type { ReadModels } from '../../projections/read-models.js';
import type { ProjectionRunner } from '../../projections/runner.js';
import { consoleApiRoutes } from '../console/console-api-routes.js';
import { consolePublicRoutes, type ConsoleSettings } from '../console/console-wiring.js';
import type { DevIssuer } from '../identity/dev-issuer.js';
import { createLedgergateTools } from '../mcp/ledgergate-tools.js';
import { mcpRoutes } from '../mcp/mcp-routes.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { httpMetrics } from '../metrics/http-metrics.js';
import { metricsRoutes } from '../metrics/metrics-routes.js';
import type { ForeignApi } from './app.js';
import { approvalRoutes } from './approval-routes.js';
import { bigQueryApi, bigQueryDiscoveryRoutes } from './bigquery-api/bigquery-api.js';
import { auditRoutes } from './audit-routes.js';
import { evidenceKeyRoutes, evidenceRoutes } from './evidence-routes.js';
import { openApiRoutes } from './openapi-routes.js';
import { publicRoutes } from './public-routes.js';
import { queryRoutes } from './query-routes.js';
import { reportRoutes } from './report-routes.js';
import { createBodyValidator } from './schemas.js';

export interface GatewayRouteSettings extends ConsoleSettings {
  readonly version: string;
  readonly maxWaitSeconds: number;
  readonly auditorGroups: readonly string[];
  readonly trustProxy: boolean;
  /** Bearer token /metrics requires; without it /metrics answers loopback callers only. */
  readonly metricsToken?: string;
}

export interface GatewayRouteParts {
  readonly settings: GatewayRouteSettings;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly metrics: GatewayMetrics;
  readonly store: EventStore;
  readonly warehouse: Warehouse;
  readonly queries: QueryService;
  readonly policies: PolicyHolder;
  readonly runner: ProjectionRunner;
  readonly readModels: ReadModels;
  readonly signer: Signer;
  /** Seals what is there now, before an evidence export. */
  readonly sealNow: () => Promise<void>;
  readonly devIssuer?: DevIssuer;
}

export interface GatewayRoutes {
  readonly beforeRoutes: readonly RequestHandler[];
  readonly publicRoutes: readonly Router[];
  readonly apiRoutes: readonly Router[];
  /** APIs with their own paths and error shape: BigQuery's REST API. */
  readonly foreignApis: readonly ForeignApi[];
}

export function gatewayRoutes(parts: GatewayRouteParts): GatewayRoutes {
  const { settings, logger, clock, metrics, store, warehouse, queries, policies, runner, signer, devIssuer } = parts;
  const { accessLog, approvals, sessions, maskingReport, approvalsReport } = parts.readModels;
  const approverGroups = () => approverGroupsOf(policies.current());
  const auditGroups = () => [...settings.auditorGroups, ...approverGroups()];
  return {
    beforeRoutes: [httpMetrics(metrics)],
    publicRoutes: [
      openApiRoutes({ version: settings.version }),
      metricsRoutes({ metrics, access: settings.metricsToken ? { token: settings.metricsToken } : { loopbackOnly: true, behindProxy: settings.trustProxy } }),
      publicRoutes({ store, ...(devIssuer ? { devIssuer } : {}) }),
      evidenceKeyRoutes({ signer }),
      bigQueryDiscoveryRoutes(),
      ...consolePublicRoutes({ settings, ...(devIssuer ? { devIssuer } : {}), clock: () => clock.now(), logger }),
    ],
    apiRoutes: [
      queryRoutes({ queries, bodies: createBodyValidator(), maxWaitSeconds: settings.maxWaitSeconds }),
      mcpRoutes({
        // MCP clients give up on a request after 60 s by default: tool waits stay below that.
        tools: createLedgergateTools({ queries, policies, catalog: warehouse, projectId: warehouse.projectId, maxWaitSeconds: Math.min(settings.maxWaitSeconds, 50), logger }),
        version: settings.version,
        logger,
      }),
      approvalRoutes({ queue: approvals, runner, readerGroups: auditGroups }),
      auditRoutes({ accessLog, sessions, store, runner, access: { groups: auditGroups } }),
      reportRoutes({ masking: maskingReport, approvals: approvalsReport, runner, access: { groups: auditGroups } }),
      consoleApiRoutes({ policy: () => policies.current(), approverGroups, auditGroups }),
      evidenceRoutes({
        store,
        signer,
        access: { groups: auditGroups },
        gatewayVersion: settings.version,
        sealNow: () =>
          parts.sealNow().catch((error: unknown) => {
            // The bundle still goes out as the store holds it; verification then names the broken place.
            logger.warn('sealing before an evidence export failed; the log is not sealed past its last seal', { error: String(error) });
          }),
        onExportError: (error: unknown) => logger.error('evidence export failed midway; the download was cut off', { error: String(error) }),
      }),
    ],
    foreignApis: [bigQueryApi({ queries, catalog: warehouse, policies, jobs: parts.readModels.bigQueryJobs, projectId: warehouse.projectId, logger })],
  };
}
