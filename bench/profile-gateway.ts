/**
 * Where an allowed query's time goes, for issue 19's "CPU profile showing where every remaining
 * millisecond goes". Not part of `npm run bench` (it is a diagnosis, not a figure with a target):
 *
 *   node --import tsx bench/profile-gateway.ts [queries=600]
 *
 * Starts the gateway as `npm start` does (compiled, same flags) on a copy of the demo warehouse with
 * `--cpu-prof`, sends the bench query one at a time, and prints
 * - the gateway's CPU per query for every thread, read from /proc before and after the run (the
 *   event loop, libuv's pool, the SQLite writer, the analysis worker, V8's own threads), and
 * - the event loop's busy time from the profile, grouped by what the code does (self time of each
 *   sampled frame, classified by its file), in ms per query.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoWarehouseFile } from '../src/adapters/warehouse/demo-dataset.js';
import { benchSql, createClient } from './gateway.bench.js';
import { buildForStart, startAsNpmStart } from './npm-start.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const clockTicks = 100; // USER_HZ on Linux

/**
 * CPU ticks (user + system) per thread id, from /proc/<pid>/task. Node 20 names every thread "node",
 * so threads are told apart by id: the main thread's id is the pid; the others are, in creation
 * order, V8's platform threads, libuv's pool, the SQLite writer and the analysis worker.
 */
function threadTicks(pid: number): Map<number, number> {
  const byId = new Map<number, number>();
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byId.set(Number(task), Number(fields[11]) + Number(fields[12]));
    } catch {
      // A thread that ended between the listing and the read.
    }
  }
  return byId;
}

