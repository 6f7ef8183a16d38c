import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileGlobs, globProblem } from '../../../src/domain/policy/glob.js';

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
