/**
 * The gateway against no gateway: the same 100-row query through the real gateway process (embedded
 * defaults, its own copy of the demo DuckDB file) and through a bare node:http passthrough on another
 * copy, one after the other so neither holds the other's file. Reports added latency (p50/p99), the
 * throughput of 16 concurrent clients for both, the gateway's resident memory under that load, and how
 * fast the projections rebuild from a large log made of the gateway's own recorded events.
 *
 * Run alone: node --import tsx bench/gateway.bench.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openSqliteEventStore } from '../src/adapters/eventstore/sqlite-event-store.js';
import { createDemoWarehouseFile } from '../src/adapters/warehouse/demo-dataset.js';
import { createEventRegistry } from '../src/domain/events/registry.js';
import type { NewEvent, RecordedEvent } from '../src/domain/ports.js';
import { buildForStart, startAsNpmStart } from './npm-start.js';
import { medianRun, timeRebuildInFreshProcesses } from './rebuild.bench.js';

export const benchSql = 'SELECT * FROM analytics.page_views LIMIT 100';
const repoRoot = resolve(import.meta.dirname, '..');

// ---------------------------------------------------------------- load driver (shared with scripts/soak.ts)

export interface Target {
  readonly url: string;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

export interface Answer {
  readonly status: number;
  readonly ms: number;
  readonly bytes: number;
}

export function createClient(maxSockets: number) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const send = (target: Target): Promise<Answer> =>
    new Promise((resolveAnswer, reject) => {
      const started = performance.now();
      const req = request(
        target.url,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(target.body), ...target.headers },
        },
        (res) => {
          let bytes = 0;
          res.on('data', (chunk: Buffer) => (bytes += chunk.length));
          res.on('end', () => resolveAnswer({ status: res.statusCode ?? 0, ms: performance.now() - started, bytes }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(target.body);
    });
  return { send, close: () => agent.destroy() };
}

export const percentile = (samples: readonly number[], p: number): number => {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
};

/** One client, one request at a time: latency without queueing. */
export async function sequentialLatency(target: Target, warmup: number, samples: number) {
  const client = createClient(1);
  try {
    for (let i = 0; i < warmup; i++) expectOk(await client.send(target));
    const times: number[] = [];
    for (let i = 0; i < samples; i++) times.push(expectOk(await client.send(target)).ms);
    return { p50: percentile(times, 50), p99: percentile(times, 99) };
  } finally {
    client.close();
  }
}

/** `clients` loops sending back to back for `durationMs`: completed requests per second. */
export async function closedLoopThroughput(target: Target, clients: number, durationMs: number, onTick?: () => void) {
  const client = createClient(clients);
  const times: number[] = [];
  let errors = 0;
  const deadline = performance.now() + durationMs;
  const started = performance.now();
  const ticker = onTick ? setInterval(onTick, 200) : undefined;
  try {
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < deadline) {
          const answer = await client.send(target);
          if (answer.status === 200) times.push(answer.ms);
          else errors += 1;
        }
      }),
    );
  } finally {
    if (ticker) clearInterval(ticker);
    client.close();
  }
  const seconds = (performance.now() - started) / 1000;
  return { rps: times.length / seconds, errors, samples: times.length, p50: percentile(times, 50), p99: percentile(times, 99), max: percentile(times, 100) };
}

function expectOk(answer: Answer): Answer {
  if (answer.status !== 200) throw new Error(`expected 200, got ${answer.status}`);
  return answer;
}

/** Resident set size of another process, from /proc (Linux). */
export function rssMiBOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

// ---------------------------------------------------------------- the two servers

