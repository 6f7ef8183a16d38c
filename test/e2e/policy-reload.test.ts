/**
 * Policy as events, on the real gateway process: editing the policy file changes decisions within a
 * couple of seconds and leaves PolicyActivated in the log; an invalid edit keeps the old policy and
 * leaves PolicyRejected with the error's line and column; SIGHUP reloads too. Every decision names
 * the policy hash, the rule and its reasons.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, repoRoot, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';

const sql = 'SELECT order_id, amount FROM sales.orders ORDER BY order_id LIMIT 3';
const shippedText = readFileSync(join(repoRoot, 'policy.yaml'), 'utf8');
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The shipped policy with one more rule in front of the agents' read rule. */
function withRuleBefore(text: string, ruleId: string, globs: string): string {
  const anchor = '  - id: agents-read-sales-analytics';
  assert.ok(text.includes(anchor));
  return text.replace(anchor, `  - id: ${ruleId}\n    match: { tables: [${globs}] }\n    effect: deny\n\n${anchor}`);
}

interface Decision {
  effect: string;
  rule: string;
  policyHash: string;
  reasons: string[];
}

interface LoggedEvent {
  type: string;
  streamName: string;
  data: Record<string, unknown>;
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<{ value: T; elapsedMs: number }> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return { value, elapsedMs: Date.now() - started };
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

describe('policy reload on a running gateway', () => {
  let gateway: GatewayProcess;
  let policyDir: string;
  let policyFile: string;
  let agent: string;
  let auditor: string;

  before(async () => {
    policyDir = mkdtempSync(join(tmpdir(), 'ledgergate-policy-'));
    policyFile = join(policyDir, 'policy.yaml');
    writeFileSync(policyFile, shippedText);
    // A generous start-up limit: CI machines with two cores may be busy.
    gateway = await startGatewayProcess({ env: { LEDGERGATE_POLICY: policyFile }, timeoutMs: 120_000 });
    agent = await gateway.token({ sub: 'agent-7', groups: ['ai-agents'] });
    auditor = await gateway.token({ sub: 'audrey', groups: ['auditors'] });
  });
  after(async () => {
    await gateway?.stop();
    gateway?.cleanup();
    rmSync(policyDir, { recursive: true, force: true });
  });

  /** Submits the query; returns its id and the decision as GET /v1/queries/{id} reports it. */
  async function submit(): Promise<{ status: number; id: string; decision: Decision }> {
    const answer = await call(`${gateway.url}/v1/queries`, { token: agent, body: { sql } });
    const id = (answer.body as { id: string }).id;
    assert.ok(id, answer.text);
    const view = await call(`${gateway.url}/v1/queries/${id}`, { token: agent });
    const decision = (view.body as { decision: Decision }).decision;
    assert.ok(decision, view.text);
    return { status: answer.status, id, decision };
  }

  async function policyEvents(): Promise<LoggedEvent[]> {
    const bundle = await call(`${gateway.url}/v1/evidence`, { token: auditor });
    assert.equal(bundle.status, 200, bundle.text.slice(0, 500));
    const events = (JSON.parse(bundle.text) as { events: LoggedEvent[] }).events;
    return events.filter((event) => event.type === 'PolicyActivated' || event.type === 'PolicyRejected');
  }

  it('decides by the policy it started with, naming its hash, the rule and the reasons', async () => {
    const { status, decision } = await submit();
    assert.equal(status, 200);
    assert.equal(decision.effect, 'allow');
    assert.equal(decision.rule, 'agents-read-sales-analytics');
    assert.equal(decision.policyHash, sha256(shippedText));
    assert.ok(decision.reasons.some((reason) => reason.includes('agents-read-sales-analytics')), decision.reasons.join('\n'));
    const [started] = await policyEvents();
    assert.equal(started?.type, 'PolicyActivated');
    assert.equal(started?.data.policyHash, sha256(shippedText));
    assert.equal(started?.data.activatedBy, 'gateway start-up');
  });

  it('denies the same query within a couple of seconds of the file being edited, and logs PolicyActivated', async () => {
    const frozen = withRuleBefore(shippedText, 'orders-frozen', '"*.sales.orders"');
    writeFileSync(policyFile, frozen);
    // "Within a couple of seconds": the first request sent two seconds after the edit must already
    // be decided by the new policy (measured from the send, not from the slower answer).
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const denied = await submit();
    assert.equal(denied.decision.rule, 'orders-frozen', denied.decision.reasons.join('\n'));
    assert.equal(denied.status, 403);
    assert.equal(denied.decision.effect, 'deny');
    assert.equal(denied.decision.policyHash, sha256(frozen));
    assert.ok(denied.decision.reasons.some((reason) => reason.includes('orders-frozen') && reason.includes('demo-project.sales.orders')));

    const activated = (await policyEvents()).filter((event) => event.type === 'PolicyActivated').at(-1);
    assert.ok(activated);
    assert.equal(activated.streamName, 'policy');
    assert.equal(activated.data.policyHash, sha256(frozen));
    assert.equal(activated.data.text, frozen);
    assert.equal(activated.data.source, policyFile);
    assert.equal(activated.data.activatedBy, 'policy file change');
    assert.equal(activated.data.previousPolicyHash, sha256(shippedText));
  });

  it('keeps the old policy when the new file is invalid, and logs PolicyRejected with line and column', async () => {
    const frozen = withRuleBefore(shippedText, 'orders-frozen', '"*.sales.orders"');
    const broken = frozen.replace('    effect: deny\n\n  - id: agents-read-sales-analytics', '    efect: deny\n\n  - id: agents-read-sales-analytics');
    assert.notEqual(broken, frozen);
    const brokenLine = broken.split('\n').findIndex((line) => line.includes('efect')) + 1;
    writeFileSync(policyFile, broken);
    const { value: rejected } = await until('PolicyRejected', 10_000, async () =>
      (await policyEvents()).find((event) => event.type === 'PolicyRejected'),
    );
    assert.equal(rejected.data.source, policyFile);
    assert.equal(rejected.data.keptPolicyHash, sha256(frozen));
    const errors = rejected.data.errors as string[];
    assert.ok(errors.length > 0);
    // `FILE:LINE:COLUMN: message`: the unknown key is on brokenLine; the rule is also missing `effect`.
    assert.ok(errors.every((error) => /^.+:\d+:\d+: /.test(error)), errors.join('\n'));
    assert.ok(errors.some((error) => error.startsWith(`${policyFile}:${brokenLine}:5: `)), errors.join('\n'));

    const still = await submit();
    assert.equal(still.status, 403);
    assert.equal(still.decision.rule, 'orders-frozen');
    assert.equal(still.decision.policyHash, sha256(frozen));
  });

  it('reloads on SIGHUP a change the file watcher cannot see', async () => {
    // The watched path becomes a symlink into another directory; edits there make no event here.
    const targetDir = mkdtempSync(join(tmpdir(), 'ledgergate-policy-target-'));
    try {
      const target = join(targetDir, 'real.yaml');
      const frozen = withRuleBefore(shippedText, 'orders-frozen', '"*.sales.orders"');
      writeFileSync(target, frozen);
      symlinkSync(target, join(policyDir, 'next.yaml'));
      renameSync(join(policyDir, 'next.yaml'), policyFile);
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // let the watcher settle on the swap

      const thawed = withRuleBefore(shippedText, 'hr-frozen', '"*.hr.*"');
      writeFileSync(target, thawed);
      gateway.child.kill('SIGHUP');
      const { value: byHangup } = await until('PolicyActivated by SIGHUP', 10_000, async () =>
        (await policyEvents()).find((event) => event.type === 'PolicyActivated' && event.data.policyHash === sha256(thawed)),
      );
      assert.equal(byHangup.data.activatedBy, 'SIGHUP');
      assert.equal(byHangup.data.text, thawed);
      const after = await submit();
      assert.equal(after.status, 200);
      assert.equal(after.decision.rule, 'agents-read-sales-analytics');
      assert.equal(after.decision.policyHash, sha256(thawed));
    } finally {
      rmSync(targetDir, { recursive: true, force: true });
    }
  });
});
