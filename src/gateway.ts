/**
 * The composition root: builds every adapter from the configuration, wires the application, replays
 * the read models, resumes in-flight requests, and serves HTTP. `stop()` drains and closes in order.
 * What is served where is in adapters/http/routes.ts; what a live event sets off, in app/live-events.ts.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Config } from './config.js';
import { createEventRegistry } from './domain/events/registry.js';
import type { Authenticator, Clock, EventStore, IdGenerator, Warehouse, Logger } from './domain/ports.js';
import { createAssessmentRecorder } from './app/assessment-recorder.js';
import { createAuthFailureRecorder } from './app/auth-failure-recorder.js';
import { startApprovalExpiry } from './app/approval-expiry.js';
import { createApprovalWebhook } from './app/approval-webhook.js';
import { createExecutionSaga, type ExecutionSettings } from './app/execution-saga.js';
import { createLiveEventHandler } from './app/live-events.js';
import { createPolicyHolder, type PolicyHolder } from './app/policy-holder.js';
import { createPolicyResultMasker, type ExecutedLineage } from './app/policy-result-masker.js';
import { cachedExecutedLineage, copyOfOutputs } from './adapters/analysis/cached-executed-lineage.js';
import { createQueryService, type QueryService, type QuerySettings } from './app/query-service.js';
import { createRequestNotifier } from './app/request-notifier.js';
import { createRequestRepository } from './app/request-repository.js';
import { createCappedAnalyser } from './adapters/analysis/pool/capped-analyser.js';
import type { EarlyAnalysisPool } from './adapters/analysis/pool/early-analysis-pool.js';
import { createWorkerPoolAnalyser, type WorkerPoolAnalyser } from './adapters/analysis/pool/worker-pool-analyser.js';
import { createPostgresAnalyser } from './adapters/analysis/postgres/postgres-analyser.js';
import { openEventStore } from './adapters/eventstore/open-event-store.js';
import { createFeedHealth, feedLagSeconds } from './adapters/eventstore/pull-subscription.js';
import { startTakeover } from './app/replica-takeover.js';
import { startKeyRotation } from './adapters/evidence/key-rotation.js';
import { openKeyStore } from './adapters/evidence/key-store.js';
import { startSealer } from './adapters/evidence/sealer.js';
import { createHttpApp } from './adapters/http/app.js';
import { gatewayRoutes, type GatewayRouteSettings } from './adapters/http/routes.js';
import { listenHttp } from './adapters/http/server.js';
import type { DevIssuer } from './adapters/identity/dev-issuer.js';
import { openAuthenticator } from './adapters/identity/open-authenticator.js';
import { createWinstonLogger } from './adapters/logging/winston-logger.js';
import { createGatewayMetrics } from './adapters/metrics/gateway-metrics.js';
import { createOutcomeMetrics } from './adapters/metrics/outcome-metrics.js';
import { withAppendTiming } from './adapters/metrics/timed-event-store.js';
import { policyFileReloader, readPolicyFile } from './adapters/policy/policy-file.js';
import { watchPolicyFile } from './adapters/policy/policy-file-watcher.js';
import { loadOrCreateSecretHex } from './adapters/secrets/local-secret.js';
import { openWarehouse } from './adapters/warehouse/open-warehouse.js';
import { createSlackWebhookPoster } from './adapters/webhook/slack-webhook-poster.js';
import type { AccessLog } from './projections/access-log-queries.js';
import type { ApprovalQueue } from './projections/approval-queue-queries.js';
import { openReadModelDb } from './projections/read-model-db.js';
import { createReadModels } from './projections/read-models.js';
import { startProjectionRunner, type ProjectionRunner } from './projections/runner.js';

export const gatewayVersion = '0.1.0';

export interface GatewayOverrides {
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly warehouse?: Warehouse;
  readonly authenticator?: Authenticator;
  /** Analysis workers already loading (main.ts starts them first); the gateway owns and closes them. */
  readonly analysisPool?: EarlyAnalysisPool;
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
  // The live feed reports its lag and its recoveries from store failures to /metrics.
  const feedHealth = createFeedHealth();
  const early = overrides.analysisPool;
  const closeEarlyPool = () => early?.pool.close();
  const store: EventStore = withAppendTiming(
    await openEventStore(config.eventStore, registry, { health: feedHealth }).catch(async (error: unknown) => {
      await closeEarlyPool();
      throw error;
    }),
    metrics.appendDuration,
  );
  const closers: (() => Promise<void> | void)[] = [() => store.close()];
  if (early) closers.unshift(closeEarlyPool);
  try {
    // With analysis workers the embedded warehouse transpiles through them (the pool, made below, needs
    // the warehouse as its catalog), so the parser's WebAssembly is never loaded on the event loop.
    let parserPool: WorkerPoolAnalyser | undefined;
    const transpiler =
      config.analysis.workers > 0
        ? (sql: string, projectId: string) =>
            parserPool ? parserPool.transpileToDuckDb(sql, projectId) : Promise.reject(new Error('the analysis workers are not running'))
        : undefined;
    const warehouse =
      overrides.warehouse ??
      (await openWarehouse({ target: config.warehouse, projectId: config.projectId, pricePerTiBUsd: config.pricePerTiBUsd, ...(transpiler ? { transpiler } : {}) }));
    closers.unshift(() => warehouse.close());
    const { authenticator, devIssuer } = overrides.authenticator
      ? { authenticator: overrides.authenticator, devIssuer: undefined }
      : openAuthenticator({ oidc: config.oidc, dataDir: config.dataDir, clock: () => clock.now() });
    const policies = await createPolicyHolder({ store, clock, logger, gatewayId, initialText: readPolicyFile(config.policyFile), source: config.policyFile });

    const maskingKey = config.maskingKey ?? loadOrCreateSecretHex(join(config.dataDir, 'masking.key'));
    const analysisLimits = config.analysis;
    const externalQuery = { postgresConnections: config.externalQueryPostgres };
    // A PostgreSQL target is read as PostgreSQL; BigQuery and DuckDB targets as GoogleSQL, in worker
    // threads unless LEDGERGATE_ANALYSIS_WORKERS=0. Either way under the size caps and the deadline.
    const wantsPool = warehouse.kind !== 'postgres' && analysisLimits.workers > 0;
    early?.bindCatalog(warehouse);
    if (early && !wantsPool) await early.pool.close();
    const pool = !wantsPool
      ? undefined
      : (early?.pool ?? createWorkerPoolAnalyser({ catalog: warehouse, workers: analysisLimits.workers, limits: analysisLimits, externalQuery }));
    parserPool = pool;
    if (pool && !early) closers.unshift(() => pool.close());
    const analyser =
      pool ??
      createCappedAnalyser(
        warehouse.kind === 'postgres'
          ? createPostgresAnalyser({ catalog: warehouse })
          : // Loaded only without workers: with them the parser's WASM lives in the workers, not on the event loop.
            (await import('./adapters/analysis/polyglot-analyser.js')).createPolyglotAnalyser({ catalog: warehouse, externalQuery }),
        analysisLimits,
      );
    const notifier = createRequestNotifier();
    const repository = createRequestRepository({ store, registry, clock, notifier, gatewayId });
    // The lineage of what the warehouse ran, read once per (SQL, schemas): in the worker pool, whose
    // answers are cached there, or in process; each caller gets its own copy of the columns.
    const executedLineage: ExecutedLineage = pool
      ? async (executed, tables) => copyOfOutputs(await pool.executedLineage(executed, tables))
      : cachedExecutedLineage((await import('./adapters/analysis/executed-lineage.js')).executedLineage);
    const masker = createPolicyResultMasker({ catalog: warehouse, hmacKey: maskingKey, executedLineage });
    const saga = createExecutionSaga({ repository, warehouse, policies, masker, clock, logger, settings: executionSettingsOf(config) });
    const assessments = createAssessmentRecorder({ store, clock, ids: randomIds, gatewayId });
    const queries = createQueryService({ repository, analyser, warehouse, policies, saga, notifier, clock, ids: randomIds, logger, settings: querySettingsOf(config), assessments });

    // One read-model database per replica, next to the log; projections resume from their checkpoints.
    const readModelDb = openReadModelDb({ dataDir: config.dataDir });
    closers.push(() => readModelDb.close());
    const readModels = createReadModels(readModelDb);
    const { accessLog, approvals } = readModels;
    // Optional approval webhook, fed by live events (see app/approval-webhook.ts for why).
    const webhook = config.webhookUrl
      ? createApprovalWebhook({ poster: createSlackWebhookPoster({ url: config.webhookUrl }), store, clock, logger, gatewayId, approvalOf: readModels.approvalIfKnown })
      : undefined;
    if (webhook) closers.unshift(() => webhook.stop(2_000));
    const runner = await startProjectionRunner({
      ...{ store, readModels: readModelDb, projections: readModels.projections, status: readModels.status, logger },
      live: [createOutcomeMetrics({ metrics, gatewayId })],
      onLiveEvent: createLiveEventHandler({ gatewayId, notifier, saga, policies, ...(webhook ? { webhook } : {}) }),
    });
    closers.unshift(() => runner.stop());
    metrics.observe({
      pendingApprovals: () => readModels.pendingApprovals(),
      headPosition: () => store.headPosition(),
      projectionPosition: () => runner.position(),
      feed: { lagSeconds: () => feedLagSeconds(feedHealth, Date.now()), retries: () => feedHealth.retries, failing: () => feedHealth.failing },
    });

    // In-flight requests resume once the access log is whole (at once, unless it is being rebuilt).
    void readModels.status
      .whenReady('access_log')
      .then(() => accessLog.inFlight().forEach((requestId) => void saga.execute(requestId, { resume: true })))
      .catch((error: unknown) => logger.error('could not resume in-flight requests', { error: String(error) }));
    // Replicas sharing a store: a live one takes over the in-flight requests of one that died.
    const takeover = startTakeover({
      store,
      inFlight: () => accessLog.inFlight(),
      resume: (requestId) => void saga.execute(requestId, { resume: true }),
      gatewayId,
      leaseMs: config.limits.queryTimeoutMs + 30_000,
      intervalMs: 15_000,
      now: () => clock.now().getTime(),
      logger,
    });
    closers.unshift(() => takeover.stop());
    const expiry = startApprovalExpiry({ queue: approvals, repository, clock, logger, intervalMs: 1000 });
    await expiry.sweep();
    closers.unshift(() => expiry.stop());

    const reloadPolicy = policyFileReloader({ file: config.policyFile, policies, logger });
    const watcher = watchPolicyFile({ file: config.policyFile, logger, onText: () => void reloadPolicy('policy file change') });
    closers.unshift(() => watcher.close());

    const keyStore = await openKeyStore({ dataDir: config.dataDir, ...(config.evidence.keyFile ? { keyFile: config.evidence.keyFile } : {}) });
    const rotation = await startKeyRotation({ keyStore, maxAgeMs: config.evidence.keyMaxAgeMs, keyFromFile: config.evidence.keyFile !== undefined, clock, logger });
    closers.unshift(() => rotation.stop());
    const sealer = startSealer({ store, signer: keyStore, everyEvents: config.evidence.sealEveryEvents, everyMs: config.evidence.sealIntervalMs, gatewayId,
      clock: () => clock.now(), onError: (error: unknown) => logger.warn('sealing failed', { error: String(error) }) });
    closers.unshift(() => sealer.stop());

    const routes = gatewayRoutes({
      settings: routeSettingsOf(config),
      ...{ logger, clock, metrics, store, warehouse, queries, policies, runner, readModels, signer: keyStore, sealNow: () => sealer.sealNow() },
      ...(devIssuer ? { devIssuer } : {}),
    });
    const authFailures = createAuthFailureRecorder({ store, clock, ids: randomIds, logger, gatewayId });
    const { bodyLimitBytes, largeBodyBytesPerMinute, requestsPerMinutePerPrincipal, requestsPerMinutePerAddress } = config.limits;
    const app = createHttpApp({ logger, authenticator, authFailures, trustProxy: config.trustProxy, bodyLimitBytes, largeBodyBytesPerMinute, requestsPerMinutePerPrincipal, requestsPerMinutePerAddress, ...routes });
    // Serve once the analysis workers have loaded the parser (they loaded while the read models replayed).
    await pool?.ready();
    const server = await listenHttp(app, { port: config.port, host: config.host, maxWaitSeconds: config.limits.maxWaitSeconds });
    logger.info('gateway started', { url: server.url, gatewayId, warehouse: warehouse.kind, eventStore: config.eventStore.kind, policyHash: policies.current().hash });

    let stopping: Promise<void> | undefined;
    return {
      ...{ url: server.url, port: server.port, gatewayId, store, queries, policies, accessLog, approvals, runner, reloadPolicy },
      ...(devIssuer ? { devIssuer } : {}),
      stop(options = {}) {
        stopping ??= (async () => {
          await server.close(options.drainMs ?? 10_000);
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

function executionSettingsOf(config: Config): ExecutionSettings {
  return {
    timeoutMs: config.limits.queryTimeoutMs,
    maxResultBytes: config.limits.maxResultBytes,
    ...(config.warehouse.kind === 'bigquery' && config.warehouse.maximumBytesBilled ? { maximumBytesBilled: config.warehouse.maximumBytesBilled } : {}),
  };
}

function querySettingsOf(config: Config): QuerySettings {
  return {
    defaultProject: config.projectId,
    defaultMaxRows: config.limits.defaultMaxRows,
    maxRowsCap: config.limits.maxRowsCap,
    maxSqlLength: config.limits.maxSqlLength,
    defaultWaitSeconds: config.limits.defaultWaitSeconds,
    maxWaitSeconds: config.limits.maxWaitSeconds,
    auditorGroups: config.auditorGroups,
    pricePerTiBUsd: config.pricePerTiBUsd,
  };
}

function routeSettingsOf(config: Config): GatewayRouteSettings {
  return {
    version: gatewayVersion,
    maxWaitSeconds: config.limits.maxWaitSeconds,
    auditorGroups: config.auditorGroups,
    trustProxy: config.trustProxy,
    ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
    oidc: config.oidc,
    console: config.console,
  };
}
