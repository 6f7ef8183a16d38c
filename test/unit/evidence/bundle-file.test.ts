import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBundleStreamParser } from '../../../src/adapters/evidence/bundle-file.js';

function parseInChunks(text: string, size: number): { events: unknown[]; members: Record<string, unknown> } {
  const events: unknown[] = [];
  const members: Record<string, unknown> = {};
  const parser = createBundleStreamParser({ onEvent: (e) => events.push(e), onMember: (k, v) => (members[k] = v) });
  for (let i = 0; i < text.length; i += size) parser.write(text.slice(i, i + size));
  parser.end();
  return { events, members };
}

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

  it('splits the events array and parses the other members, whatever the chunking and layout', () => {
    for (const text of [JSON.stringify(document), JSON.stringify(document, null, 2), JSON.stringify(document, null, '\t').replace(/\n/g, '\r\n')]) {
      for (const size of [1, 2, 3, 7, 64, 100_000]) {
        const { events, members } = parseInChunks(text, size);
        assert.deepEqual(events, document.events, `chunk size ${size}`);
        const { events: _events, ...rest } = document;
        assert.deepEqual(members, rest, `chunk size ${size}`);
      }
    }
  });

  it('handles an empty events array', () => {
    const { events, members } = parseInChunks('{"format":"f","events":[],"seals":[]}', 3);
    assert.deepEqual(events, []);
    assert.deepEqual(members, { format: 'f', seals: [] });
  });

  it('rejects what is not a complete JSON object', () => {
    assert.throws(() => parseInChunks('[1,2]', 10), SyntaxError);
    assert.throws(() => parseInChunks('{"events":[{"a":1}', 10), SyntaxError);
    assert.throws(() => parseInChunks('{"events":[{"a":1]}', 10), SyntaxError);
    assert.throws(() => parseInChunks('{"a":1} trailing', 10), SyntaxError);
  });
});
