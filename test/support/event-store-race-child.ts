/**
 * A second OS process appending to a shared SQLite event store file. It opens the store, prints
 * "ready", waits for "go" on stdin (so the parent can start several children at the same moment),
 * appends, prints one JSON line with the outcome and exits.
 *
 *   race <file> <stream>                one append at expected revision 0
 *   many <file> <label> <count>         <count> single-event appends to <label>-0..4 with `any`
 *   group <file> <label> <count>        <count> concurrent appends to <label>-0..count-1 with no_stream,
 *                                       plus one to <label>-taken at no_stream (the parent wrote it
 *                                       first, so it conflicts); reports, then SIGKILLs itself without
 *                                       closing the store — only what is on disk survives
 */
import { createInterface } from 'node:readline';
import { createEventRegistry } from '../../src/domain/events/registry.js';
import { isLedgergateError } from '../../src/domain/errors.js';
import { openSqliteEventStore } from '../../src/adapters/eventstore/sqlite-event-store.js';
import { authFailed, metadataFor } from './event-store-fixtures.js';

const [mode, file, name, countText] = process.argv.slice(2);
if (!mode || !file || !name) throw new Error('usage: race|many <file> <stream-or-label> [count]');

const store = openSqliteEventStore({ file, registry: createEventRegistry() });
const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
for await (const line of lines) if (line.trim() === 'go') break;
lines.close();

const report = (outcome: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(outcome)}\n`);

try {
  if (mode === 'race') {
    const result = await store.append(name, [authFailed(process.pid, metadataFor('race', { gatewayId: String(process.pid) }))], 0);
    report({ outcome: 'won', position: result.lastPosition });
  } else if (mode === 'group') {
    const count = Number(countText ?? '20');
    const appends = Array.from({ length: count }, (_, i) =>
      store.append(`${name}-${i}`, [authFailed(i, metadataFor(name, { gatewayId: name }))], 'no_stream'),
    );
    const refused = store.append(`${name}-taken`, [authFailed(999, metadataFor(name))], 'no_stream');
    const settled = await Promise.allSettled([...appends, refused]);
    report({
      outcome: 'killed-after-report',
      positions: settled.slice(0, count).map((s) => (s.status === 'fulfilled' ? s.value.lastPosition : null)),
      taken: settled[count]?.status === 'rejected' && isLedgergateError(settled[count].reason) ? settled[count].reason.code : 'accepted',
    });
    // No close, no flush: the process dies the hardest way right after the acknowledgements.
    process.kill(process.pid, 'SIGKILL');
  } else {
    const count = Number(countText ?? '100');
    const positions: number[] = [];
    for (let i = 0; i < count; i++) {
      const event = authFailed(i, metadataFor(name, { gatewayId: name }));
      positions.push((await store.append(`${name}-${i % 5}`, [event], 'any')).lastPosition);
      // Yield between appends so the two writers really take turns on the file's lock.
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    report({ outcome: 'done', positions });
  }
} catch (error) {
  report({
    outcome: isLedgergateError(error) ? error.code : 'error',
    message: error instanceof Error ? error.message : String(error),
  });
} finally {
  await store.close();
}
