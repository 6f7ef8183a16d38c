/** A logger that drops everything: for tests and benchmarks that assert on behaviour, not on log lines. */
import type { Logger } from '../../domain/ports.js';

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