/** What a sampled frame's code does, from the file it is in; undefined for node's own and native frames. */
function category(url: string): string | undefined {
  const rules: [RegExp, string][] = [
    [/node_modules\/(express|router|body-parser|raw-body|qs|send|finalhandler|on-finished|type-is|content-type|iconv-lite|helmet|express-rate-limit|path-to-regexp|accepts|negotiator)\//, 'HTTP: express, router, body parsing, rate limit, headers'],
    [/node_modules\/jose\//, 'bearer token (jose)'],
    [/node_modules\/@duckdb\//, 'DuckDB job on the event loop'],
    [/node_modules\/better-sqlite3\//, 'SQLite (read models, event store reads)'],
    [/node_modules\/(winston|logform|triple-beam|readable-stream|@colors|fecha|safe-stable-stringify)\//, 'logging'],
    [/node_modules\/ajv/, 'schema validation (ajv)'],
    [/node_modules\/prom-client\//, 'metrics'],
    [/node_modules\/rxjs\//, 'live feed (rxjs)'],
    [/dist\/src\/adapters\/http\//, 'HTTP: our routes and problem answers'],
    [/dist\/src\/adapters\/identity\//, 'bearer token (jose)'],
    [/dist\/src\/adapters\/eventstore\//, 'event store: append, serialise, read'],
    [/dist\/src\/projections\//, 'projections: read models and live feed'],
    [/dist\/src\/adapters\/evidence\/|dist\/src\/domain\/evidence\//, 'evidence sealer and hashing'],
    [/dist\/src\/adapters\/warehouse\//, 'DuckDB job on the event loop'],
    [/dist\/src\/adapters\/masking\/|dist\/src\/domain\/masking\/|result-masker/, 'masking and the result hash'],
    [/dist\/src\/adapters\/analysis\/|dist\/src\/domain\/policy\//, 'analysis (cache hit) and policy'],
    [/dist\/src\/app\/|dist\/src\/domain\//, 'request lifecycle: saga, decide/evolve, repository'],
    [/dist\/src\//, 'other gateway code'],
  ];
  if (/^node:|^$/.test(url)) return undefined;
  for (const [pattern, name] of rules) if (pattern.test(url)) return name;
  return `other libraries (${url.split('node_modules/')[1]?.split('/')[0] ?? url})`;
}

/**
 * A sample's category: its own frame's, or — for node's own and native frames (JSON.parse, streams,
 * crypto, promise machinery) — that of the nearest caller outside node, so a `JSON.stringify` called
 * by the event store counts as the event store's.
 */
function sampleCategory(node: ProfileNode, parentOf: Map<number, ProfileNode>): string {
  const name = node.callFrame.functionName;
  if (name === '(idle)') return 'idle';
  if (name === '(garbage collector)') return 'garbage collection';
  if (name === '(program)') return 'V8 and node internals (program)';
  for (let at: ProfileNode | undefined = node; at; at = parentOf.get(at.id)) {
    const found = category(at.callFrame.url);
    if (found) return process.env.PROFILE_DETAIL === found ? `${found}: ${at.callFrame.functionName || '(anonymous)'} ${at.callFrame.url.split('/').slice(-1)[0]} ← ${node.callFrame.functionName}` : found;
  }
  return 'node internals (sockets, timers, promises)';
}

/** Self time by category of the samples taken between `from` and `to` (µs of CLOCK_MONOTONIC, V8's clock on Linux). */
function summarise(profile: CpuProfile, from: number, to: number): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node);
  const micros = new Map<string, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (at < from || at > to) continue;
    const node = byId.get(profile.samples[i] as number);
    if (!node) continue;
    const key = sampleCategory(node, parentOf);
    micros.set(key, (micros.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  return micros;
}

export async function run(queries = 600): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ledgergate-profile-'));
  const profileDir = join(dir, 'profile');
  try {
    await createDemoWarehouseFile(join(dir, 'warehouse.duckdb'));
    buildForStart();
    const gateway = await startAsNpmStart({
      extraNodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
      dataDir: join(dir, 'data'),
      env: { LEDGERGATE_WAREHOUSE: `duckdb:${join(dir, 'warehouse.duckdb')}`, LEDGERGATE_LOG_LEVEL: 'info', LEDGERGATE_RATE_LIMIT: '1000000' },
      timeoutMs: 180_000,
    });
    const pid = gateway.child.pid as number;
    const token = await gateway.token({ sub: 'bench-agent', groups: ['ai-agents'] });
    const target = { url: `${gateway.url}/v1/queries`, body: JSON.stringify({ sql: benchSql }), headers: { authorization: `Bearer ${token}` } };
    const client = createClient(1);
    for (let i = 0; i < 50; i++) await client.send(target);
    const before = threadTicks(pid);
    const fromMicros = Number(process.hrtime.bigint() / 1000n);
    const started = performance.now();
    for (let i = 0; i < queries; i++) {
      const answer = await client.send(target);
      if (answer.status !== 200) throw new Error(`query answered ${answer.status}`);
    }
    const wallMs = performance.now() - started;
    const toMicros = Number(process.hrtime.bigint() / 1000n);
    const after = threadTicks(pid);
    client.close();
    await gateway.stop();

    console.log(`${queries} sequential queries, ${(wallMs / queries).toFixed(2)} ms each (wall), load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`);
    console.log('\nCPU per query by thread (/proc; the event loop ran with --cpu-prof, which adds its own sampler thread):');
    const perQuery = (tid: number) => ((((after.get(tid) ?? 0) - (before.get(tid) ?? 0)) / clockTicks) * 1000) / queries;
    const tids = [...after.keys()].sort((a, b) => a - b);
    const total = tids.reduce((sum, tid) => sum + perQuery(tid), 0);
    console.log(`  ${perQuery(pid).toFixed(2).padStart(6)} ms  event loop (main thread)`);
    tids.forEach((tid, rank) => {
      if (tid !== pid && perQuery(tid) >= 0.05) console.log(`  ${perQuery(tid).toFixed(2).padStart(6)} ms  thread #${rank} (tid ${tid})`);
    });
    console.log(`  ${total.toFixed(2).padStart(6)} ms  all threads`);

    const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error('the gateway wrote no CPU profile');
    const micros = summarise(JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile, fromMicros, toMicros);
    const busy = [...micros].filter(([key]) => key !== 'idle').reduce((sum, [, value]) => sum + value, 0);
    console.log(`\nEvent loop during the measured queries (profile samples), busy ${(busy / 1000).toFixed(0)} ms of ${((busy + (micros.get('idle') ?? 0)) / 1000).toFixed(0)} ms:`);
    for (const [key, value] of [...micros].filter(([name]) => name !== 'idle').sort((a, b) => b[1] - a[1])) {
      console.log(`  ${((value / busy) * 100).toFixed(1).padStart(5)} %  ${(value / 1000 / queries).toFixed(2).padStart(6)} ms/query  ${key}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run(Number(process.argv[2] ?? 600));
