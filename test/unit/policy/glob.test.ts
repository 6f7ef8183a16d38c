import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileGlobs, globProblem } from '../../../src/domain/policy/glob.js';
import fc from 'fast-check';

describe('table globs', () => {
  it('matches *.sales.* against any project and table of the sales dataset, case-insensitively', () => {
    const inSales = compileGlobs(['*.sales.*']);
    assert.equal(inSales('demo-project.sales.customers'), true);
    assert.equal(inSales('Other-Project.SALES.Orders'), true);
    assert.equal(inSales('demo-project.hr.salaries'), false);
    assert.equal(inSales('demo-project.sales_eu.customers'), false);
  });

  it('keeps * within one segment and lets ** cross dots', () => {
    assert.equal(compileGlobs(['demo-project.*.customers'])('demo-project.sales.customers'), true);
    assert.equal(compileGlobs(['demo-project.*'])('demo-project.sales.customers'), false);
    assert.equal(compileGlobs(['demo-project.**'])('demo-project.sales.customers'), true);
    assert.equal(compileGlobs(['**'])('a.b.c'), true);
    assert.equal(compileGlobs(['*.sales.cust*'])('p.sales.customers'), true);
    assert.equal(compileGlobs(['*.sales.cust*'])('p.sales.orders'), false);
  });

  it('treats regex characters literally', () => {
    assert.equal(compileGlobs(['p-1.sales.t'])('p-1.sales.t'), true);
    assert.equal(compileGlobs(['p.sales.t'])('pXsales.t'), false);
  });

  it('matches when any glob of the list does', () => {
    const matcher = compileGlobs(['*.sales.*', '*.analytics.*']);
    assert.equal(matcher('p.analytics.page_views'), true);
    assert.equal(matcher('p.hr.salaries'), false);
  });

  it('rejects globs that could never match a fully qualified table', () => {
    assert.match(globProblem('sales.*') ?? '', /three segments/);
    assert.match(globProblem('a..b') ?? '', /empty segment/);
    assert.match(globProblem('***.a.b') ?? '', /\*\*\*/);
    assert.match(globProblem('p.sales.t?x') ?? '', /characters/);
    assert.match(globProblem('') ?? '', /empty/);
    assert.equal(globProblem('*.sales.*'), undefined);
    assert.equal(globProblem('demo-project.**'), undefined);
  });
});

describe('table globs: project ids with a domain', () => {
  it('keeps a domain-scoped project as one segment, so `*` covers it', () => {
    const inside = compileGlobs(['*.hr.*']);
    assert.equal(inside('example.com:analytics.hr.salaries'), true);
    assert.equal(inside('example.com:analytics.sales.orders'), false);
  });

  it('accepts a glob naming the domain, and matches only that domain', () => {
    assert.equal(globProblem('example.com:*.hr.*'), undefined);
    const inside = compileGlobs(['example.com:*.hr.*']);
    assert.equal(inside('example.com:analytics.hr.salaries'), true);
    assert.equal(inside('other.org:analytics.hr.salaries'), false);
    assert.equal(inside('analytics.hr.salaries'), false);
  });

  it('matches every generated domain project under `*` and never across dataset or table', () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 3 }), label, label, label, (domain, project, dataset, table) => {
        const name = `${domain.join('.')}.com:${project}.${dataset}.${table}`;
        assert.equal(compileGlobs([`*.${dataset}.*`])(name), true);
        assert.equal(compileGlobs([`*.${dataset}x.*`])(name), false);
        assert.equal(compileGlobs([`*.*.${table}`])(name), true);
      }),
      { numRuns: 300 },
    );
  });
});
