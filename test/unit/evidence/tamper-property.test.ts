/**
 * Generated tampering of an exported bundle file, checked through `ledgergate verify FILE`: any byte
 * changed anywhere, any two events swapped, any event dropped or duplicated must make it exit non-zero
 * (1: fails, naming the place; 2: not readable as a bundle) — never 0. A byte change that leaves the
 * parsed JSON equal (a hex digit's case inside a \u escape, an exponent's `e` vs `E`) is not tampering
 * with the bundle's content and is skipped; that is checked by parsing, not assumed.
 *
 * Run on both paths of a bundle file: one thread, and the hashing worker thread (forced for these
 * small files by a zero size threshold; one pool shared by the runs, as starting one costs time).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { runVerifyCommand } from '../../../src/adapters/cli/verify-command.js';
import type { VerifyFileOptions } from '../../../src/adapters/evidence/bundle-file.js';
import { createChainHashPool, type ChainHashPool } from '../../../src/adapters/evidence/chain-hash-pool.js';
import { writeEvidenceBundle } from '../../../src/adapters/evidence/export.js';
import { textSink } from './fixtures.js';
import { sealedLog } from './scenario.js';

const quiet = { stdout: () => {}, stderr: () => {} };

const paths: readonly { readonly name: string; readonly options: () => VerifyFileOptions }[] = [
  { name: 'one thread', options: () => ({ hashThreads: 0 }) },
  { name: 'hashing worker', options: () => ({ hashPool: sharedPool(), hashThreadsFromBytes: 0 }) },
];
let pool: ChainHashPool | undefined;
const sharedPool = (): ChainHashPool => (pool ??= createChainHashPool(1));
after(async () => {
  await pool?.close();
});

for (const path of paths) describe(`verify FILE (${path.name}) detects generated tampering of an exported bundle`, () => {
  let dir = '';
  let original = Buffer.alloc(0);
  let parsedOriginal: unknown;
  /** The bundle as the exporter lays it out: a head line, one event per line, then the tail. */
  let head = '';
  let eventLines: string[] = [];
  let tail = '';
  let runs = 0;

  const verifyExitCode = async (bytes: Buffer | string): Promise<number> => {
    const file = join(dir, `tampered-${runs++}.json`);
    await writeFile(file, bytes);
    try {
      return await runVerifyCommand(['verify', file], quiet, path.options());
    } finally {
      await rm(file, { force: true });
    }
  };
  const withEvents = (lines: readonly string[]): string => `${head}\n${lines.join(',\n')}\n${tail}`;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ledgergate-tamper-'));
    const scenario = await sealedLog(dir, { rotateAfter: 2, unsealedRequests: 2 });
    const sink = textSink();
    await writeEvidenceBundle({ store: scenario.store, signer: scenario.signer, gatewayVersion: '0.1.0-test', clock: scenario.clock, out: sink.out });
    const text = sink.text();
    original = Buffer.from(text, 'utf8');
    parsedOriginal = JSON.parse(text);
    const lines = text.split('\n');
    const end = lines.findIndex((line, i) => i > 0 && line.startsWith(']'));
    head = lines[0] as string;
    eventLines = lines.slice(1, end).map((line) => line.replace(/,$/, ''));
    tail = lines.slice(end).join('\n');
    assert.equal(eventLines.length, (parsedOriginal as { events: unknown[] }).events.length, 'one event per line');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('the untouched file and its re-assembled layout verify (so every failure below is the tampering)', async () => {
    assert.equal(await verifyExitCode(original), 0);
    assert.equal(await verifyExitCode(withEvents(eventLines)), 0);
  });

  it('any single byte changed anywhere in the file is detected', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: original.length - 1 }), fc.integer({ min: 1, max: 255 }), async (index, delta) => {
        const tampered = Buffer.from(original);
        tampered[index] = ((tampered[index] as number) + delta) % 256;
        let parsed: unknown;
        try {
          parsed = JSON.parse(tampered.toString('utf8'));
        } catch {
          parsed = undefined;
        }
        fc.pre(!isDeepStrictEqual(parsed, parsedOriginal));
        assert.notEqual(await verifyExitCode(tampered), 0, `byte ${index} changed by ${delta} went unnoticed`);
      }),
      { numRuns: 300 },
    );
  });

  it('any two events swapped, any event dropped or duplicated is detected', async () => {
    const count = eventLines.length;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ kind: fc.constant('swap' as const), a: fc.nat({ max: count - 1 }), b: fc.nat({ max: count - 1 }) }).filter(({ a, b }) => a !== b),
          fc.record({ kind: fc.constant('drop' as const), a: fc.nat({ max: count - 1 }), b: fc.constant(0) }),
          fc.record({ kind: fc.constant('duplicate' as const), a: fc.nat({ max: count - 1 }), b: fc.nat({ max: count }) }),
        ),
        async ({ kind, a, b }) => {
          const lines = [...eventLines];
          if (kind === 'swap') [lines[a], lines[b]] = [lines[b] as string, lines[a] as string];
          else if (kind === 'drop') lines.splice(a, 1);
          else lines.splice(b, 0, lines[a] as string);
          assert.notEqual(await verifyExitCode(withEvents(lines)), 0, `${kind} ${a} ${b} went unnoticed`);
        },
      ),
      { numRuns: 150 },
    );
  });
});
