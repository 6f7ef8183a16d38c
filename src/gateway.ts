/**
 * The composition root: builds every adapter from the configuration, wires the application, replays
 * the read models, resumes in-flight requests, and serves HTTP. `stop()` drains and closes in order.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Config } from './config.js';
import { LedgergateError } from './domain/errors.js';
import { createEventRegistry } from './domain/events/registry.js';
import { approverGroupsOf } from './domain/policy/approver-groups.js';
import type { PolicyActivated } from './domain/events/index.js';
import type { Authenticator, Clock, EventStore, IdGenerator, Warehouse } from './domain/ports.js';
import { requestIdOfStream } from './domain/request/request-events.js';
import { createAuthFailureRecorder } from './app/auth-failure-recorder.js';
import { startApprovalExpiry } from './app/approval-expiry.js';
import { createApprovalWebhook } from './app/approval-webhook.js';
import { createSlackWebhookPoster } from './adapters/webhook/slack-webhook-poster.js';
import { createExecutionSaga } from './app/execution-saga.js';
import type { Logger } from './app/logger.js';
import { createPolicyHolder, policyStream, type PolicyHolder } from './app/policy-holder.js';
import { createQueryService, type QueryService } from './app/query-service.js';
import { createRequestNotifier } from './app/request-notifier.js';
import { createRequestRepository } from './app/request-repository.js';
import { createPolicyResultMasker } from './app/policy-result-masker.js';
import { openSqliteEventStore } from './adapters/eventstore/sqlite-event-store.js';
import { createCappedAnalyser } from './adapters/analysis/pool/capped-analyser.js';
import { createWorkerPoolAnalyser } from './adapters/analysis/pool/worker-pool-analyser.js';
import { openDevIssuer, type DevIssuer } from './adapters/identity/dev-issuer.js';
import { createOidcAuthenticator } from './adapters/identity/oidc-authenticator.js';
import { openWarehouse } from './adapters/warehouse/open-warehouse.js';
import { consoleApiRouter, consolePublicRoutes } from './adapters/console/console-wiring.js';
import { createHttpApp } from './adapters/http/app.js';
import { openApiRoutes } from './adapters/http/openapi-routes.js';
import { createLedgergateTools } from './adapters/mcp/ledgergate-tools.js';
import { mcpRoutes } from './adapters/mcp/mcp-routes.js';
import { createGatewayMetrics } from './adapters/metrics/gateway-metrics.js';
import { httpMetrics } from './adapters/metrics/http-metrics.js';
import { metricsRoutes } from './adapters/metrics/metrics-routes.js';
import { createOutcomeMetrics } from './adapters/metrics/outcome-metrics.js';
import { withAppendTiming } from './adapters/metrics/timed-event-store.js';
import { queryRoutes } from './adapters/http/query-routes.js';
import { approvalRoutes } from './adapters/http/approval-routes.js';
import { auditRoutes } from './adapters/http/audit-routes.js';
import { publicRoutes } from './adapters/http/public-routes.js';
import { evidenceKeyRoutes, evidenceRoutes } from './adapters/http/evidence-routes.js';
import { openKeyStore } from './adapters/evidence/key-store.js';
import { startSealer } from './adapters/evidence/sealer.js';
import { createBodyValidator } from './adapters/http/schemas.js';
import { createWinstonLogger } from './adapters/logging/winston-logger.js';
import { watchPolicyFile } from './adapters/policy/policy-file-watcher.js';
import { loadOrCreateSecretHex } from './adapters/secrets/local-secret.js';
import { createAccessLog, type AccessLog } from './projections/access-log.js';
import { createApprovalQueue, type ApprovalQueue } from './projections/approval-queue.js';
import { startProjectionRunner, type ProjectionRunner } from './projections/runner.js';
import { createSessionIndex } from './projections/sessions.js';
import { createMaskingReport } from './projections/masking-report.js';
import { createApprovalsReport } from './projections/approvals-report.js';
import { reportRoutes } from './adapters/http/report-routes.js';

export const gatewayVersion = '0.1.0';

export interface GatewayOverrides {
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly warehouse?: Warehouse;
  readonly authenticator?: Authenticator;
}

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  readonly gatewayId: string;
  readonly store: EventStore;
  readonly queries: QueryService;
  readonly policies: PolicyHolder;
  readonly accessLog: AccessLog;
  readonly approvals: ApprovalQueue;
  readonly runner: ProjectionRunner;
  readonly devIssuer?: DevIssuer;
  reloadPolicy(by: string): Promise<void>;
  stop(options?: { drainMs?: number }): Promise<void>;
}

const systemClock: Clock = { now: () => new Date() };

const randomIds: IdGenerator = { next: () => randomUUID() };

export async function startGateway(config: Config, overrides: GatewayOverrides = {}): Promise<RunningGateway> {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createWinstonLogger({ level: config.logLevel });
  const gatewayId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });

  const registry = createEventRegistry();
  const metrics = createGatewayMetrics({ version: gatewayVersion });
  const store: EventStore = withAppendTiming(
    config.eventStore.kind === 'sqlite'
      ? openSqliteEventStore({ file: config.eventStore.file, registry })
      : // Loaded only when configured, like the BigQuery client: the gRPC stack is heavy.
        (await import('./adapters/eventstore/esdb-event-store.js')).openEsdbEventStore({ connectionString: config.eventStore.connectionString, registry }),
    metrics.appendDuration,
  );
  const closers: (() => Promise<void> | void)[] = [() => store.close()];
  try {
    const warehouse = overrides.warehouse ?? (await openWarehouse(config));
    closers.unshift(() => warehouse.close());

    let devIssuer: DevIssuer | undefined;
    let authenticator = overrides.authenticator;
    if (!authenticator) {
      if (config.oidc.issuer) {
        authenticator = createOidcAuthenticator({ issuer: config.oidc.issuer, audience: config.oidc.audience, groupsClaim: config.oidc.groupsClaim });
      } else {
        devIssuer = openDevIssuer({ dataDir: config.dataDir, clock: () => clock.now() });
        authenticator = devIssuer.authenticator({ audience: config.oidc.audience, groupsClaim: config.oidc.groupsClaim });
      }
    }

    let policyText: string;
    try {
      policyText = readFileSync(config.policyFile, 'utf8');
    } catch {
      throw new LedgergateError('invalid_config', `LEDGERGATE_POLICY: cannot read ${config.policyFile}`, { setting: 'LEDGERGATE_POLICY' });
    }
    const policies = await createPolicyHolder({ store, clock, logger, gatewayId, initialText: policyText, source: config.policyFile });

    const maskingKey = config.maskingKey ?? loadOrCreateSecretHex(join(config.dataDir, 'masking.key'));
    const analysisLimits = config.analysis;
    // Analysis runs in worker threads unless LEDGERGATE_ANALYSIS_WORKERS=0; either way under the caps and deadline.
    const pool = analysisLimits.workers > 0 ? createWorkerPoolAnalyser({ catalog: warehouse, workers: analysisLimits.workers, limits: analysisLimits }) : undefined;
    if (pool) closers.unshift(() => pool.close());
    // Loaded only without workers: with them the parser's WASM lives in the workers, not on the event loop.
    const analyser = pool ?? createCappedAnalyser((await import('./adapters/analysis/polyglot-analyser.js')).createPolyglotAnalyser({ catalog: warehouse }), analysisLimits);
    const notifier = createRequestNotifier();
    const repository = createRequestRepository({ store, registry, clock, notifier, gatewayId });
    const masker = createPolicyResultMasker({ catalog: warehouse, hmacKey: maskingKey });
    const saga = createExecutionSaga({
      repository,
      warehouse,
      policies,
      masker,
      clock,
      logger,
      settings: {
        timeoutMs: config.limits.queryTimeoutMs,
        maxResultBytes: config.limits.maxResultBytes,
        ...(config.warehouse.kind === 'bigquery' && config.warehouse.maximumBytesBilled ? { maximumBytesBilled: config.warehouse.maximumBytesBilled } : {}),
      },
    });
    const queries = createQueryService({
      repository,
      analyser,
      warehouse,
      policies,
      saga,
      notifier,
      clock,
      ids: randomIds,
      logger,
      settings: {
        defaultProject: config.projectId,
        defaultMaxRows: config.limits.defaultMaxRows,
        maxRowsCap: config.limits.maxRowsCap,
        maxSqlLength: config.limits.maxSqlLength,
        defaultWaitSeconds: config.limits.defaultWaitSeconds,
        maxWaitSeconds: config.limits.maxWaitSeconds,
        auditorGroups: config.auditorGroups,
        pricePerTiBUsd: config.pricePerTiBUsd,
      },
    });

    const accessLog = createAccessLog();
    const approvals = createApprovalQueue();
    const sessions = createSessionIndex();
    const maskingReport = createMaskingReport();
    const approvalsReport = createApprovalsReport();
    // Optional approval webhook, fed by live events (see app/approval-webhook.ts for why).
    const webhook = config.webhookUrl
      ? createApprovalWebhook({ poster: createSlackWebhookPoster({ url: config.webhookUrl }), store, clock, logger, gatewayId, approvalOf: (id) => approvals.get(id) })
      : undefined;
    if (webhook) closers.unshift(() => webhook.stop(2_000));
    const runner = await startProjectionRunner({
      store,
      projections: [accessLog, approvals, sessions, maskingReport, approvalsReport, createOutcomeMetrics({ metrics, gatewayId })],
      logger,
      onLiveEvent: (event) => {
        const requestId = requestIdOfStream(event.streamName);
        webhook?.onEvent(event);
        // This process's own appends woke their waiters already (request-repository): one wake-up per append.
        if (event.metadata.gatewayId === gatewayId) return;
        if (requestId) notifier.notify(requestId);
        // Another replica made a request runnable (approval through it, for instance): run it here if nobody does.
        if (requestId && (event.type === 'QueryApproved' || (event.type === 'PolicyEvaluated' && (event.data as { effect: string }).effect === 'allow'))) {
          setTimeout(() => void saga.execute(requestId), 2_000).unref();
        }
        if (event.streamName === policyStream && event.type === 'PolicyActivated') policies.adopt(event.data as PolicyActivated);
      },
    });
    closers.unshift(() => runner.stop());
    metrics.observe({ pendingApprovals: () => approvals.pending().length, headPosition: () => store.headPosition(), projectionPosition: () => runner.position() });

    for (const requestId of accessLog.inFlight()) void saga.execute(requestId, { resume: true });
    const expiry = startApprovalExpiry({ queue: approvals, repository, clock, logger, intervalMs: 1000 });
    await expiry.sweep();
    closers.unshift(() => expiry.stop());

    const reloadPolicy = async (by: string) => {
      try {
        await policies.activate(readFileSync(config.policyFile, 'utf8'), config.policyFile, by);
      } catch (error) {
        logger.warn('policy reload failed; the current policy stays in force', { error: String(error) });
      }
    };
    const watcher = watchPolicyFile({ file: config.policyFile, logger, onText: () => void reloadPolicy('policy file change') });
    closers.unshift(() => watcher.close());

    const keyStore = await openKeyStore({ dataDir: config.dataDir, ...(config.evidence.keyFile ? { keyFile: config.evidence.keyFile } : {}) });
    const keyMaxAgeMs = config.evidence.keyMaxAgeMs;
    if (keyMaxAgeMs !== undefined && config.evidence.keyFile === undefined) {
      const rotateIfDue = async () => {
        const kid = await keyStore.rotateIfOlderThan(keyMaxAgeMs, clock.now());
        if (kid) logger.info('evidence signing key rotated; earlier keys stay published for earlier seals', { keyId: kid });
      };
      await rotateIfDue();
      const rotation = setInterval(() => void rotateIfDue().catch((error: unknown) => logger.warn('evidence key rotation failed', { error: String(error) })), Math.min(keyMaxAgeMs, 3_600_000));
      rotation.unref();
      closers.unshift(() => clearInterval(rotation));
    }
    const sealer = startSealer({
      store,
      signer: keyStore,
      everyEvents: config.evidence.sealEveryEvents,
      everyMs: config.evidence.sealIntervalMs,
      clock: () => clock.now(),
      gatewayId,
      onError: (error: unknown) => logger.warn('sealing failed', { error: String(error) }),
    });
    closers.unshift(() => sealer.stop());

    const authFailures = createAuthFailureRecorder({ store, clock, ids: randomIds, logger, gatewayId });
    const approverGroups = () => approverGroupsOf(policies.current());
    const auditGroups = () => [...config.auditorGroups, ...approverGroups()];
    const app = createHttpApp({
      logger,
      authenticator,
      authFailures,
      bodyLimitBytes: config.limits.bodyLimitBytes,
      trustProxy: config.trustProxy,
      requestsPerMinutePerPrincipal: config.limits.requestsPerMinutePerPrincipal,
      requestsPerMinutePerAddress: config.limits.requestsPerMinutePerAddress,
      beforeRoutes: [httpMetrics(metrics)],
      publicRoutes: [
        openApiRoutes({ version: gatewayVersion }),
        metricsRoutes({ metrics, access: config.metricsToken ? { token: config.metricsToken } : { loopbackOnly: true, behindProxy: config.trustProxy } }),
        publicRoutes({ store, ...(devIssuer ? { devIssuer } : {}) }),
        evidenceKeyRoutes({ signer: keyStore }),
        ...consolePublicRoutes({ config, ...(devIssuer ? { devIssuer } : {}), clock: () => clock.now(), logger }),
      ],
      apiRoutes: [
        queryRoutes({ queries, bodies: createBodyValidator(), maxWaitSeconds: config.limits.maxWaitSeconds }),
        mcpRoutes({
          // MCP clients give up on a request after 60 s by default: tool waits stay below that.
          tools: createLedgergateTools({ queries, policies, catalog: warehouse, projectId: warehouse.projectId, maxWaitSeconds: Math.min(config.limits.maxWaitSeconds, 50), logger }),
          version: gatewayVersion,
          logger,
        }),
        approvalRoutes({ queue: approvals, runner, readerGroups: auditGroups }),
        auditRoutes({ accessLog, sessions, store, runner, access: { groups: auditGroups } }),
        reportRoutes({ masking: maskingReport, approvals: approvalsReport, runner, access: { groups: auditGroups } }),
        consoleApiRouter({
          policy: () => policies.current(),
          approverGroups,
          auditGroups,
        }),
        evidenceRoutes({ store, signer: keyStore, access: { groups: auditGroups }, gatewayVersion, sealNow: () =>
          sealer.sealNow().catch((error: unknown) => {
            // The bundle still goes out as the store holds it; verification then names the broken place.
            logger.warn('sealing before an evidence export failed; the log is not sealed past its last seal', { error: String(error) });
          }),
          onExportError: (error: unknown) => logger.error('evidence export failed midway; the download was cut off', { error: String(error) }),
        }),
      ],
    });

    const server: Server = createServer({ maxHeaderSize: 16 * 1024 }, app);
    // Idle keep-alive connections outlive typical client pools, so a client never reuses one the server is closing.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.requestTimeout = (config.limits.maxWaitSeconds + 30) * 1000;
    // Serve once the analysis workers have loaded the parser (they loaded while the read models replayed).
    await pool?.ready();
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new LedgergateError('invalid_config', `LEDGERGATE_PORT: port ${config.port} is already in use`, { setting: 'LEDGERGATE_PORT' })
            : error,
        ),
      );
      server.listen(config.port, config.host, resolve);
    });
    const port = (server.address() as AddressInfo).port;
    const displayHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const url = `http://${displayHost.includes(':') ? `[${displayHost}]` : displayHost}:${port}`;
    logger.info('gateway started', { url, gatewayId, warehouse: warehouse.kind, eventStore: config.eventStore.kind, policyHash: policies.current().hash });

    let stopping: Promise<void> | undefined;
    return {
      url,
      port,
      gatewayId,
      store,
      queries,
      policies,
      accessLog,
      approvals,
      runner,
      ...(devIssuer ? { devIssuer } : {}),
      reloadPolicy,
      stop(options = {}) {
        stopping ??= (async () => {
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeIdleConnections();
            setTimeout(() => server.closeAllConnections(), options.drainMs ?? 10_000).unref();
          });
          await saga.drain(options.drainMs ?? 10_000);
          for (const close of closers) await close();
          logger.info('gateway stopped', { gatewayId });
        })();
        return stopping;
      },
    };
  } catch (error) {
    for (const close of closers) await Promise.resolve(close()).catch(() => undefined);
    throw error;
  }
}
