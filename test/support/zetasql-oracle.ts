/**
 * The reference reading of GoogleSQL: Google's ZetaSQL front end (2023.08), run as the local gRPC
 * server that the devDependency @fivetrandevelopers/zetasql ships for Linux x86-64 and arm64. It is
 * the real GoogleSQL parser, not a model of it, so it is exactly as strict as the language; it lacks
 * only what BigQuery added after 2023.08 (pipe syntax). Bound to 127.0.0.1 on a free port; the
 * caller stops it with close().
 *
 * Why it is a test oracle and not a second reading at runtime: it is a ~100 MB native binary run as a
 * separate process, each call is a gRPC round trip of 1–6 ms (the whole analysis-and-policy budget on
 * a cache miss is 5 ms), and it refuses BigQuery syntax newer than 2023.08, so it would turn valid
 * requests into unknowns. Instead the differential test holds our own lexer to it.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

type Callback = (error: { details?: string } | null, response: Record<string, unknown>) => void;
type Service = Record<string, (request: unknown, callback: Callback) => void> & { close(): void };

export interface OracleStatement {
  /** Byte offsets of the statement in the UTF-8 text (start, and where the next one resumes). */
  readonly startByte: number;
  readonly endByte: number;
  /** Table names as ZetaSQL extracts them: one entry per name path, segments as decoded. */
  readonly tables: readonly (readonly string[])[];
}

export type OracleSplit = { readonly ok: true; readonly statements: readonly OracleStatement[] } | { readonly ok: false; readonly error: string };

export interface ZetaSqlOracle {
  /** Reads statement after statement, as ZetaSQL's ExtractTableNamesFromNextStatement resumes. */
  split(sql: string): Promise<OracleSplit>;
  /** Every built-in function name (lower case, namespaced ones dotted), aliases included. */
  builtinFunctionNames(): Promise<string[]>;
  close(): void;
}

const packageRequire = createRequire(import.meta.url);

function packageDirectory(): string {
  return dirname(packageRequire.resolve('@fivetrandevelopers/zetasql/package.json'));
}

function serverBinary(directory: string): string {
  if (process.platform !== 'linux') throw new Error(`the ZetaSQL oracle runs on Linux only (this is ${process.platform})`);
  return join(directory, 'lib', 'zetasql', process.arch === 'arm64' ? 'remote_server_arm.so' : 'remote_server.so');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startZetaSqlOracle(): Promise<ZetaSqlOracle> {
  const directory = packageDirectory();
  const clientRequire = createRequire(join(directory, 'lib', 'index.js'));
  const grpc = clientRequire('@grpc/grpc-js');
  const protoLoader = clientRequire('@grpc/proto-loader');
  const port = await freePort();
  const child: ChildProcess = execFile(serverBinary(directory), ['127.0.0.1', String(port)]);
  const definition = protoLoader.loadSync('local_service.proto', { defaults: true, oneofs: true, includeDirs: [join(directory, 'lib', 'zetasql', 'protos')] });
  const proto = grpc.loadPackageDefinition(definition);
  const service: Service = new proto.zetasql.local_service.ZetaSqlLocalService(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = (method: string, request: unknown): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => service[method]?.(request, (error, response) => (error ? reject(error) : resolve(response))));
  const close = (): void => {
    service.close();
    child.kill('SIGKILL');
  };
  let ready = false;
  for (let attempt = 0; attempt < 80 && !ready; attempt++) {
    try {
      await call('formatSql', { sql: 'SELECT 1' });
      ready = true;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  if (!ready) {
    close();
    throw new Error('the ZetaSQL server did not answer within 20 s');
  }
  const options = await call('getLanguageOptions', { maximumFeatures: true });
  // Every statement kind: an empty list means all are supported.
  const languageOptions = { ...options, supportedStatementKinds: [] };

  return {
    async split(sql) {
      const total = Buffer.byteLength(sql);
      const statements: OracleStatement[] = [];
      let position = 0;
      try {
        while (position < total && statements.length < 1000) {
          if (Buffer.from(sql).subarray(position).toString().trim() === '') break;
          const response = await call('extractTableNamesFromNextStatement', {
            parseResumeLocation: { input: sql, bytePosition: position, allowResume: true },
            options: languageOptions,
          });
          const next = Number(response.resumeBytePosition);
          const names = (response.tableName as { tableNameSegment: string[] }[]).map((name) => name.tableNameSegment);
          statements.push({ startByte: position, endByte: next, tables: names });
          if (!(next > position)) break;
          position = next;
        }
        return { ok: true, statements };
      } catch (error) {
        return { ok: false, error: String((error as { details?: string }).details ?? error) };
      }
    },
    async builtinFunctionNames() {
      const response = await call('getBuiltinFunctions', { languageOptions });
      const names = new Set<string>();
      for (const fn of response.function as { namePath: string[]; options?: { aliasName?: string } }[]) {
        names.add(fn.namePath.join('.').toLowerCase());
        if (fn.options?.aliasName) names.add(fn.options.aliasName.toLowerCase());
      }
      return [...names].filter((name) => !name.startsWith('$')).sort();
    },
    close,
  };
}
