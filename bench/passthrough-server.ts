/**
 * The baseline the gateway is measured against: a bare node:http server that runs the posted SQL on a
 * DuckDB file with @duckdb/node-api and answers the rows as JSON. No auth, no analysis, no policy, no
 * event store, no masking — what "no gateway at all" costs.
 *
 * Run: node --import tsx bench/passthrough-server.ts <file.duckdb>   (prints "passthrough listening on <url>")
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DuckDBInstance } from '@duckdb/node-api';

export interface Passthrough {
  readonly url: string;
  close(): Promise<void>;
}

export async function startPassthrough(file: string, port = 0): Promise<Passthrough> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        try {
          const { sql } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { sql: string };
          const reader = await connection.runAndReadAll(sql);
          const columns = reader.columnNames();
          const rows = reader.getRowObjectsJson();
          const body = JSON.stringify({ columns, rows, rowCount: rows.length });
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
          res.end(body);
        } catch (error) {
          const body = JSON.stringify({ error: String(error) });
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(body);
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      connection.closeSync();
      instance.closeSync();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: passthrough-server.ts <file.duckdb>\n');
    process.exit(2);
  }
  const passthrough = await startPassthrough(file);
  process.stdout.write(`passthrough listening on ${passthrough.url}\n`);
  process.on('SIGTERM', () => void passthrough.close().then(() => process.exit(0)));
}
