/** Which streams belong to which agent session, so a session can be replayed event by event. */
import type { RecordedEvent } from '../domain/ports.js';
import type { Projection } from './projection.js';

export interface SessionIndex extends Projection {
  streamsOf(sessionId: string): string[];
  /** Sessions with their first and last activity, newest first. */
  list(): { sessionId: string; firstAt: string; lastAt: string; streams: number }[];
}

export function createSessionIndex(): SessionIndex {
  const sessions = new Map<string, { streams: Set<string>; firstAt: string; lastAt: string }>();
  return {
    name: 'sessions',
    apply(event: RecordedEvent) {
      const sessionId = event.metadata.sessionId;
      // Only request streams belong to a session; shared streams (authentication failures) are not replayed.
      if (!sessionId || !event.streamName.startsWith('query-')) return;
      const at = event.metadata.occurredAt;
      const session = sessions.get(sessionId);
      if (session) {
        session.streams.add(event.streamName);
        session.lastAt = at;
      } else {
        sessions.set(sessionId, { streams: new Set([event.streamName]), firstAt: at, lastAt: at });
      }
    },
    streamsOf: (sessionId) => [...(sessions.get(sessionId)?.streams ?? [])],
    list: () =>
      [...sessions.entries()]
        .map(([sessionId, s]) => ({ sessionId, firstAt: s.firstAt, lastAt: s.lastAt, streams: s.streams.size }))
        .sort((a, b) => b.lastAt.localeCompare(a.lastAt)),
  };
}
