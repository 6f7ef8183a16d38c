/**
 * Analysis off the event loop: the worker pool answers exactly what the in-process analyser answers
 * (catalog lookups included), refuses statements over a size cap before any parser runs, and turns a
 * stuck analysis into `analysis_limit` without holding up the callers after it.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { executedLineage } from '../../../src/adapters/analysis/executed-lineage.js';
import { createPolyglotAnalyser } from '../../../src/adapters/analysis/polyglot-analyser.js';
import { ensureTranspilerReady, googleSqlToDuckDb } from '../../../src/adapters/warehouse/googlesql-to-duckdb.js';
import { measureStatement, overCap } from '../../../src/adapters/analysis/pool/statement-size.js';
import { createCappedAnalyser } from '../../../src/adapters/analysis/pool/capped-analyser.js';
import { createWorkerPoolAnalyser, defaultAnalysisLimits } from '../../../src/adapters/analysis/pool/worker-pool-analyser.js';
import { LedgergateError } from '../../../src/domain/errors.js';
import type { Catalog, TableSchema } from '../../../src/domain/ports.js';
import { createFakeCatalog } from './fake-catalog.js';

const context = { defaultProject: 'demo-project' };
const isLimit = (reason: string) => (error: unknown) => error instanceof LedgergateError && error.code === 'analysis_limit' && error.details.reason === reason;
const columns = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`).join(', ');

describe('statement size', () => {
  it('counts list items, nesting and tokens; quoted text and comments count as one token or nothing', () => {
    assert.deepEqual(measureStatement('SELECT a, b, c FROM t'), { tokens: 8, longestList: 3, nesting: 0 });
    assert.deepEqual(measureStatement("SELECT f(g(1, 2), 'x, y, (z') -- a, b, (\n"), { tokens: 12, longestList: 2, nesting: 2 });
    assert.equal(measureStatement('SELECT `a,b`, """x,\n,y""" /* ,,, */ FROM t').longestList, 2);
    assert.equal(measureStatement('SELECT 1; SELECT 1, 2, 3').longestList, 3, 'each statement its own list');
  });

  it('a generated SELECT of n columns, with commas hidden in strings and comments, measures a list of n', () => {
    const noise = fc.constantFrom("'a,b'", '"(,)"', '`x,y`', '/* ,( */ 1', "'''a,\n,b'''", 'f(1, 2)', '[1, 2]');
    fc.assert(
      fc.property(fc.array(noise, { minLength: 1, maxLength: 60 }), (items) => {
        const size = measureStatement(`SELECT ${items.join(', ')} FROM t -- , , ,`);
        // The only real inner lists are f(1, 2) and [1, 2], of two items each.
        const inner = items.some((item) => item === 'f(1, 2)' || item === '[1, 2]') ? 2 : 1;
        assert.equal(size.longestList, Math.max(items.length, inner));
        assert.ok(size.nesting <= 1);
      }),
      { numRuns: 200 },
    );
  });

  it('names the first cap the text is over', () => {
    const caps = { maxTokens: 100, maxListItems: 10, maxNesting: 3 };
    assert.equal(overCap(measureStatement(`SELECT ${columns(11)}`), caps)?.measure, 'maxListItems');
    assert.equal(overCap(measureStatement('SELECT ((((1))))'), caps)?.measure, 'maxNesting');
    assert.equal(overCap(measureStatement('SELECT 1 + '.repeat(40)), caps)?.measure, 'maxTokens');
    assert.equal(overCap(measureStatement(`SELECT ${columns(10)}`), caps), undefined);
  });

  it('stopping at the first cap passed refuses exactly what the whole measure refuses, and says its figure is a lower bound', () => {
    const piece = fc.constantFrom('a', ', ', '(', ')', '[', ']', ' + ', "'x,('", '-- ,\n', ';', 'f(1, 2)', '`(`');
    const caps = fc.record({ maxTokens: fc.integer({ min: 1, max: 60 }), maxListItems: fc.integer({ min: 1, max: 12 }), maxNesting: fc.integer({ min: 0, max: 5 }) });
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 120 }), caps, (pieces, limits) => {
        const sql = `SELECT ${pieces.join('')}`;
        const whole = measureStatement(sql);
        const stopped = measureStatement(sql, limits);
        assert.equal(overCap(stopped, limits) !== undefined, overCap(whole, limits) !== undefined);
        if (stopped.stoppedEarly) {
          assert.ok(stopped.tokens <= whole.tokens && stopped.longestList <= whole.longestList && stopped.nesting <= whole.nesting);
          assert.match(overCap(stopped, limits)?.message ?? '', /at least/);
        } else {
          assert.deepEqual(stopped, whole);
        }
      }),
      { numRuns: 500 },
    );
    const wide = `SELECT ${columns(6000)} FROM t`;
    const early = measureStatement(wide, { maxTokens: 50_000, maxListItems: 2_000, maxNesting: 64 });
    assert.equal(early.stoppedEarly, true);
    assert.ok(early.longestList > 2_000 && early.longestList < 6_000, 'stops soon after the cap, not at the end of the text');
  });
});