async function startPassthroughProcess(file: string): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench', 'passthrough-server.ts'), file], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolveUrl(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`passthrough exited with ${code}`)));
  });
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((done) => {
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/** The gateway's settings in every phase of this bench. */
function gatewayBenchEnv(duckdbFile: string): Record<string, string> {
  return {
    LEDGERGATE_WAREHOUSE: `duckdb:${duckdbFile}`,
    // The shipped default log level: one access line per request is part of the cost.
    LEDGERGATE_LOG_LEVEL: 'info',
    // The bench is one principal hammering the gateway: lift the per-principal limit out of the way.
    LEDGERGATE_RATE_LIMIT: '1000000',
    LEDGERGATE_RATE_LIMIT_ADDRESS: '10000000',
    // Room for the 1 MB statement of the isolation phase (refused by the analysis caps, not by size).
    LEDGERGATE_MAX_SQL_LENGTH: '2000000',
    LEDGERGATE_BODY_LIMIT: '2MiB',
  };
}

export interface GatewayBenchOptions {
  readonly latencySamples?: number;
  readonly throughputMs?: number;
  readonly clients?: number;
}

async function measureServers(options: GatewayBenchOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'ledgergate-bench-gateway-'));
  const samples = options.latencySamples ?? 400;
  const durationMs = options.throughputMs ?? 10_000;
  const clients = options.clients ?? 16;
  try {
    const base = join(dir, 'base.duckdb');
    await createDemoWarehouseFile(base);
    copyFileSync(base, join(dir, 'passthrough.duckdb'));
    copyFileSync(base, join(dir, 'gateway.duckdb'));

    const passthrough = await startPassthroughProcess(join(dir, 'passthrough.duckdb'));
    let bare;
    try {
      const target = { url: `${passthrough.url}/query`, body: JSON.stringify({ sql: benchSql }) };
      const latency = await sequentialLatency(target, 50, samples);
      const load = await closedLoopThroughput(target, clients, durationMs);
      bare = { latency, load };
    } finally {
      await passthrough.stop();
    }

    buildForStart();
    const gateway = await startAsNpmStart({
      dataDir: join(dir, 'gateway-data'),
      env: gatewayBenchEnv(join(dir, 'gateway.duckdb')),
      timeoutMs: 180_000,
    });
    let gw;
    let peakRss = 0;
    try {
      const token = await gateway.token({ sub: 'bench-agent', groups: ['ai-agents'] });
      const target = { url: `${gateway.url}/v1/queries`, body: JSON.stringify({ sql: benchSql }), headers: { authorization: `Bearer ${token}` } };
      const idleRss = rssMiBOf(gateway.child.pid);
      const latency = await sequentialLatency(target, 50, samples);
      const load = await closedLoopThroughput(target, clients, durationMs, () => {
        peakRss = Math.max(peakRss, rssMiBOf(gateway.child.pid));
      });
      const heavyToken = await gateway.token({ sub: 'bench-heavy-agent', groups: ['ai-agents'] });
      const isolation = await heavyStatementIsolation(gateway.url, { heavy: heavyToken, other: token }, Math.min(durationMs, 5_000));
      gw = { latency, load, idleRss, peakRss, isolation };
    } finally {
      await gateway.stop();
    }
    const rebuild = await measureRebuild(join(dir, 'gateway-data', 'events.sqlite'), join(dir, 'rebuild.sqlite'), 200_000);
    return { bare, gw, rebuild, clients };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- heavy statements beside normal ones

/** A 6,000-column SELECT and a 1 MB statement, each too big to analyse. */
export const heavyStatements = [
  `SELECT ${Array.from({ length: 6000 }, (_, i) => `${i} AS c${i}`).join(', ')} FROM analytics.page_views`,
  `SELECT ${'1 + '.repeat(250_000)}1 AS x`,
];

/**
 * One caller (its own principal) sends the heavy statements back to back, ignoring Retry-After, while
 * another sends the bench query one at a time: its latency, compared with the quiet sequential
 * latency, shows what the heavy caller costs others. Each heavy statement the gateway reads is refused
 * 422 before any parser runs and recorded; past the caller's large-body budget it is refused 429
 * before its body is read.
 */
async function heavyStatementIsolation(url: string, tokens: { heavy: string; other: string }, durationMs: number) {
  const heavyClient = createClient(1);
  let stop = false;
  let heavySent = 0;
  let heavyRefused = 0;
  let heavyThrottled = 0;
  const heavy = (async () => {
    while (!stop) {
      const answer = await heavyClient.send({
        url: `${url}/v1/queries`,
        body: JSON.stringify({ sql: heavyStatements[heavySent % heavyStatements.length] }),
        headers: { authorization: `Bearer ${tokens.heavy}` },
      });
      heavySent += 1;
      if (answer.status === 422) heavyRefused += 1;
      if (answer.status === 429) heavyThrottled += 1;
    }
  })();
  try {
    const others = await closedLoopThroughput({ url: `${url}/v1/queries`, body: JSON.stringify({ sql: benchSql }), headers: { authorization: `Bearer ${tokens.other}` } }, 1, durationMs);
    return { others, heavySent, heavyRefused, heavyThrottled };
  } finally {
    stop = true;
    await heavy;
    heavyClient.close();
  }
}

// ---------------------------------------------------------------- projection rebuild

/**
 * Builds a log of `total` events by cloning the request lifecycles the gateway recorded (new request
 * ids), then times a fresh projection runner's replay over it in a fresh process — what a restart that
 * finds its read models missing or out of date costs (the median of five).
 */
export async function measureRebuild(recordedFile: string, file: string, total: number) {
  const registry = createEventRegistry();
  const recorded = openSqliteEventStore({ file: recordedFile, registry });
  const templates = new Map<string, RecordedEvent[]>();
  for (const event of await recorded.readAll({ from: 0, maxCount: 2000 })) {
    if (!event.streamName.startsWith('query-')) continue;
    const list = templates.get(event.streamName) ?? [];
    list.push(event);
    templates.set(event.streamName, list);
  }
  await recorded.close();
  const lifecycles = [...templates.values()].filter((events) => events.some((e) => e.type === 'ResultDelivered')).slice(0, 20);
  if (lifecycles.length === 0) throw new Error('no recorded request lifecycles to clone');

  const store = openSqliteEventStore({ file, registry });
  let written = 0;
  let n = 0;
  while (written < total) {
    const batch: { stream: string; events: NewEvent[] }[] = [];
    let inBatch = 0;
    while (inBatch < 1000 && written + inBatch < total) {
      const lifecycle = lifecycles[n % lifecycles.length] as RecordedEvent[];
      const oldId = lifecycle[0]?.streamName.slice('query-'.length) as string;
      const newId = `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
      const events = lifecycle.map((e) => JSON.parse(JSON.stringify({ type: e.type, data: e.data, metadata: e.metadata }).replaceAll(oldId, newId)) as NewEvent);
      batch.push({ stream: `query-${newId}`, events });
      inBatch += events.length;
      n += 1;
    }
    // Issued together, the store's group commit writes the whole batch in one transaction.
    await Promise.all(batch.map(({ stream, events }) => store.append(stream, events, 'no_stream')));
    written += inBatch;
  }
  await store.close();
  // Each rebuild in a fresh process, as a restart does it; five, for the median (the young generation's
  // collector makes single runs swing by ±20 %).
  const { median, all } = medianRun(timeRebuildInFreshProcesses(file, 5));
  return { events: median.events, eventsPerSecond: median.wall_events_per_s, seconds: median.seconds, runs: all };
}

// ---------------------------------------------------------------- entry points

export async function run(options: GatewayBenchOptions = {}): Promise<Record<string, number | string>> {
  const { bare, gw, rebuild, clients } = await measureServers(options);
  const round = (n: number, digits = 2) => Number(n.toFixed(digits));
  return {
    'gateway.query': benchSql,
    'passthrough.latency.p50_ms': round(bare.latency.p50),
    'passthrough.latency.p99_ms': round(bare.latency.p99),
    'gateway.latency.p50_ms': round(gw.latency.p50),
    'gateway.latency.p99_ms': round(gw.latency.p99),
    'gateway.added_latency.p50_ms': round(gw.latency.p50 - bare.latency.p50),
    'gateway.added_latency.p99_ms': round(gw.latency.p99 - bare.latency.p99),
    [`passthrough.throughput_${clients}_clients.rps`]: round(bare.load.rps, 1),
    [`gateway.throughput_${clients}_clients.rps`]: round(gw.load.rps, 1),
    'gateway.throughput_ratio': round(gw.load.rps / bare.load.rps, 3),
    [`gateway.throughput_${clients}_clients.p50_ms`]: round(gw.load.p50),
    [`gateway.throughput_${clients}_clients.p99_ms`]: round(gw.load.p99),
    'gateway.load_errors': gw.load.errors,
    'gateway.rss_idle_mib': round(gw.idleRss, 1),
    'gateway.rss_peak_under_load_mib': round(gw.peakRss, 1),
    'gateway.heavy_statements.sent': gw.isolation.heavySent,
    'gateway.heavy_statements.refused_422': gw.isolation.heavyRefused,
    'gateway.heavy_statements.refused_429_budget': gw.isolation.heavyThrottled,
    'gateway.latency_beside_heavy.p50_ms': round(gw.isolation.others.p50),
    'gateway.latency_beside_heavy.p99_ms': round(gw.isolation.others.p99),
    'gateway.beside_heavy.errors': gw.isolation.others.errors,
    'projection.rebuild.events': rebuild.events,
    'projection.rebuild.events_per_s': Math.round(rebuild.eventsPerSecond),
    'projection.rebuild.events_per_s, five fresh processes': rebuild.runs,
  };
}

/**
 * The isolation phase alone, beside the quiet sequential latency of the same gateway in the same run:
 * `node --import tsx bench/gateway.bench.ts isolation`. Bounded (one gateway, ~25 s of load). Extra
 * node flags for the gateway (a `--cpu-prof` profile) come from LEDGERGATE_BENCH_GATEWAY_NODE_ARGS.
 */
export async function runIsolation(options: { samples?: number; durationMs?: number } = {}): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'ledgergate-bench-isolation-'));
  const round = (n: number, digits = 2) => Number(n.toFixed(digits));
  try {
    await createDemoWarehouseFile(join(dir, 'gateway.duckdb'));
    const extraArgs = (process.env.LEDGERGATE_BENCH_GATEWAY_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
    buildForStart();
    const gateway = await startAsNpmStart({
      extraNodeArgs: extraArgs,
      dataDir: join(dir, 'gateway-data'),
      env: gatewayBenchEnv(join(dir, 'gateway.duckdb')),
      timeoutMs: 180_000,
    });
    try {
      const token = await gateway.token({ sub: 'bench-agent', groups: ['ai-agents'] });
      const target = { url: `${gateway.url}/v1/queries`, body: JSON.stringify({ sql: benchSql }), headers: { authorization: `Bearer ${token}` } };
      const quiet = await sequentialLatency(target, 50, options.samples ?? 200);
      const heavyToken = await gateway.token({ sub: 'bench-heavy-agent', groups: ['ai-agents'] });
      const isolation = await heavyStatementIsolation(gateway.url, { heavy: heavyToken, other: token }, options.durationMs ?? 10_000);
      return {
        'gateway.quiet_latency.p50_ms': round(quiet.p50),
        'gateway.quiet_latency.p99_ms': round(quiet.p99),
        'gateway.heavy_statements.sent': isolation.heavySent,
        'gateway.heavy_statements.refused_422': isolation.heavyRefused,
        'gateway.heavy_statements.refused_429_budget': isolation.heavyThrottled,
        'gateway.beside_heavy.samples': isolation.others.samples,
        'gateway.latency_beside_heavy.p50_ms': round(isolation.others.p50),
        'gateway.latency_beside_heavy.p99_ms': round(isolation.others.p99),
        'gateway.latency_beside_heavy.max_ms': round(isolation.others.max),
        'gateway.beside_heavy.errors': isolation.others.errors,
      };
    } finally {
      await gateway.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(process.argv[2] === 'isolation' ? await runIsolation() : await run());
}
