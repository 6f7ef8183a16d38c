/** Reading the policy file (LEDGERGATE_POLICY) at start and on reload. */
import { readFileSync } from 'node:fs';
import type { PolicyHolder } from '../../app/policy-holder.js';
import { LedgergateError } from '../../domain/errors.js';
import type { Logger } from '../../domain/ports.js';

/** The file's text; an unreadable file stops start-up with an error naming the setting. */
export function readPolicyFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new LedgergateError('invalid_config', `LEDGERGATE_POLICY: cannot read ${file}`, { setting: 'LEDGERGATE_POLICY' });
  }
}

/** Re-reads the file and activates it; a bad file is logged and the current policy stays in force. */
export function policyFileReloader(deps: { file: string; policies: Pick<PolicyHolder, 'activate'>; logger: Logger }): (by: string) => Promise<void> {
  const { file, policies, logger } = deps;
  return async (by) => {
    try {
      await policies.activate(readFileSync(file, 'utf8'), file, by);
    } catch (error) {
      logger.warn('policy reload failed; the current policy stays in force', { error: String(error) });
    }
  };
}
