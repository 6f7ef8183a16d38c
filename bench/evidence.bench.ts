/**
 * Evidence figures: offline verification speed (goal ≥ 100k events/s), streaming verification of a
 * bundle file, and a 1M-event export streamed to a counting sink with its peak RSS.
 *
 * Events are generated, not appended to a real store: the export reads them from a synthetic store
 * that makes each page on demand and stores no hashes (the EventStoreDB case, where the export
 * computes the chain itself — the heavier path), so the RSS figure is the exporter's own.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMPTY } from 'rxjs';
import { openKeyStore } from '../src/adapters/evidence/key-store.js';
import { writeEvidenceBundle } from '../src/adapters/evidence/export.js';
import { pathToFileURL } from 'node:url';
import { buildForStart } from './npm-start.js';
import { chainHash, genesisHash, sha256Hex } from '../src/domain/evidence/event-hash.js';
import type { EvidenceBundle } from '../src/domain/evidence/bundle.js';
import { verifyBundle } from '../src/domain/evidence/verify.js';
import type { EventStore, RecordedEvent } from '../src/domain/ports.js';

const base = Date.parse('2024-03-01T00:00:00Z');

function syntheticEvent(position: number): RecordedEvent {
  const request = Math.floor((position - 1) / 4);
  const requestId = `req-${request}`;
  return {
    streamName: `query-${requestId}`,
    revision: (position - 1) % 4,
    position,
    type: 'PolicyEvaluated',
    data: { requestId, effect: position % 3 === 0 ? 'deny' : 'allow', rule: 'agents-read-sales', policyHash: sha256Hex('p'), reasons: ['matched'], perStatement: [{ effect: 'allow', rule: 'agents-read-sales' }] },
    metadata: { correlationId: requestId, occurredAt: new Date(base + position).toISOString(), schemaVersion: 1, principal: { subject: 'agent-1', email: 'agent@example.com' }, sessionId: 'session-1' },
    recordedAt: new Date(base + position).toISOString(),
  };
}

/** A read-only store of `count` generated events, made page by page. */
function syntheticStore(count: number): EventStore {
  return {
    append: () => Promise.reject(new Error('read-only')),
    readStream: async () => [],
    readAll: async ({ from, maxCount = 1000 }) => {
      const page: RecordedEvent[] = [];
      for (let p = from + 1; p <= Math.min(count, from + maxCount); p++) page.push(syntheticEvent(p));
      return page;
    },
    headPosition: async () => count,
    subscribeAll: () => EMPTY,
    close: async () => {},
  };
}

async function withDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'ledgergate-bench-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<Record<string, number | string>> {
  return withDir(async (dir) => {
    const signer = await openKeyStore({ dataDir: dir });
    const figures: Record<string, number | string> = {};

    // 1M-event export to a counting sink, peak RSS.
    const exportCount = Number(process.env.EVIDENCE_BENCH_EXPORT ?? 1_000_000);
    let bytes = 0;
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    let started = performance.now();
    const exportCpu = process.cpuUsage();
    await writeEvidenceBundle({ store: syntheticStore(exportCount), signer, gatewayVersion: 'bench', out: (chunk) => void (bytes += chunk.length) });
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    let seconds = (performance.now() - started) / 1000;
    figures.exportEvents = exportCount;
    figures.exportEventsPerSecond = Math.round(exportCount / seconds);
    const exportCpuUsed = process.cpuUsage(exportCpu);
    figures.exportEventsPerCpuSecond = Math.round(exportCount / ((exportCpuUsed.user + exportCpuUsed.system) / 1e6));
    figures.exportMiB = Math.round(bytes / 2 ** 20);
    figures.exportRssBeforeMiB = Math.round(rssBefore / 2 ** 20);
    figures.exportPeakRssMiB = Math.round(peakRss / 2 ** 20);

    // In-memory verification of a bundle object.
    const verifyCount = Number(process.env.EVIDENCE_BENCH_VERIFY ?? 200_000);
    const events: RecordedEvent[] = [];
    let prevHash = genesisHash;
    for (let p = 1; p <= verifyCount; p++) {
      const event = syntheticEvent(p);
      const hash = chainHash(prevHash, event);
      events.push({ ...event, prevHash, hash });
      prevHash = hash;
    }
    const manifest = {
      range: { fromPosition: 1, toPosition: verifyCount }, from: events[0]?.recordedAt ?? '', to: events.at(-1)?.recordedAt ?? '',
      eventCount: verifyCount, sealCount: 0, firstHash: events[0]?.hash ?? null, lastHash: prevHash, firstPrevHash: genesisHash,
      policyVersions: [], gatewayVersion: 'bench', generatedAt: new Date().toISOString(), keyId: signer.keyId(),
    };
    const { manifestSigningInput } = await import('../src/domain/evidence/bundle.js');
    const bundle: EvidenceBundle = {
      format: 'ledgergate-evidence/1', events, seals: [], keys: await signer.publicKeys(), manifest,
      manifestSignature: await signer.sign(manifestSigningInput(manifest)),
    };
    started = performance.now();
    const cpuBefore = process.cpuUsage();
    const report = await verifyBundle(bundle);
    const cpu = process.cpuUsage(cpuBefore);
    seconds = (performance.now() - started) / 1000;
    if (!report.ok) throw new Error(`bench bundle did not verify: ${report.firstFailure?.message}`);
    figures.verifyEvents = verifyCount;
    figures.verifyEventsPerSecond = Math.round(verifyCount / seconds);
    // Per second of CPU time: the figure to compare when other processes share the machine.
    figures.verifyEventsPerCpuSecond = Math.round(verifyCount / ((cpu.user + cpu.system) / 1e6));
    // Let the 200k events go: kept alive, they made every garbage collection of the file verification
    // below dearer (≈ 83k vs 110–130k events/s), which `ledgergate verify` in its own process never pays.
    events.length = 0;

    // Streaming verification of an exported file (parse + verify), seals included via export.
    const file = join(dir, 'bundle.json');
    const out = createWriteStream(file);
    await writeEvidenceBundle({ store: syntheticStore(verifyCount), signer, gatewayVersion: 'bench', out });
    out.end();
    await once(out, 'finish');
    // The compiled module `ledgergate verify` runs (bin/ledgergate.js takes dist/ when it is current),
    // with its worker compiled too: one thread, the hashing worker, and the CLI's default (the worker
    // where a core is idle).
    buildForStart();
    const compiled = join(import.meta.dirname, '..', 'dist', 'src', 'adapters', 'evidence', 'bundle-file.js');
    const { verifyBundleFile } = (await import(pathToFileURL(compiled).href)) as typeof import('../src/adapters/evidence/bundle-file.js');
    const paths = [['verifyFileOneThread', 0], ['verifyFileHashWorker', 1], ['verifyFile', 'auto']] as const;
    for (const [name, hashThreads] of paths) {
      started = performance.now();
      const fileCpu = process.cpuUsage();
      const fileReport = await verifyBundleFile(file, { hashThreads });
      const used = process.cpuUsage(fileCpu);
      seconds = (performance.now() - started) / 1000;
      if (!fileReport.ok) throw new Error(`bench file did not verify: ${fileReport.firstFailure?.message}`);
      figures[`${name}EventsPerSecond`] = Math.round(verifyCount / seconds);
      figures[`${name}EventsPerCpuSecond`] = Math.round(verifyCount / ((used.user + used.system) / 1e6));
    }
    return figures;
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await run());
}
