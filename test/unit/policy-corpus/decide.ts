/**
 * The decision path the gateway takes for one request, minus the HTTP and the log: the real analyser
 * over a catalog shaped like the demo warehouse, then evaluatePolicy with a parsed policy.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPolyglotAnalyser } from '../../../src/adapters/analysis/polyglot-analyser.js';
import type { Analysis } from '../../../src/domain/analysis/types.js';
import { evaluatePolicy } from '../../../src/domain/policy/evaluate.js';
import { parsePolicy } from '../../../src/domain/policy/parse.js';
import type { Policy, PolicyDecision } from '../../../src/domain/policy/types.js';
import { createFakeCatalog } from '../analysis/fake-catalog.js';
import { testPolicyText } from './test-policy.js';

export const repoRoot = join(import.meta.dirname, '..', '..', '..');

/** The gateway analyses with the warehouse's project as default and no default dataset. */
export const analysisContext = { defaultProject: 'demo-project' } as const;

export const defaultBytes = 2 ** 20;

function parsed(text: string, name: string): Policy {
  const result = parsePolicy(text);
  if (!result.ok) throw new Error(`${name} is not a valid policy: ${JSON.stringify(result.errors)}`);
  return result.policy;
}

export const shippedPolicy = parsed(readFileSync(join(repoRoot, 'policy.yaml'), 'utf8'), 'policy.yaml');
export const testPolicy = parsed(testPolicyText, 'the test policy');

export const analyser = createPolyglotAnalyser({ catalog: createFakeCatalog() });

export interface DecideOptions {
  readonly policy?: Policy;
  /** The scan estimate; null for none. Default: 1 MiB. */
  readonly bytes?: number | null;
}

export async function analyse(sql: string): Promise<Analysis> {
  return analyser.analyse(sql, analysisContext);
}

export async function decide(sql: string, groups: readonly string[], options: DecideOptions = {}): Promise<{ analysis: Analysis; decision: PolicyDecision }> {
  const analysed = await analyse(sql);
  const bytes = options.bytes === undefined ? defaultBytes : options.bytes;
  const analysis = bytes === null ? analysed : { ...analysed, bytesEstimate: bytes };
  return { analysis, decision: evaluatePolicy(options.policy ?? shippedPolicy, { groups, analysis }) };
}
