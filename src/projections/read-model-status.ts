/**
 * Which persisted read models are whole. A model whose version changed is rebuilt in the background
 * while the gateway serves; until it has caught up, reading it fails with `read_model_rebuilding`
 * (HTTP 503 with Retry-After) instead of answering from half its rows.
 */
import { LedgergateError } from '../domain/errors.js';

export class ReadModelStatus {
  private readonly rebuilding = new Set<string>();
  private readonly waiting = new Map<string, (() => void)[]>();

  markRebuilding(name: string): void {
    this.rebuilding.add(name);
  }

  markReady(name: string): void {
    this.rebuilding.delete(name);
    for (const resolve of this.waiting.get(name) ?? []) resolve();
    this.waiting.delete(name);
  }

  isReady(name: string): boolean {
    return !this.rebuilding.has(name);
  }

  /** Throws `read_model_rebuilding` while the model is not whole. */
  assertReady(name: string): void {
    if (this.rebuilding.has(name)) throw new LedgergateError('read_model_rebuilding', `The ${name} read model is being rebuilt; retry shortly`);
  }

  /** Resolves once the model is whole (at once when it already is). */
  whenReady(name: string): Promise<void> {
    if (!this.rebuilding.has(name)) return Promise.resolve();
    return new Promise((resolve) => this.waiting.set(name, [...(this.waiting.get(name) ?? []), resolve]));
  }
}
