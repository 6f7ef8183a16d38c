/**
 * Bundle file verification with the events parsed and hashed by a worker thread: used only for a
 * file at or above the size threshold, gives the same report as one thread, still checks every
 * event's hash and link, and fails closed when the thread fails or does not answer. The pool here is
 * the real one (a real worker thread); the wrappers only count what it is asked or change one answer,
 * to show the answer is still checked against the chain.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { verifyBundleFile } from '../../../src/adapters/evidence/bundle-file.js';
import { createChainHashPool, type ChainHashPool } from '../../../src/adapters/evidence/chain-hash-pool.js';
import { writeEvidenceBundle } from '../../../src/adapters/evidence/export.js';
import { runVerifyCommand } from '../../../src/adapters/cli/verify-command.js';
import { textSink } from './fixtures.js';
import { sealedLog } from './scenario.js';

const quiet = { stdout: () => {}, stderr: () => {} };

/** The real pool, counting the texts it hashed. */
function counting(pool: ChainHashPool): ChainHashPool & { texts: number } {
  const counted = {
    texts: 0,
    link: (texts: readonly string[]) => {
      counted.texts += texts.length;
      return pool.link(texts);
    },
    close: () => pool.close(),
  };
  return counted;
}

describe('bundle file verification with a hashing worker thread', () => {
  let dir = '';
  let pool: ChainHashPool;
  let small = '';
  let large = '';
  let largeText = '';
  let threshold = 0;
  let largeEvents = 0;

  const exportTo = async (file: string, requestsPerBatch: number): Promise<string> => {
    const scenario = await sealedLog(join(dir, `keys-${requestsPerBatch}`), { requestsPerBatch, unsealedRequests: 2 });
    const sink = textSink();
    await writeEvidenceBundle({ store: scenario.store, signer: scenario.signer, gatewayVersion: '0.1.0-test', clock: scenario.clock, out: sink.out });
    await writeFile(file, sink.text());
    return sink.text();
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ledgergate-threads-'));
    pool = createChainHashPool(1);
    small = join(dir, 'small.json');
    large = join(dir, 'large.json');
    await exportTo(small, 2);
    largeText = await exportTo(large, 300);
    largeEvents = (JSON.parse(largeText) as { events: unknown[] }).events.length;
    // Between the two files: the large one takes the worker path, the small one does not.
    threshold = ((await stat(small)).size + (await stat(large)).size) >> 1;
  });
  after(async () => {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a small file stays on one thread; a large one has its events hashed by the worker, with the same report', async () => {
    assert.ok(largeEvents > 3000, `${largeEvents} events: several batches in flight`);
    const smallPool = counting(pool);
    const smallReport = await verifyBundleFile(small, { hashPool: smallPool, hashThreadsFromBytes: threshold });
    assert.equal(smallReport.ok, true);
    assert.equal(smallPool.texts, 0, 'small file: no worker');

    const largePool = counting(pool);
    const threaded = await verifyBundleFile(large, { hashPool: largePool, hashThreadsFromBytes: threshold });
    assert.ok(largePool.texts >= 768, `large file: ${largePool.texts} events hashed by the worker`);
    assert.equal(threaded.ok, true);
    assert.deepEqual(threaded, await verifyBundleFile(large, { hashThreads: 0 }));
  });

  it('batches the worker has not answered yet are hashed here, in file order, with the same report', async () => {
    // A worker slower than this thread (a busy second core): most batches must not wait for it.
    const slow = counting({ link: async (texts) => { await new Promise((resolve) => setTimeout(resolve, 40)); return pool.link(texts); }, close: async () => {} });
    const report = await verifyBundleFile(large, { hashPool: slow, hashThreadsFromBytes: 0 });
    assert.ok(slow.texts > 0 && slow.texts < largeEvents, `${slow.texts} of ${largeEvents} events hashed by the worker`);
    assert.deepEqual(report, await verifyBundleFile(large, { hashThreads: 0 }));
  });

  it('starts and ends its own worker when not given one (the CLI returns at once)', async () => {
    const report = await verifyBundleFile(large, { hashThreads: 1, hashThreadsFromBytes: threshold });
    assert.equal(report.ok, true);
    assert.equal(report.summary.eventCount, largeEvents);
    // 'auto' decides by the cores and the load at the time: either way, the same verdict.
    const auto = await verifyBundleFile(large, { hashThreads: 'auto', hashThreadsFromBytes: threshold });
    assert.deepEqual(auto, report);
  });

  it('an event changed in a large file fails at that event on the worker path', async () => {
    const lines = largeText.split('\n');
    const index = 2; // in the first batch, which goes to the worker
    const changed = (lines[index] as string).replace('"agent-1"', '"agent-2"');
    assert.notEqual(changed, lines[index]);
    const position = (JSON.parse(changed.replace(/,$/, '')) as { position: number }).position;
    lines[index] = changed;
    const file = join(dir, 'changed.json');
    await writeFile(file, lines.join('\n'));
    const report = await verifyBundleFile(file, { hashPool: pool, hashThreadsFromBytes: 0 });
    assert.equal(report.ok, false);
    assert.equal(report.firstFailure?.position, position);
    assert.match(report.firstFailure?.message ?? '', /content does not match its hash/);
  });

  it("the worker's links are still checked against the chain: a wrong hash for one event fails", async () => {
    let seen = 0;
    const lying: ChainHashPool = {
      async link(texts) {
        const start = seen;
        seen += texts.length;
        const linked = await pool.link(texts);
        return {
          at: (i) => {
            const link = linked.at(i);
            return start + i === 0 && link ? { ...link, hash: 'f'.repeat(64), recomputed: 'f'.repeat(64) } : link;
          },
        };
      },
      close: async () => {},
    };
    const report = await verifyBundleFile(large, { hashPool: lying, hashThreadsFromBytes: 0 });
    assert.equal(report.ok, false);
    // The next event's prevHash no longer matches, and the manifest's firstHash neither.
    assert.equal(report.firstFailure?.position, 2);
    assert.match(report.firstFailure?.message ?? '', /prevHash does not match/);
    assert.ok(report.failures.some((failure) => failure.kind === 'manifest' && /firstHash differs/.test(failure.message)));
  });

  it('an event the worker does not link is parsed and checked here, reported as on one thread', async () => {
    // A pool that links nothing: every event is then parsed and checked on this thread.
    const notLinking: ChainHashPool = { link: async () => ({ at: () => undefined }), close: async () => {} };
    const lines = largeText.split('\n');
    lines[5] = (lines[5] as string).replace(/"hash":"[0-9a-f]{64}"/, `"hash":"${'0'.repeat(64)}"`);
    lines[9] = (lines[9] as string).replace('"position":', '"position_":');
    const file = join(dir, 'unlinked.json');
    await writeFile(file, lines.join('\n'));
    const viaPool = await verifyBundleFile(file, { hashPool: pool, hashThreadsFromBytes: 0 });
    assert.equal(viaPool.ok, false);
    assert.deepEqual(viaPool, await verifyBundleFile(file, { hashThreads: 0 }));
    assert.deepEqual(await verifyBundleFile(file, { hashPool: notLinking, hashThreadsFromBytes: 0 }), viaPool);
  });

  it('a file not laid out one event per line is verified again on this thread, with the same report', async () => {
    const bundle = JSON.parse(largeText) as { events: { position: number }[] };
    const compact = join(dir, 'compact.json');
    await writeFile(compact, JSON.stringify(bundle));
    const twoPerLine = join(dir, 'two-per-line.json');
    const lines = largeText.split('\n');
    // Lines 3 and 4 joined: a line that starts with { and ends with } but holds two events.
    await writeFile(twoPerLine, [...lines.slice(0, 3), `${lines[3]}${lines[4]}`, ...lines.slice(5)].join('\n'));
    for (const file of [compact, twoPerLine]) {
      const counted = counting(pool);
      const report = await verifyBundleFile(file, { hashPool: counted, hashThreadsFromBytes: 0 });
      assert.equal(report.ok, true, file);
      assert.equal(report.summary.eventCount, largeEvents);
      assert.deepEqual(report, await verifyBundleFile(file, { hashThreads: 0 }));
    }
    // A broken line fails as on one thread: the same error.
    const broken = join(dir, 'broken-line.json');
    await writeFile(broken, [...lines.slice(0, 7), (lines[7] as string).replace('"type":', '"type"'), ...lines.slice(8)].join('\n'));
    const oneThreadError = await verifyBundleFile(broken, { hashThreads: 0 }).then(() => undefined, (error: unknown) => error);
    assert.ok(oneThreadError instanceof SyntaxError);
    await assert.rejects(verifyBundleFile(broken, { hashPool: pool, hashThreadsFromBytes: 0 }), (error) => {
      assert.deepEqual(error, oneThreadError);
      return true;
    });
  });

  it('fails closed with a clear error when a thread does not answer within the deadline', async () => {
    // Double of a hashing thread that is stuck (an endless loop, a deadlock, a thread starved of CPU):
    // a real thread that stays alive, emits no error and no exit, and never posts an answer. The real
    // worker answers each batch it receives (chain-hash-worker.ts); nothing else tells the pool it hangs.
    const neverAnswers = (): Worker => new Worker("require('node:worker_threads').parentPort.on('message', () => {});", { eval: true });
    const stuck = createChainHashPool(1, { answerTimeoutMs: 300, startThread: neverAnswers });
    const started = performance.now();
    try {
      await assert.rejects(verifyBundleFile(large, { hashPool: stuck, hashThreadsFromBytes: 0 }), /chain hash thread did not answer within 0.3 s/);
      assert.ok(performance.now() - started < 10_000, 'failed at the deadline, not later');
      const messages: string[] = [];
      const code = await runVerifyCommand(['verify', large], { stdout: () => {}, stderr: (text) => messages.push(text) }, { hashPool: stuck, hashThreadsFromBytes: 0 });
      assert.equal(code, 2);
      assert.match(messages.join(''), /did not answer within 0.3 s.*not verified/);
    } finally {
      await stuck.close();
    }
  });

  it('fails closed when the worker fails: from the start or in the middle of the file', async () => {
    const broken = createChainHashPool(1);
    await broken.close();
    await assert.rejects(verifyBundleFile(large, { hashPool: broken, hashThreadsFromBytes: 0 }), /chain hash pool is closed/);
    assert.equal(await runVerifyCommand(['verify', large], quiet, { hashPool: broken, hashThreadsFromBytes: 0 }), 2);

    const dying = createChainHashPool(1);
    let calls = 0;
    const stopsMidway: ChainHashPool = {
      link(texts) {
        calls += 1;
        // The worker stops with batches in flight (as a crash would): they and all later ones fail.
        if (calls === 2) void dying.close();
        return dying.link(texts);
      },
      close: () => dying.close(),
    };
    await assert.rejects(verifyBundleFile(large, { hashPool: stopsMidway, hashThreadsFromBytes: 0 }), /chain hash/);
    await dying.close();
  });
});
