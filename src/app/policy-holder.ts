/**
 * Holds the policy in force. Activating a new text appends PolicyActivated (content hash, text, who
 * loaded it) when it differs from the last activation in the log; an invalid text keeps the old
 * policy, records PolicyRejected and says why in the log.
 */
import { parsePolicy } from '../domain/policy/parse.js';
import { formatPolicyError } from '../domain/policy/format-error.js';
import type { Policy, PolicyError } from '../domain/policy/types.js';
import type { PolicyActivated } from '../domain/events/index.js';
import type { Clock, EventStore, Logger } from '../domain/ports.js';
import { LedgergateError, RevisionConflictError } from '../domain/errors.js';

export const policyStream = 'policy';

export interface PolicyHolder {
  current(): Policy;
  /** Parses and activates; returns the errors instead when the text is invalid (the old policy stays). */
  activate(text: string, source: string, activatedBy: string): Promise<{ ok: true; policy: Policy } | { ok: false; errors: readonly PolicyError[] }>;
  /** Adopts a PolicyActivated written by another replica. */
  adopt(event: PolicyActivated): void;
}


export async function createPolicyHolder(deps: {
  store: EventStore;
  clock: Clock;
  logger: Logger;
  gatewayId: string;
  initialText: string;
  source: string;
}): Promise<PolicyHolder> {
  const { store, clock, logger, gatewayId } = deps;
  const initial = parsePolicy(deps.initialText);
  if (!initial.ok) {
    throw new LedgergateError(
      'invalid_policy',
      `LEDGERGATE_POLICY: ${deps.source} is not a valid policy: ${initial.errors.map((e) => formatPolicyError(deps.source, e)).join('; ')}`,
    );
  }
  let policy = initial.policy;

  async function record(type: 'PolicyActivated' | 'PolicyRejected', data: unknown): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const existing = await store.readStream(policyStream);
      const last = existing.at(-1);
      if (type === 'PolicyActivated') {
        const lastActivated = [...existing].reverse().find((e) => e.type === 'PolicyActivated');
        if (lastActivated && (lastActivated.data as PolicyActivated).policyHash === (data as PolicyActivated).policyHash) return;
      }
      try {
        await store.append(
          policyStream,
          [{ type, data, metadata: { correlationId: `policy-${clock.now().getTime()}`, occurredAt: clock.now().toISOString(), schemaVersion: 1, gatewayId } }],
          last ? last.revision : 'no_stream',
        );
        return;
      } catch (error) {
        if (!(error instanceof RevisionConflictError)) throw error;
      }
    }
    // A policy must never come into force without its event: the caller keeps the old one.
    throw new LedgergateError('revision_conflict', `could not record ${type}: the policy stream kept changing`);
  }

  const previousHashOf = async (): Promise<string | undefined> => {
    const existing = await store.readStream(policyStream);
    const lastActivated = [...existing].reverse().find((e) => e.type === 'PolicyActivated');
    return lastActivated ? (lastActivated.data as PolicyActivated).policyHash : undefined;
  };

  const activateParsed = async (next: Policy, source: string, activatedBy: string) => {
    const previousPolicyHash = await previousHashOf();
    await record('PolicyActivated', {
      policyHash: next.hash,
      text: next.text,
      source,
      activatedBy,
      ...(previousPolicyHash && previousPolicyHash !== next.hash ? { previousPolicyHash } : {}),
    } satisfies PolicyActivated);
    policy = next;
  };

  await activateParsed(policy, deps.source, 'gateway start-up');

  return {
    current: () => policy,
    async activate(text, source, activatedBy) {
      const parsed = parsePolicy(text);
      if (!parsed.ok) {
        const errors = parsed.errors.map((e) => formatPolicyError(source, e));
        logger.warn('policy rejected; the previous policy stays in force', { source, errors, policyHash: policy.hash });
        await record('PolicyRejected', { source, errors, keptPolicyHash: policy.hash });
        return { ok: false, errors: parsed.errors };
      }
      if (parsed.policy.hash !== policy.hash) {
        await activateParsed(parsed.policy, source, activatedBy);
        logger.info('policy activated', { source, policyHash: parsed.policy.hash, activatedBy });
      }
      return { ok: true, policy: parsed.policy };
    },
    adopt(event) {
      if (event.policyHash === policy.hash) return;
      const parsed = parsePolicy(event.text);
      if (parsed.ok) {
        policy = parsed.policy;
        logger.info('policy adopted from the log', { policyHash: policy.hash, source: event.source });
      }
    },
  };
}
