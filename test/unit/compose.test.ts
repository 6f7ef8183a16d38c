/**
 * docker-compose.yml and the Dockerfile, read as data (no Docker engine here): the gateway reaches the
 * EventStoreDB service by its name and port, starts only once it is healthy, keeps its state in
 * declared volumes, and the image runs as a non-root user exposing the port compose maps.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/config.js';
import { repoRoot } from '../support/gateway-process.js';

type Json = Record<string, unknown>;
const read = (name: string) => readFileSync(join(repoRoot, name), 'utf8');
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `${VAR:-default}` and `${VAR}` as compose resolves them with an empty shell environment. */
const interpolate = (value: string): string => value.replace(/\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g, (_m, _name: string, fallback?: string) => fallback ?? '');

function environmentOf(service: Json): Record<string, string> {
  const env = service.environment;
  if (Array.isArray(env)) return Object.fromEntries(env.map((entry) => String(entry).split(/=(.*)/s).slice(0, 2)).map(([k, v]) => [k, interpolate(v ?? '')]));
  return Object.fromEntries(Object.entries(isObject(env) ? env : {}).map(([k, v]) => [k, interpolate(String(v))]));
}

/** Container ports a service publishes (`[host:]hostPort:containerPort`). */
const containerPorts = (service: Json): number[] =>
  (Array.isArray(service.ports) ? service.ports : []).map((p) => Number(String(p).split(':').pop()?.split('/')[0]));

interface Stage {
  readonly from: string;
  readonly name?: string;
  readonly instructions: { readonly op: string; readonly args: string }[];
}

/** Dockerfile instructions per stage (line continuations joined, comments dropped). */
function dockerStages(text: string): Stage[] {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages: { from: string; name?: string; instructions: { op: string; args: string }[] }[] = [];
  for (const line of lines) {
    const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (op.toUpperCase() === 'FROM') {
      const [, image = '', name] = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args) ?? [];
      stages.push({ from: image, ...(name ? { name } : {}), instructions: [] });
    } else stages.at(-1)?.instructions.push({ op: op.toUpperCase(), args });
  }
  return stages;
}

/** Every wiring problem of the compose file with the Dockerfile; empty when sound. */
function wiringProblems(compose: Json, dockerfile: string): string[] {
  const problems: string[] = [];
  const need = (condition: unknown, message: string) => void (condition ? undefined : problems.push(message));
  const services = isObject(compose.services) ? compose.services : {};
  const eventstore = services.eventstore;
  const gateway = services.gateway;
  if (!isObject(eventstore) || !isObject(gateway)) return ['services eventstore and gateway are required'];

  const esEnv = environmentOf(eventstore);
  need(String(eventstore.image).startsWith('eventstore/eventstore:'), 'eventstore runs the eventstore/eventstore image');
  need(esEnv.EVENTSTORE_INSECURE === 'true', 'EventStoreDB runs in development mode (EVENTSTORE_INSECURE=true)');
  need(['None', 'All'].includes(esEnv.EVENTSTORE_RUN_PROJECTIONS ?? ''), 'EVENTSTORE_RUN_PROJECTIONS is None or All');
  const esPort = Number(esEnv.EVENTSTORE_NODE_PORT ?? esEnv.EVENTSTORE_HTTP_PORT ?? 2113);
  need(isObject(eventstore.healthcheck) && Array.isArray(eventstore.healthcheck.test) && String(eventstore.healthcheck.test.join(' ')).includes(`:${esPort}/health`), 'eventstore has a healthcheck on its own port');

  const declared = Object.keys(isObject(compose.volumes) ? compose.volumes : {});
  for (const [name, service] of Object.entries(services)) {
    for (const volume of Array.isArray((service as Json).volumes) ? ((service as Json).volumes as unknown[]) : []) {
      const source = String(volume).split(':')[0] ?? '';
      if (!source.startsWith('.') && !source.startsWith('/')) need(declared.includes(source), `${name} mounts volume ${source}, which is not declared`);
    }
  }
  need((eventstore.volumes as unknown[] | undefined)?.some((v) => String(v).endsWith(':/var/lib/eventstore')), 'EventStoreDB data lives in a volume');

  const gwEnv = environmentOf(gateway);
  let url: URL | undefined;
  try {
    url = new URL(gwEnv.LEDGERGATE_EVENT_STORE ?? '');
  } catch {
    problems.push('LEDGERGATE_EVENT_STORE is not a connection string');
  }
  if (url) {
    need(url.protocol === 'esdb:', 'the gateway uses an esdb:// connection string');
    need(url.hostname === 'eventstore' && Object.hasOwn(services, url.hostname), 'the connection string names the eventstore service');
    need(Number(url.port) === esPort, `the connection string uses EventStoreDB's port ${esPort}`);
    need((url.searchParams.get('tls') === 'false') === (esEnv.EVENTSTORE_INSECURE === 'true'), 'tls=false exactly when EventStoreDB runs insecure');
  }
  const dependsOn = isObject(gateway.depends_on) ? gateway.depends_on.eventstore : undefined;
  need(isObject(dependsOn) && dependsOn.condition === 'service_healthy', 'the gateway waits for a healthy eventstore');
  need(isObject(gateway.build) && gateway.build.context === '.' && existsSync(join(repoRoot, String(gateway.build.dockerfile ?? 'Dockerfile'))), 'the gateway is built from the Dockerfile');
  need((gateway.volumes as unknown[] | undefined)?.some((v) => String(v).endsWith(`:${gwEnv.LEDGERGATE_DATA_DIR}`)), 'the gateway data dir is a volume');

  const stages = dockerStages(dockerfile);
  const final = stages.at(-1);
  need(stages.length >= 2, 'the Dockerfile is multi-stage');
  if (final) {
    const ops = (op: string) => final.instructions.filter((i) => i.op === op).map((i) => i.args);
    const user = ops('USER').at(-1) ?? 'root';
    const userName = user.split(':')[0] ?? '';
    need(!['root', '0', ''].includes(userName), 'the final stage runs as a non-root user');
    need(ops('RUN').some((run) => new RegExp(`useradd\\b.*\\b${userName}\\b`).test(run)), `the final stage creates user ${userName}`);
    need(ops('WORKDIR').length > 0, 'the final stage sets WORKDIR');
    need(ops('VOLUME').some((v) => v.includes(gwEnv.LEDGERGATE_DATA_DIR ?? '?')), 'the image declares the data directory as a volume');
    need(ops('HEALTHCHECK').some((h) => h.includes('/healthz')), 'the image health check calls /healthz');
    need(ops('ENV').some((e) => /LEDGERGATE_HOST=0\.0\.0\.0/.test(e)), 'the image listens on all interfaces');
    const exposed = ops('EXPOSE').flatMap((e) => e.split(/\s+/)).map((p) => Number(p.split('/')[0]));
    const port = Number(gwEnv.LEDGERGATE_PORT ?? 8080);
    need(exposed.includes(port), `the image exposes the gateway port ${port}`);
    need(containerPorts(gateway).includes(port), `compose maps the gateway port ${port}`);
    need(!ops('RUN').some((run) => /npm (ci|install)(?!.*--omit=dev)/.test(run)), 'the runtime stage installs no dev dependencies');
    need(ops('COPY').some((c) => c.includes(`--from=${stages[0]?.name ?? '0'}`)), 'the runtime copies the build output from the build stage');
  }
  const build = stages[0];
  need(build?.instructions.some((i) => i.op === 'RUN' && /npm ci/.test(i.args)), 'the build stage runs npm ci');
  need(build?.instructions.some((i) => i.op === 'RUN' && /tsc -p tsconfig\.build\.json/.test(i.args)), 'the build stage compiles with tsc');
  return problems;
}

