import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { createBundleStreamParser, textChunks } from '../../../src/adapters/evidence/bundle-file.js';

function parseInChunks(text: string, size: number): { events: unknown[]; members: Record<string, unknown> } {
  const events: unknown[] = [];
  const members: Record<string, unknown> = {};
  const parser = createBundleStreamParser({
    onEvent: (event, text) => {
      // The hashing worker parses this text again: it must be exactly what the event was read from.
      assert.deepEqual(JSON.parse(text), event);
      events.push(event);
    },
    onMember: (k, v) => (members[k] = v),
  });
  for (let i = 0; i < text.length; i += size) parser.write(text.slice(i, i + size));
  parser.end();
  return { events, members };
}

/**
 * As the hashing worker's path reads a file: an event alone on its line is handed over as text and
 * parsed by the receiver (here, as there, JSON.parse: a SyntaxError means "not one event per line",
 * and the file is read again with the eager parser).
 */
function parseDeferredInChunks(text: string, size: number): { events: unknown[]; members: Record<string, unknown>; texts: number } {
  const events: unknown[] = [];
  const members: Record<string, unknown> = {};
  let texts = 0;
  const parser = createBundleStreamParser({
    onEvent: (event) => events.push(event),
    onEventText: (eventText) => {
      texts += 1;
      events.push(JSON.parse(eventText));
    },
    onMember: (k, v) => (members[k] = v),
  });
  for (let i = 0; i < text.length; i += size) parser.write(text.slice(i, i + size));
  parser.end();
  return { events, members, texts };
}

const outcomeOf = <T>(read: () => T): T | SyntaxError => {
  try {
    return read();
  } catch (error) {
    assert.ok(error instanceof SyntaxError, String(error));
    return error;
  }
};

