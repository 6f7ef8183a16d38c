/**
 * The query-request decider as one value, in Emmett's shape: `decide` turns a command and the current
 * state into events, `evolve` folds one event into the state, `initialState` is the state before the
 * stream's first event. `evolve` also takes the event's occurrence time, which lives in the event's
 * metadata rather than in its data.
 */
import type { RequestCommand } from './commands.js';
import { decide } from './decide.js';
import { evolve, initialRequestState, type RequestDeciderState } from './request-state.js';
import type { RequestEvent } from './request-stream.js';

export interface Decider<Command, Event, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event, occurredAt: string): State;
  initialState(): State;
}

export const requestDecider: Decider<RequestCommand, RequestEvent, RequestDeciderState> = {
  decide,
  evolve,
  initialState: initialRequestState,
};
