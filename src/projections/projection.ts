/** A read model folded from the global log. Projections here are in memory and rebuilt from position 0 at start. */
import type { RecordedEvent } from '../domain/ports.js';

export interface Projection {
  readonly name: string;
  apply(event: RecordedEvent): void;
}
