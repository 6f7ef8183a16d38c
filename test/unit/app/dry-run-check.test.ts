/**
 * The dry-run cross-check: where BigQuery's own reading disagrees with the analysis, the stricter one
 * decides; its byte count feeds `bytesOver`. Analyses come from the real analyser, decisions from the
 * shipped policy.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crossCheckDryRun } from '../../../src/app/dry-run-check.js';
import type { Analysis } from '../../../src/domain/analysis/types.js';
import { evaluatePolicy } from '../../../src/domain/policy/evaluate.js';
import type { DryRunResult, TableRef } from '../../../src/domain/ports.js';
import { analyse, shippedPolicy } from '../policy-corpus/decide.js';

const agent = ['ai-agents'];
const orders: TableRef = { project: 'demo-project', dataset: 'sales', table: 'orders' };
const salaries: TableRef = { project: 'demo-project', dataset: 'hr', table: 'salaries' };
const MiB = 2 ** 20;
const GiB = 2 ** 30;

const dryRun = (overrides: Partial<DryRunResult> = {}): DryRunResult => ({
  statementType: 'SELECT',
  referencedTables: [orders],
  totalBytesProcessed: 3 * MiB,
  ...overrides,
});

const judge = (analysis: Analysis) => evaluatePolicy(shippedPolicy, { groups: agent, analysis });

describe('dry-run cross-check', () => {
  it('keeps the analysis when the dry run agrees, and takes its byte count', async () => {
    const analysis = await analyse('SELECT order_id, amount FROM sales.orders');
    const checked = crossCheckDryRun(analysis, dryRun());
    assert.equal(checked.bytesEstimate, 3 * MiB);
    assert.equal(checked.dryRunDisagreement, undefined);
    assert.deepEqual(checked.statements, analysis.statements);
    assert.deepEqual(checked.kinds, ['select']);
    const decision = judge(checked);
    assert.equal(decision.effect, 'allow');
    assert.equal(decision.rule, 'agents-read-sales-analytics');
  });

  it('compares table names the way the warehouse resolves them (case-insensitively)', async () => {
    const analysis = await analyse('SELECT order_id FROM `demo-project.sales.orders`');
    const checked = crossCheckDryRun(analysis, dryRun({ statementType: 'select', referencedTables: [{ project: 'Demo-Project', dataset: 'SALES', table: 'Orders' }] }));
    assert.equal(checked.dryRunDisagreement, undefined);
    assert.deepEqual(checked.tables, ['demo-project.sales.orders']);
  });

  it('reads the request as a DELETE when the dry run says so although the analysis found a select', async () => {
    const analysis = await analyse('SELECT order_id FROM sales.orders');
    assert.equal(judge({ ...analysis, bytesEstimate: MiB }).effect, 'allow');
    const checked = crossCheckDryRun(analysis, dryRun({ statementType: 'DELETE' }));
    assert.ok(checked.kinds.includes('delete'));
    assert.ok(checked.kinds.includes('select'), 'the analysis is kept beside the stricter reading');
    assert.match(checked.dryRunDisagreement ?? '', /DELETE/);
    const decision = judge(checked);
    assert.equal(decision.effect, 'approve');
    assert.equal(decision.rule, 'writes-need-approval');
    assert.ok(decision.reasons.some((reason) => reason.includes('dry run disagreed')));
  });

  it('denies when the dry run names a destructive statement type or one it cannot map', async () => {
    const analysis = await analyse('SELECT order_id FROM sales.orders');
    for (const statementType of ['DROP_TABLE', 'EXPORT_DATA', 'SCRIPT', 'SOMETHING_NEW']) {
      const decision = judge(crossCheckDryRun(analysis, dryRun({ statementType })));
      assert.equal(decision.effect, 'deny', statementType);
      assert.equal(decision.rule, 'no-destruction', statementType);
    }
  });

  it('adds referenced tables the analysis missed and marks the lineage incomplete', async () => {
    // A view in sales that reads hr: the analysis sees only the view, the dry run sees both.
    const analysis = await analyse('SELECT * FROM sales.orders_by_employee');
    assert.ok(!analysis.tables.includes('demo-project.hr.salaries'));
    const view: TableRef = { project: 'demo-project', dataset: 'sales', table: 'orders_by_employee' };
    const checked = crossCheckDryRun(analysis, dryRun({ referencedTables: [view, salaries] }));
    assert.ok(checked.tables.includes('demo-project.hr.salaries'));
    assert.ok(checked.tables.includes('demo-project.sales.orders_by_employee'));
    assert.match(checked.dryRunDisagreement ?? '', /hr\.salaries/);
    assert.ok(checked.statements.some((statement) => statement.flags.lineageIncomplete && statement.tables.includes('demo-project.hr.salaries')));
    const decision = judge(checked);
    assert.equal(decision.effect, 'deny');
    assert.equal(decision.rule, 'hr-restricted');
  });

  it('feeds the dry run bytes to bytesOver: a large scan needs approval (costly-scans)', async () => {
    const analysis = await analyse('SELECT order_id FROM sales.orders');
    const small = judge(crossCheckDryRun(analysis, dryRun({ totalBytesProcessed: 10 * GiB })));
    assert.equal(small.effect, 'allow');
    const large = judge(crossCheckDryRun(analysis, dryRun({ totalBytesProcessed: 200 * GiB })));
    assert.equal(large.effect, 'approve');
    assert.equal(large.rule, 'costly-scans');
    assert.ok(large.reasons.some((reason) => reason.includes('over 100')));
  });

  it('treats a byte count that is not a number as no estimate (fail closed)', async () => {
    const analysis = await analyse('SELECT order_id FROM sales.orders');
    for (const totalBytesProcessed of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      const checked = crossCheckDryRun(analysis, dryRun({ totalBytesProcessed }));
      assert.equal(checked.bytesEstimate, undefined, String(totalBytesProcessed));
      const decision = judge(checked);
      assert.equal(decision.effect, 'approve', String(totalBytesProcessed));
      assert.equal(decision.rule, 'costly-scans');
    }
  });
});