describe('worker pool analyser', () => {
  const catalog = createFakeCatalog();
  const pool = createWorkerPoolAnalyser({ catalog, workers: 1 });
  after(() => pool.close());

  it('answers what the in-process analyser answers, with catalog lookups made on the event loop', async () => {
    const local = createPolyglotAnalyser({ catalog: createFakeCatalog() });
    for (const sql of [
      'SELECT email, amount FROM sales.customers c JOIN sales.orders o USING (customer_id)',
      'DELETE FROM sales.orders WHERE amount > 10',
      'SELECT * FROM hr.salaries',
      'not sql at all',
    ]) {
      assert.deepEqual(await pool.analyse(sql, context), await local.analyse(sql, context), sql);
    }
    assert.ok(catalog.lookups() > 0);
  });

  it('transpiles GoogleSQL to DuckDB and reads executed lineage exactly as in process; a refusal keeps its code and details', async () => {
    await ensureTranspilerReady();
    const statements = [
      'SELECT email, amount FROM sales.customers c JOIN sales.orders o USING (customer_id) WHERE SAFE_CAST(amount AS STRING) IS NOT NULL',
      'SELECT c.city, COUNT(*) AS n FROM `demo-project.sales.customers` c GROUP BY c.city ORDER BY n DESC',
      'SELECT 1; SELECT 2',
    ];
    const customers: TableSchema = {
      table: { project: 'demo-project', dataset: 'sales', table: 'customers' },
      columns: ['customer_id', 'email', 'city'].map((name) => ({ name, type: 'STRING' })),
    };
    for (const sql of statements) {
      const expected = googleSqlToDuckDb(sql, 'demo-project');
      assert.deepEqual(await pool.transpileToDuckDb(sql, 'demo-project'), expected, sql);
      const executed = { dialect: 'duckdb' as const, sql: expected.statements[0] as string };
      assert.deepEqual(await pool.executedLineage(executed, [customers]), executedLineage(executed, [customers]), sql);
    }
    for (const refused of ['SELECT * FROM _ledgergate.jobs', 'SELEC nonsense FROM', 'SELECT * FROM read_csv(\'/etc/passwd\')']) {
      let local: unknown;
      try {
        googleSqlToDuckDb(refused, 'demo-project');
      } catch (error) {
        local = error;
      }
      assert.ok(local instanceof LedgergateError, refused);
      await assert.rejects(pool.transpileToDuckDb(refused, 'demo-project'), (error: unknown) => {
        assert.ok(error instanceof LedgergateError);
        assert.deepEqual([error.code, error.message, error.details], [local.code, local.message, local.details]);
        return true;
      });
    }
  });

  it('refuses a 6,000-column statement before any parser runs: even a pool whose worker is still loading answers at once', async () => {
    const fresh = createWorkerPoolAnalyser({ catalog: createFakeCatalog(), workers: 1 });
    try {
      const started = performance.now();
      await assert.rejects(fresh.analyse(`SELECT ${columns(6000)} FROM sales.orders`, context), isLimit('maxListItems'));
      assert.ok(performance.now() - started < 1_000, 'no worker was waited for');
      assert.ok(defaultAnalysisLimits.maxListItems < 6000);
    } finally {
      await fresh.close();
    }
  });

  it('past the deadline: analysis_limit for that caller; the worker is replaced and the next caller is answered', async () => {
    let hang = true;
    const base = createFakeCatalog();
    const slowCatalog: Catalog = { ...base, getTable: (ref) => (hang ? new Promise(() => undefined) : base.getTable(ref)), version: () => 'v' };
    // Long enough for a cold worker's first real analysis on a loaded test machine, short enough for a test.
    const slow = createWorkerPoolAnalyser({ catalog: slowCatalog, workers: 1, limits: { ...defaultAnalysisLimits, timeoutMs: 5_000 } });
    try {
      await assert.rejects(slow.analyse('SELECT email FROM sales.customers', context), isLimit('timeout'));
      hang = false;
      const analysis = await slow.analyse('SELECT amount FROM sales.orders', context);
      assert.deepEqual(analysis.kinds, ['select']);
      assert.deepEqual(analysis.tables, ['demo-project.sales.orders']);
    } finally {
      await slow.close();
    }
  });

  it('while one caller\'s analysis is stuck, the event loop stays free', async () => {
    const base = createFakeCatalog();
    const stuck = createWorkerPoolAnalyser({ catalog: { ...base, getTable: () => new Promise(() => undefined), version: () => 'v' }, workers: 1, limits: { ...defaultAnalysisLimits, timeoutMs: 2_000 } });
    try {
      const pending = stuck.analyse('SELECT email FROM sales.customers', context);
      const started = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 10));
      assert.ok(performance.now() - started < 100, 'a timer fires on time');
      await assert.rejects(pending, isLimit('timeout'));
    } finally {
      await stuck.close();
    }
  });
});

describe('capped analyser (no workers)', () => {
  it('applies the same caps before the parser', async () => {
    const capped = createCappedAnalyser(createPolyglotAnalyser({ catalog: createFakeCatalog() }), defaultAnalysisLimits);
    await assert.rejects(capped.analyse(`SELECT ${columns(6000)}`, context), isLimit('maxListItems'));
    assert.deepEqual((await capped.analyse('SELECT amount FROM sales.orders', context)).kinds, ['select']);
  });
});
