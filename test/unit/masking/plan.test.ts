import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planMasking, type MaskPlanInput } from '../../../src/domain/masking/plan.js';
import { matchesTableGlob } from '../../../src/domain/masking/table-glob.js';
import type { Analysis } from '../../../src/domain/analysis/types.js';
import type { MaskColumnRule } from '../../../src/domain/policy/types.js';
import type { ColumnSchema } from '../../../src/domain/ports.js';
import { analysisOf, col, columnRules, customers, orders, out, products, selectStatement, src, tableColumns } from './support.js';

const plan = (analysis: Analysis, resultColumns: readonly ColumnSchema[], overrides: Partial<MaskPlanInput> = {}) =>
  planMasking({ analysis, resultColumns, columnRules, tableColumns, ...overrides });

const brief = (p: ReturnType<typeof planMasking>) => p.map(({ column, rule, sources, reason }) => ({ column, rule, sources, reason }));

describe('planning masks along lineage', () => {
  it('masks an aliased protected column and leaves clear columns untouched', () => {
    const analysis = analysisOf(
      selectStatement([out('id', [src(customers, 'id')]), out('x', [src(customers, 'ssn')]), out('name', [src(customers, 'name')])], [customers]),
    );
    assert.deepEqual(brief(plan(analysis, [col('id', 'INT64'), col('x'), col('name')])), [
      { column: 'id', rule: undefined, sources: [], reason: 'lineage' },
      { column: 'x', rule: 'redact', sources: [`${customers}.ssn`], reason: 'lineage' },
      { column: 'name', rule: undefined, sources: [], reason: 'lineage' },
    ]);
  });

  it('keeps a format-preserving rule only on the value itself; a value computed from it gets redact, hash stays hash', () => {
    for (const [column, rule] of [['email', 'email'], ['card_number', 'last4'], ['birth_date', 'year']] as const) {
      const itself = analysisOf(selectStatement([out('v', [src(customers, column)], 'exact')], [customers]));
      assert.equal(plan(itself, [col('v')])[0].rule, rule);
      const computed = analysisOf(selectStatement([out('v', [src(customers, column)], 'derived')], [customers]));
      assert.equal(plan(computed, [col('v')])[0].rule, 'redact', column);
    }
    const hashed = analysisOf(selectStatement([out('v', [src(customers, 'phone')], 'derived')], [customers]));
    assert.equal(plan(hashed, [col('v')])[0].rule, 'hash');
  });

  it('masks CONCAT of a clear and a protected column whole, with the strictest rule', () => {
    const analysis = analysisOf(
      selectStatement(
        [
          out('label', [src(customers, 'name'), src(customers, 'ssn')], 'derived'),
          out('contact', [src(customers, 'email'), src(customers, 'card_number')], 'derived'),
        ],
        [customers],
      ),
    );
    assert.deepEqual(brief(plan(analysis, [col('label'), col('contact')])), [
      { column: 'label', rule: 'redact', sources: [`${customers}.ssn`], reason: 'lineage' },
      { column: 'contact', rule: 'redact', sources: [`${customers}.card_number`, `${customers}.email`], reason: 'lineage' },
    ]);
  });

  it('picks the strictest of several rules on one column', () => {
    const rules: MaskColumnRule[] = [...columnRules, { table: '*.sales.*', column: 'email', rule: 'hash' }];
    const analysis = analysisOf(selectStatement([out('email', [src(customers, 'email')])], [customers]));
    assert.equal(plan(analysis, [col('email')], { columnRules: rules })[0].rule, 'hash');
  });

  it('matches column names case-insensitively and tables by glob only', () => {
    const analysis = analysisOf(
      selectStatement([out('a', [src(customers, 'SSN')]), out('b', [src(products, 'ssn')])], [customers, products]),
    );
    assert.deepEqual(plan(analysis, [col('a'), col('b')]).map((c) => c.rule), ['redact', undefined]);
  });

  it('covers fields of a protected STRUCT column', () => {
    const rules: MaskColumnRule[] = [{ table: '*.sales.customers', column: 'contact', rule: 'hash' }];
    const analysis = analysisOf(selectStatement([out('c', [src(customers, 'contact.phone')])], [customers]));
    assert.equal(plan(analysis, [col('c')], { columnRules: rules })[0].rule, 'hash');
  });

  it('records types, ARRAY<…> for repeated columns', () => {
    const analysis = analysisOf(selectStatement([out('d', [src(customers, 'birth_date')]), out('tags', [])], [customers]));
    const planned = plan(analysis, [col('d', 'DATE'), col('tags', 'STRING', { mode: 'REPEATED' })]);
    assert.deepEqual(planned.map((c) => c.originalType), ['DATE', 'ARRAY<STRING>']);
  });
});

