import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPolyglotAnalyser } from '../../../src/adapters/analysis/polyglot-analyser.js';
import { LruCache } from '../../../src/adapters/analysis/lru-cache.js';
import { createFakeCatalog } from './fake-catalog.js';

const context = { defaultProject: 'demo-project', defaultDataset: 'sales' };
const sql = 'SELECT c.email FROM customers c JOIN orders o USING (customer_id)';

describe('polyglot analyser: cache and failure handling', () => {
  it('answers a repeated request from the cache without asking the catalog again', async () => {
    const catalog = createFakeCatalog();
    const analyser = createPolyglotAnalyser({ catalog, warmUp: false });
    const first = await analyser.analyse(sql, context);
    const lookups = catalog.lookups();
    const second = await analyser.analyse(sql, context);
    assert.equal(second, first);
    assert.equal(catalog.lookups(), lookups);
  });

  it('analyses again when the catalog version or the context changes', async () => {
    const catalog = createFakeCatalog();
    const analyser = createPolyglotAnalyser({ catalog, warmUp: false });
    const first = await analyser.analyse(sql, context);
    catalog.setVersion('v2');
    assert.notEqual(await analyser.analyse(sql, context), first);
    const otherDataset = await analyser.analyse('SELECT email FROM customers', { defaultProject: 'demo-project', defaultDataset: 'hr' });
    assert.deepEqual(otherDataset.tables, ['demo-project.hr.customers']);
  });

  it('returns frozen results, so a caller cannot corrupt the cached copy', async () => {
    const analyser = createPolyglotAnalyser({ catalog: createFakeCatalog(), warmUp: false });
    const analysis = await analyser.analyse(sql, context);
    assert.ok(Object.isFrozen(analysis));
    assert.ok(Object.isFrozen(analysis.statements[0]?.outputColumns));
  });

  it('reads lineage as unknown while the catalog fails, and does not keep that answer', async () => {
    const catalog = createFakeCatalog();
    const analyser = createPolyglotAnalyser({ catalog, warmUp: false });
    catalog.setFailing(true);
    const during = await analyser.analyse(sql, context);
    assert.equal(during.statements[0]?.flags.lineageIncomplete, true);
    assert.equal(during.statements[0]?.kind, 'select');
    catalog.setFailing(false);
    const after = await analyser.analyse(sql, context);
    assert.equal(after.statements[0]?.flags.lineageIncomplete, false);
  });

  it('reads nesting deeper than the parser allows as unknown instead of crashing', async () => {
    const analyser = createPolyglotAnalyser({ catalog: createFakeCatalog(), warmUp: false });
    const deep = `SELECT ${'('.repeat(500)}1${')'.repeat(500)}`;
    const analysis = await analyser.analyse(deep, context);
    assert.equal(analysis.statements[0]?.kind, 'unknown');
    const nestedBegins = `${'BEGIN '.repeat(20)}SELECT 1;${' END;'.repeat(20)}`;
    const blocks = await analyser.analyse(nestedBegins, context);
    assert.equal(blocks.statements[0]?.kind, 'unknown');
  });
});

describe('LruCache', () => {
  it('drops the least recently used entry first', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    assert.equal(cache.get('a'), 1);
    cache.set('c', 3);
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('a'), 1);
    assert.equal(cache.get('c'), 3);
    assert.equal(cache.size, 2);
  });
});
