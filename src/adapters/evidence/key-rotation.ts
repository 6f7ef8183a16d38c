/**
 * Scheduled rotation of the evidence signing key (LEDGERGATE_EVIDENCE_KEY_MAX_AGE): rotates at start
 * when the key is already old, then checks at most hourly. A configured key file is never rotated.
 */
import type { Clock, Logger } from '../../domain/ports.js';
import type { KeyStore } from './key-store.js';

const longestCheckIntervalMs = 3_600_000;

export async function startKeyRotation(deps: {
  keyStore: KeyStore;
  /** Undefined: no scheduled rotation. */
  maxAgeMs: number | undefined;
  /** A configured key file is the operator's key: it is never rotated. */
  keyFromFile: boolean;
  clock: Clock;
  logger: Logger;
}): Promise<{ stop(): void }> {
  const { keyStore, maxAgeMs, clock, logger } = deps;
  if (maxAgeMs === undefined || deps.keyFromFile) return { stop: () => undefined };
  const rotateIfDue = async () => {
    const kid = await keyStore.rotateIfOlderThan(maxAgeMs, clock.now());
    if (kid) logger.info('evidence signing key rotated; earlier keys stay published for earlier seals', { keyId: kid });
  };
  await rotateIfDue();
  const rotation = setInterval(
    () => void rotateIfDue().catch((error: unknown) => logger.warn('evidence key rotation failed', { error: String(error) })),
    Math.min(maxAgeMs, longestCheckIntervalMs),
  );
  rotation.unref();
  return { stop: () => clearInterval(rotation) };
}