describe('planning fails closed', () => {
  const allProtected = ['birth_date', 'card_number', 'email', 'phone', 'ssn'].map((c) => `${customers}.${c}`);

  it('masks an unknown-lineage column with the strictest rule of the referenced tables', () => {
    const analysis = analysisOf(selectStatement([out('j', [], 'unknown'), out('amount', [src(orders, 'amount')])], [customers, orders]));
    assert.deepEqual(brief(plan(analysis, [col('j'), col('amount', 'NUMERIC')])), [
      { column: 'j', rule: 'redact', sources: allProtected, reason: 'unknown-lineage' },
      { column: 'amount', rule: undefined, sources: [], reason: 'lineage' },
    ]);
  });

  it('treats every column as unknown when the statement has incomplete lineage (TO_JSON_STRING(c))', () => {
    const analysis = analysisOf(selectStatement([out('id', [src(customers, 'id')])], [customers], { lineageIncomplete: true }));
    assert.deepEqual(brief(plan(analysis, [col('id', 'INT64')])), [
      { column: 'id', rule: 'redact', sources: allProtected, reason: 'unknown-lineage' },
    ]);
  });

  it('distrusts lineage in scripts and when the dry run disagreed with the analysis', () => {
    const statement = selectStatement([out('id', [src(customers, 'id')])], [customers]);
    const disagreed = { ...analysisOf(statement), dryRunDisagreement: 'dry run referenced another table' };
    const script = analysisOf(selectStatement([out('id', [src(customers, 'id')])], [customers], { scripting: true }));
    for (const analysis of [disagreed, script]) {
      assert.deepEqual(plan(analysis, [col('id', 'INT64')]).map((c) => [c.rule, c.reason]), [['redact', 'unknown-lineage']]);
    }
    assert.deepEqual(plan(analysisOf(statement), [col('id', 'INT64')]).map((c) => [c.rule, c.reason]), [[undefined, 'lineage']]);
  });

  it('presumes nothing protected when the referenced tables hold no protected column', () => {
    const analysis = analysisOf(selectStatement([out('j', [], 'unknown')], [orders, products]));
    assert.deepEqual(brief(plan(analysis, [col('j')])), [{ column: 'j', rule: undefined, sources: [], reason: 'unknown-lineage' }]);
  });

  it('presumes only the protected columns the table actually has', () => {
    const other = 'other-project.sales.customers';
    const analysis = analysisOf(selectStatement([out('j', [], 'unknown')], [other]));
    const planned = plan(analysis, [col('j')], { tableColumns: (t) => (t === other ? ['id', 'EMAIL', 'phone'] : undefined) });
    assert.deepEqual(brief(planned), [
      { column: 'j', rule: 'redact', sources: [`${other}.email`, `${other}.phone`], reason: 'unknown-lineage' },
    ]);
  });

  it('applies every matching rule when a table’s columns are unknown', () => {
    const analysis = analysisOf(selectStatement([out('j', [], 'unknown')], [customers]));
    const planned = plan(analysis, [col('j')], { tableColumns: () => undefined });
    assert.equal(planned[0].rule, 'redact');
    assert.deepEqual(planned[0].sources, allProtected);
  });

  it('pairs result columns with the analysis by position, and only when count and every name agree', () => {
    const analysis = analysisOf(selectStatement([out('ssn', [src(customers, 'ssn')]), out('city', [src(customers, 'city')])], [customers]));
    assert.deepEqual(plan(analysis, [col('SSN'), col('city')]).map((c) => [c.rule, c.reason]), [['redact', 'lineage'], [undefined, 'lineage']]);
    const unpaired = (columns: string[]) => plan(analysis, columns.map((name) => col(name))).map((c) => [c.rule, c.reason]);
    // Swapped, renamed by the engine, an extra column, a missing one: every column gets the strictest rule.
    for (const columns of [['city', 'ssn'], ['ssn', 'city:1'], ['ssn', 'city', 'more'], ['ssn'], ['f0_', 'f1_']]) {
      assert.deepEqual(unpaired(columns), columns.map(() => ['redact', 'unpaired-columns']), columns.join());
    }
  });

  it('fails closed on a repeated output name, on either side (SELECT city, ssn AS city)', () => {
    const analysis = analysisOf(selectStatement([out('city', [src(customers, 'city')]), out('city', [src(customers, 'ssn')])], [customers]));
    assert.deepEqual(plan(analysis, [col('city'), col('city')]).map((c) => [c.rule, c.reason]), [['redact', 'unpaired-columns'], ['redact', 'unpaired-columns']]);
    const once = analysisOf(selectStatement([out('city', [src(customers, 'city')]), out('x', [src(customers, 'city')])], [customers]));
    assert.deepEqual(plan(once, [col('city'), col('city')]).map((c) => c.reason), ['unpaired-columns', 'unpaired-columns']);
  });

  it('adds the lineage of the SQL that ran, and fails closed when it does not pair or could not be read', () => {
    const analysis = analysisOf(selectStatement([out('a', [src(customers, 'city')]), out('b', [src(customers, 'country')])], [customers]));
    const columns = [col('a'), col('b')];
    // The transpiled SQL reads ssn where the analysis saw city (a column list honoured on one side only).
    const ran = [out('a', [src(customers, 'ssn')], 'derived'), out('b', [src(customers, 'country')], 'derived')];
    assert.deepEqual(plan(analysis, columns, { executedOutputs: ran }).map((c) => [c.rule, c.reason]), [['redact', 'lineage'], [undefined, 'lineage']]);
    assert.deepEqual(plan(analysis, columns, { executedOutputs: [ran[1] as never, ran[0] as never] }).map((c) => c.reason), ['unpaired-columns', 'unpaired-columns']);
    assert.deepEqual(plan(analysis, columns, { executedOutputs: [ran[0] as never] }).map((c) => [c.rule, c.reason]), [['redact', 'unpaired-columns'], ['redact', 'unpaired-columns']]);
    assert.deepEqual(plan(analysis, columns, { executedOutputs: null }).map((c) => [c.rule, c.reason]), [['redact', 'unpaired-columns'], ['redact', 'unpaired-columns']]);
    assert.deepEqual(plan(analysis, columns).map((c) => c.rule), [undefined, undefined], 'no executed SQL: the analysis alone');
    const unfollowed = [out('a', [], 'unknown'), out('b', [src(customers, 'country')], 'derived')];
    assert.deepEqual(plan(analysis, columns, { executedOutputs: unfollowed }).map((c) => [c.rule, c.reason]), [['redact', 'unknown-lineage'], [undefined, 'lineage']]);
  });

  it('fails closed on any disagreement between analysed names and result names (generated)', () => {
    const names = ['city', 'country', 'id', 'ssn', 'email'];
    fc.assert(
      fc.property(fc.shuffledSubarray(names, { minLength: 1 }), fc.shuffledSubarray(names, { minLength: 1 }), (analysedNames, resultNames) => {
        const analysis = analysisOf(selectStatement(analysedNames.map((n) => out(n, [src(customers, n)])), [customers]));
        const planned = plan(analysis, resultNames.map((n) => col(n)));
        const agree = analysedNames.join() === resultNames.join();
        return planned.every((c) => (agree ? c.reason === 'lineage' : c.reason === 'unpaired-columns' && c.rule === 'redact'));
      }),
      { seed: 18, numRuns: 300 },
    );
  });

  it('pairs an unnamed expression with BigQuery\'s made-up name (_col_0 ↔ f0_)', () => {
    const analysis = analysisOf(selectStatement([out('_col_0', [src(customers, 'city')], 'derived')], [customers]));
    assert.deepEqual(plan(analysis, [col('f0_')]).map((c) => [c.rule, c.reason]), [[undefined, 'lineage']]);
  });

  it('applies every rule when the SQL could not be parsed or is dynamic', () => {
    for (const flags of [{ unparsed: true }, { dynamicSql: true }]) {
      const analysis = analysisOf(selectStatement([], [], flags));
      const planned = plan(analysis, [col('a')]);
      assert.equal(planned[0].rule, 'redact');
      assert.equal(planned[0].reason, 'unknown-lineage');
    }
    assert.equal(plan({ statements: [], tables: [], kinds: [] }, [col('a')])[0].rule, 'redact');
  });

  it('plans field rules for nested values from the referenced tables', () => {
    const analysis = analysisOf(selectStatement([out('c', [src(customers, 'contact')])], [customers]));
    const planned = plan(analysis, [col('c', 'STRUCT')]);
    assert.equal(planned[0].rule, undefined);
    assert.deepEqual(planned[0].fieldRules.ssn, { rule: 'redact', sources: [`${customers}.ssn`] });
    assert.equal(planned[0].fieldRules.email.rule, 'email');
    const unrelated = plan(analysisOf(selectStatement([out('c', [src(orders, 'id')])], [orders])), [col('c', 'STRUCT')]);
    assert.deepEqual(unrelated[0].fieldRules, {});
  });

  it('uses an injected table matcher', () => {
    const analysis = analysisOf(selectStatement([out('x', [src('p.d.t', 'ssn')])], ['p.d.t']));
    const planned = plan(analysis, [col('x')], { matchesTable: (glob, table) => glob === '*.sales.customers' && table === 'p.d.t' });
    assert.equal(planned[0].rule, 'redact');
  });
});