describe('streaming bundle parser', () => {
  const document = {
    format: 'ledgergate-evidence/1',
    events: [
      { position: 1, data: { sql: 'SELECT "a,b" FROM t -- }]{[', escaped: 'quote \\" and \\\\ backslash \u00e9 ✓' } },
      { position: 2, data: { nested: [[1, 2], { x: [] }], n: -1.5e3, t: true, f: false, z: null } },
      7,
      'text',
      null,
    ],
    seals: [{ position: 3, data: { a: 1 } }],
    keys: { keys: [] },
    count: 12,
    flag: false,
    manifest: { range: { fromPosition: 1, toPosition: 2 } },
    manifestSignature: 'a.b.c',
  };

  /** The exporter's layout: one event per line (which the parser reads a line at a time). */
  const oneEventPerLine = (newline: string): string => {
    const { events, ...rest } = document;
    const members = JSON.stringify(rest).slice(1);
    return `{"events":[${newline}${events.map((event) => JSON.stringify(event)).join(`,${newline}`)}${newline}],${members}`;
  };
  // Lines that start like an event and end with a brace without holding one whole event.
  const eventsSplitAcrossLines = oneEventPerLine('\n').replace('✓"}},\n{"position":2', '✓"}\n}\n,\n{"position":2');

  it('splits the events array and parses the other members, whatever the chunking and layout', () => {
    const layouts = [
      JSON.stringify(document),
      JSON.stringify(document, null, 2),
      JSON.stringify(document, null, '\t').replace(/\n/g, '\r\n'),
      oneEventPerLine('\n'),
      oneEventPerLine('\r\n'),
      eventsSplitAcrossLines,
    ];
    for (const text of layouts) {
      for (const size of [1, 2, 3, 7, 64, 100_000]) {
        const { events, members } = parseInChunks(text, size);
        assert.deepEqual(events, document.events, `chunk size ${size}`);
        const { events: _events, ...rest } = document;
        assert.deepEqual(members, rest, `chunk size ${size}`);
      }
    }
  });

  it('handing events on their own line over as text reads the same, or fails with a SyntaxError where a line is not one event', () => {
    const layouts = [JSON.stringify(document), JSON.stringify(document, null, 2), oneEventPerLine('\n'), oneEventPerLine('\r\n')];
    for (const text of layouts) {
      for (const size of [1, 7, 100_000]) {
        const { texts, ...deferred } = parseDeferredInChunks(text, size);
        const { events, members } = parseInChunks(text, size);
        assert.deepEqual(deferred, { events, members }, `chunk size ${size}`);
        if (text.startsWith('{"events":[\n') && size === 100_000) assert.equal(texts, 2, 'both object events handed over as text');
      }
    }
    assert.throws(() => parseDeferredInChunks(eventsSplitAcrossLines, 100_000), SyntaxError);
    // Generated damage: the deferred reading fails wherever the eager one does, and otherwise reads
    // exactly what it reads (or fails, and the file is then read eagerly).
    const texts = [oneEventPerLine('\n'), eventsSplitAcrossLines, JSON.stringify(document, null, 1)];
    fc.assert(
      fc.property(fc.constantFrom(...texts), fc.nat(), fc.integer({ min: 0x09, max: 0x7e }), fc.constantFrom(1, 3, 64, 100_000), (text, at, code, size) => {
        const index = at % text.length;
        const changed = `${text.slice(0, index)}${String.fromCharCode(code)}${text.slice(index + 1)}`;
        const eager = outcomeOf(() => parseInChunks(changed, size));
        const deferred = outcomeOf(() => {
          const { texts: _texts, ...read } = parseDeferredInChunks(changed, size);
          return read;
        });
        if (eager instanceof SyntaxError) assert.ok(deferred instanceof SyntaxError, `accepted what the eager parser refuses: ${changed}`);
        else if (!(deferred instanceof SyntaxError)) assert.deepEqual(deferred, eager, changed);
      }),
      { numRuns: 3000 },
    );
  });

  it('handles an empty events array', () => {
    const { events, members } = parseInChunks('{"format":"f","events":[],"seals":[]}', 3);
    assert.deepEqual(events, []);
    assert.deepEqual(members, { format: 'f', seals: [] });
  });

  it('accepts a byte-changed document only when JSON does, and then reads exactly what JSON.parse reads', () => {
    const texts = [JSON.stringify(document), JSON.stringify(document, null, 1), oneEventPerLine('\n'), eventsSplitAcrossLines];
    assert.match(eventsSplitAcrossLines, /\n\{"position":1,.*\}\n\}\n,\n\{"position":2/);
    fc.assert(
      fc.property(fc.constantFrom(...texts), fc.nat(), fc.integer({ min: 0x09, max: 0x7e }), fc.constantFrom(1, 3, 64, 100_000), (text, at, code, size) => {
        const index = at % text.length;
        const changed = `${text.slice(0, index)}${String.fromCharCode(code)}${text.slice(index + 1)}`;
        let expected: Record<string, unknown> | undefined;
        try {
          expected = JSON.parse(changed) as Record<string, unknown>;
        } catch {
          expected = undefined;
        }
        let read: ReturnType<typeof parseInChunks> | undefined;
        try {
          read = parseInChunks(changed, size);
        } catch (error) {
          assert.ok(error instanceof SyntaxError);
          // Refusing is always allowed for what JSON refuses; for valid JSON only a repeated member.
          if (expected !== undefined) assert.match(error.message, /two ".*" members/, changed);
          return;
        }
        assert.ok(expected !== undefined && typeof expected === 'object' && !Array.isArray(expected), `accepted what JSON refuses: ${changed}`);
        const { events, ...members } = expected;
        assert.deepEqual(read.events, Array.isArray(events) ? events : [], changed);
        assert.deepEqual(read.members, members, changed);
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses a repeated member (JSON.parse would keep the last; streaming would read both)', () => {
    assert.throws(() => parseInChunks('{"events":[{"a":1}],"events":[]}', 5), /two "events" members/);
  });

  it('rejects what is not a complete JSON object', () => {
    assert.throws(() => parseInChunks('[1,2]', 10), SyntaxError);
    assert.throws(() => parseInChunks('{"events":[{"a":1}', 10), SyntaxError);
    assert.throws(() => parseInChunks('{"events":[{"a":1]}', 10), SyntaxError);
    assert.throws(() => parseInChunks('{"a":1} trailing', 10), SyntaxError);
    for (const malformed of ['{"events":[{"a":1}{"b":2}]}', '{"events":[{"a":1},,{"b":2}]}', '{"events":[{"a":1},]}', '{"events":[{"a":1}\u000b]}', '{"a":1 "b":2}', '{"a" 1}', '{"events":[1]:2}']) {
      assert.throws(() => parseInChunks(malformed, 4), SyntaxError, malformed);
    }
  });
});

describe('reading a bundle file as text', () => {
  it('gives the text UTF-8 decoding gives, whatever the chunking: ASCII chunks, characters split between chunks, broken sequences', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ledgergate-text-chunks-'));
    try {
      const samples: Buffer[] = [
        Buffer.from('{"events":[{"a":"plain ascii"}]}'),
        Buffer.from(`${'x'.repeat(20)}é€😀 after ${'y'.repeat(20)}`),
        Buffer.concat([Buffer.from('ascii first '.repeat(5)), Buffer.from([0xe2, 0x82]), Buffer.from(' cut € and '), Buffer.from([0xff, 0xc3])]),
        Buffer.from([0xf0, 0x9f, 0x98]),
      ];
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...samples), fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 1, max: 17 }), async (sample, noise, chunkBytes) => {
          const bytes = Buffer.concat([sample, Buffer.from(noise)]);
          const file = join(dir, `text-${run++}.json`);
          await writeFile(file, bytes);
          let text = '';
          for await (const chunk of textChunks(file, chunkBytes)) text += chunk;
          assert.equal(text, bytes.toString('utf8'));
        }),
        { numRuns: 300 },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
