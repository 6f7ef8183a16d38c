/** The HTTP server around the Express app: timeouts, listening with a clear error, draining on stop. */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LedgergateError } from '../../domain/errors.js';

export interface ListeningServer {
  readonly url: string;
  readonly port: number;
  /** Stops accepting, closes idle connections at once and the rest after `drainMs`. */
  close(drainMs: number): Promise<void>;
}

export async function listenHttp(app: RequestListener, options: { port: number; host: string; maxWaitSeconds: number }): Promise<ListeningServer> {
  const server: Server = createServer({ maxHeaderSize: 16 * 1024 }, app);
  // Idle keep-alive connections outlive typical client pools, so a client never reuses one the server is closing.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = (options.maxWaitSeconds + 30) * 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new LedgergateError('invalid_config', `LEDGERGATE_PORT: port ${options.port} is already in use`, { setting: 'LEDGERGATE_PORT' })
          : error,
      ),
    );
    server.listen(options.port, options.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const displayHost = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `http://${displayHost.includes(':') ? `[${displayHost}]` : displayHost}:${port}`,
    port,
    close: (drainMs) =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), drainMs).unref();
      }),
  };
}