describe('table globs', () => {
  it('matches segment-wise, ignoring case and backticks', () => {
    assert.equal(matchesTableGlob('*.sales.customers', 'demo-project.sales.customers'), true);
    assert.equal(matchesTableGlob('*.sales.customers', '`Demo-Project.SALES.Customers`'), true);
    assert.equal(matchesTableGlob('*.sales.*', 'p.sales.orders'), true);
    assert.equal(matchesTableGlob('*.sales.cust*', 'p.sales.customers_v2'), true);
    assert.equal(matchesTableGlob('*.sales.customers', 'p.sales.customers_v2'), false);
    assert.equal(matchesTableGlob('*.sales.customers', 'p.marketing.customers'), false);
    assert.equal(matchesTableGlob('p?.sales.*', 'p1.sales.x'), true);
    assert.equal(matchesTableGlob('**', 'p.sales.x'), true);
    assert.equal(matchesTableGlob('p.**', 'p.sales.x'), true);
    assert.equal(matchesTableGlob('q.**', 'p.sales.x'), false);
  });
  it('anchors shorter globs at the end', () => {
    assert.equal(matchesTableGlob('sales.customers', 'demo-project.sales.customers'), true);
    assert.equal(matchesTableGlob('customers', 'demo-project.sales.customers'), true);
    assert.equal(matchesTableGlob('sales.customers', 'demo-project.hr.customers'), false);
  });
});
