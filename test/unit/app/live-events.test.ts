/**
 * One wake-up per append: this replica's own appends wake their long-polls in the repository, so the
 * live-event handler wakes them only for events another replica wrote.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLiveEventHandler } from '../../../src/app/live-events.js';
import type { ExecutionSaga } from '../../../src/app/execution-saga.js';
import type { PolicyHolder } from '../../../src/app/policy-holder.js';
import type { RecordedEvent } from '../../../src/domain/ports.js';

const event = (gatewayId: string, type = 'ExecutionSucceeded'): RecordedEvent =>
  ({ streamName: 'query-r1', revision: 3, position: 9, type, data: {}, metadata: { correlationId: 'r1', occurredAt: new Date().toISOString(), schemaVersion: 1, gatewayId }, recordedAt: new Date().toISOString() }) as RecordedEvent;

describe('live events', () => {
  it('wake long-polls for another replica\'s events only', () => {
    const woken: string[] = [];
    const handle = createLiveEventHandler({
      gatewayId: 'gw-self',
      notifier: { notify: (id) => void woken.push(id), waitForChange: async () => false },
      saga: { execute: async () => undefined } as unknown as ExecutionSaga,
      policies: {} as PolicyHolder,
    });
    handle(event('gw-self'));
    assert.deepEqual(woken, [], 'own append: already woken by the repository');
    handle(event('gw-other'));
    assert.deepEqual(woken, ['r1']);
  });
});
