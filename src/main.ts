/** `npm start`: load configuration, start the gateway, print how to use it, stop cleanly on signals. */
import { loadConfig } from './config.js';
import { isLedgergateError } from './domain/errors.js';
import { startGateway } from './gateway.js';

async function main(): Promise<void> {
  let gateway;
  try {
    const config = loadConfig();
    gateway = await startGateway(config);
    const lines = [
      '',
      `ledgergate is serving at ${gateway.url}`,
      `  warehouse: ${config.warehouse.kind === 'bigquery' ? `BigQuery project ${config.warehouse.projectId}` : `${config.warehouse.kind} (${config.warehouse.file})`}`,
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
