/** `npm start`: load configuration, start the gateway, print how to use it, stop cleanly on signals. */
// First, before any module allocates: the heap settings apply to what is loaded after them.
import './v8-memory-flags.js';
import { loadConfig, type Config } from './config.js';
import { isLedgergateError } from './domain/errors.js';
import { startAnalysisPoolEarly, type EarlyAnalysisPool } from './adapters/analysis/pool/early-analysis-pool.js';

async function main(): Promise<void> {
  let gateway;
  try {
    const config = loadConfig();
    // The analysis workers load the parser while this thread loads the gateway (see early-analysis-pool.ts).
    const analysisPool = startEarlyPool(config);
    const { startGateway } = await import('./gateway.js').catch(async (error: unknown) => {
      await analysisPool?.pool.close();
      throw error;
    });
    gateway = await startGateway(config, analysisPool ? { analysisPool } : {});
    const lines = [
      '',
      `ledgergate is serving at ${gateway.url}`,
      `  warehouse: ${warehouseLine(config.warehouse)}`,
      `  event store: ${config.eventStore.kind === 'sqlite' ? config.eventStore.file : 'EventStoreDB'}`,
      `  policy: ${config.policyFile}`,
      '',
      ...(gateway.devIssuer
        ? [
            'Get a token from the built-in development issuer:',
            '  TOKEN=$(npx ledgergate token --sub agent-1 --groups ai-agents)',
            'Run a query:',
            `  curl -s ${gateway.url}/v1/queries -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\`,
            `       -d '{"sql":"SELECT order_id, amount FROM sales.orders LIMIT 5"}'`,
          ]
        : [`Tokens come from ${config.oidc.issuer} (audience ${config.oidc.audience}).`]),
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (error) {
    const message = isLedgergateError(error) ? error.message : error instanceof Error ? error.message : String(error);
    process.stderr.write(`ledgergate: cannot start: ${message}\n`);
    process.exitCode = 1;
    return;
  }
  const running = gateway;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`ledgergate: ${signal} received, draining in-flight requests\n`);
    running.stop({ drainMs: 15_000 }).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`ledgergate: error while stopping: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => void running.reloadPolicy('SIGHUP'));
}

await main();

/** Workers for GoogleSQL targets, as the gateway would start them (a PostgreSQL target is read in process). */
function startEarlyPool(config: Config): EarlyAnalysisPool | undefined {
  if (config.analysis.workers === 0 || config.warehouse.kind === 'postgres') return undefined;
  return startAnalysisPoolEarly({
    workers: config.analysis.workers,
    limits: config.analysis,
    externalQuery: { postgresConnections: config.externalQueryPostgres },
  });
}

/** Never the PostgreSQL URL itself: it may carry a password. */
function warehouseLine(warehouse: Config['warehouse']): string {
  if (warehouse.kind === 'bigquery') return `BigQuery project ${warehouse.projectId}`;
  if (warehouse.kind === 'postgres') {
    const url = new URL(warehouse.connectionString);
    return `PostgreSQL ${url.hostname}:${url.port || '5432'}${url.pathname}`;
  }
  return `${warehouse.kind} (${warehouse.file})`;
}