describe('docker-compose.yml and Dockerfile', () => {
  const compose = parseYaml(read('docker-compose.yml')) as Json;
  const dockerfile = read('Dockerfile');

  it('are wired together soundly', () => {
    assert.deepEqual(wiringProblems(compose, dockerfile), []);
  });

  it('the gateway accepts the configuration compose gives it', () => {
    const env = environmentOf((compose.services as Json).gateway as Json);
    const config = loadConfig(env, repoRoot);
    assert.deepEqual(config.eventStore, { kind: 'esdb', connectionString: 'esdb://eventstore:2113?tls=false' });
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.port, 8080);
    assert.equal(config.dataDir, '/var/lib/ledgergate');
    assert.ok(config.metricsToken, 'a metrics token lets Prometheus scrape from another container');
  });

  it('the image starts the compiled entry point that the build emits, with the node flags npm start uses', () => {
    const build = JSON.parse(read('tsconfig.build.json')) as { compilerOptions: { outDir: string; rootDir: string } };
    const cmd = JSON.parse(dockerStages(dockerfile).at(-1)?.instructions.find((i) => i.op === 'CMD')?.args ?? '[]') as string[];
    assert.equal(cmd[0], 'node');
    assert.equal(cmd.at(-1), `${build.compilerOptions.outDir}/src/main.js`);
    assert.equal(build.compilerOptions.rootDir, '.');
    // The container and `npm start` run the same process (the heap settings are in both), and the
    // environment npm start sets before `node` (glibc's arena count) is set by the image too.
    const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start.split(/\s+/);
    const startEnv = start.filter((token, i) => /^[A-Z_][A-Z0-9_]*=/.test(token) && start.slice(0, i).every((t) => /^[A-Z_][A-Z0-9_]*=/.test(t)));
    assert.deepEqual(cmd, start.slice(startEnv.length));
    const imageEnv = dockerStages(dockerfile).at(-1)?.instructions.filter((i) => i.op === 'ENV').map((i) => i.args).join(' ') ?? '';
    for (const assignment of startEnv) assert.ok(imageEnv.split(/\s+/).includes(assignment), `the image sets ${assignment} as npm start does`);
  });

  it('.dockerignore keeps local state, secrets and dependencies out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const entry of ['node_modules', 'data', '.git', '.env', '*.key']) assert.ok(ignored.includes(entry), `${entry} is ignored`);
  });

  it('the wiring check catches broken wiring (it is not vacuous)', () => {
    const broken = structuredClone(compose);
    const gateway = (broken.services as Json).gateway as Json;
    (gateway.environment as Json).LEDGERGATE_EVENT_STORE = 'esdb://localhost:1113?tls=false';
    gateway.depends_on = ['eventstore'];
    (gateway.volumes as string[]).push('undeclared-volume:/tmp/x');
    const problems = wiringProblems(broken, dockerfile.replace('USER ledgergate:ledgergate', 'USER root').replace('EXPOSE 8080', 'EXPOSE 9090'));
    for (const expected of ['names the eventstore service', "EventStoreDB's port", 'healthy eventstore', 'undeclared-volume', 'non-root', 'exposes the gateway port']) {
      assert.ok(problems.some((p) => p.includes(expected)), `catches: ${expected} (got ${problems.join(' | ')})`);
    }
  });
});
