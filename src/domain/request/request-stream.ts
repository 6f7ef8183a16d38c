/**
 * The query request stream (`query-<id>`): its name, its events as a tagged union (derived from the
 * event schemas), and how a stored event is recognised as one of them.
 */
import { requestEventSchemas, type EventUnionOf } from '../events/event-schemas.js';

export type RequestEvent = EventUnionOf<typeof requestEventSchemas>;

export type RequestEventType = RequestEvent['type'];

const requestEventTypes: ReadonlySet<string> = new Set(Object.keys(requestEventSchemas));

/** Narrows a stored event (already schema-validated by the store) to a request event. */
export function asRequestEvent(event: { type: string; data: unknown }): RequestEvent | undefined {
  return requestEventTypes.has(event.type) ? (event as RequestEvent) : undefined;
}

export const requestStreamName = (requestId: string): string => `query-${requestId}`;
export const requestIdOfStream = (stream: string): string | undefined =>
  stream.startsWith('query-') ? stream.slice('query-'.length) : undefined;

/** A stored event as a request event: the request it belongs to, the event, and when it occurred. */
export function requestEventOf(recorded: {
  streamName: string;
  type: string;
  data: unknown;
  metadata: { occurredAt: string };
}): { requestId: string; event: RequestEvent; at: string } | undefined {
  const requestId = requestIdOfStream(recorded.streamName);
  const event = requestId ? asRequestEvent(recorded) : undefined;
  return requestId && event ? { requestId, event, at: recorded.metadata.occurredAt } : undefined;
}
