/**
 * Bundle file verification with the events' hashes recomputed by a worker thread: used only for a
 * file at or above the size threshold, gives the same report as one thread, still compares every
 * event's hash, and fails closed when the thread fails. The pool here is the real one (a real worker
 * thread); the wrappers only count what it is asked or change one answer, to show the answer is checked.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    hash: (texts: readonly string[]) => {
      counted.texts += texts.length;
      return pool.hash(texts);
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
    const slow = counting({ hash: async (texts) => { await new Promise((resolve) => setTimeout(resolve, 40)); return pool.hash(texts); }, close: async () => {} });
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

  it("the worker's answer is compared, not trusted: a wrong hash for one event fails at that event", async () => {
    let seen = 0;
    const lying: ChainHashPool = {
      async hash(texts) {
        const start = seen;
        seen += texts.length;
        const hashed = await pool.hash(texts);
        return { at: (i) => (start + i === 0 ? 'f'.repeat(64) : hashed.at(i)) };
      },
      close: async () => {},
    };
    const report = await verifyBundleFile(large, { hashPool: lying, hashThreadsFromBytes: 0 });
    assert.equal(report.ok, false);
    assert.match(report.firstFailure?.message ?? '', /content does not match its hash/);
    assert.equal(report.failures.length, 1);
  });

  it('fails closed when the worker fails: from the start or in the middle of the file', async () => {
    const broken = createChainHashPool(1);
    await broken.close();
    await assert.rejects(verifyBundleFile(large, { hashPool: broken, hashThreadsFromBytes: 0 }), /chain hash pool is closed/);
    assert.equal(await runVerifyCommand(['verify', large], quiet, { hashPool: broken, hashThreadsFromBytes: 0 }), 2);

    const dying = createChainHashPool(1);
    let calls = 0;
    const stopsMidway: ChainHashPool = {
      hash(texts) {
        calls += 1;
        // The worker stops with batches in flight (as a crash would): they and all later ones fail.
        if (calls === 2) void dying.close();
        return dying.hash(texts);
      },
      close: () => dying.close(),
    };
    await assert.rejects(verifyBundleFile(large, { hashPool: stopsMidway, hashThreadsFromBytes: 0 }), /chain hash/);
    await dying.close();
  });
});
