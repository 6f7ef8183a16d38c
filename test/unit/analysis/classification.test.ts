import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { riskiestKind, type StatementFlags } from '../../../src/domain/analysis/types.js';
import { createPolyglotAnalyser } from '../../../src/adapters/analysis/polyglot-analyser.js';
import { createFakeCatalog } from './fake-catalog.js';
import { classificationCases } from './classification-cases.js';

const analyser = createPolyglotAnalyser({ catalog: createFakeCatalog() });

describe('polyglot analyser: statement classification', () => {
  for (const [group, cases] of Object.entries(classificationCases)) {
    describe(group, () => {
      for (const testCase of cases) {
        it(JSON.stringify(testCase.sql), async () => {
          const dataset = testCase.dataset === null ? undefined : (testCase.dataset ?? 'sales');
          const analysis = await analyser.analyse(testCase.sql, { defaultProject: 'demo-project', defaultDataset: dataset });
          assert.equal(riskiestKind(analysis.kinds), testCase.kind, 'riskiest kind');
          for (const statement of analysis.statements) assert.equal(statement.kind, riskiestKind(statement.kinds));
          if (testCase.kinds) assert.deepEqual(analysis.kinds, testCase.kinds, 'kinds');
          if (testCase.tables) assert.deepEqual(analysis.tables, [...testCase.tables].sort(), 'tables');
          if (testCase.written) {
            const written = [...new Set(analysis.statements.flatMap((statement) => statement.writtenTables))].sort();
            assert.deepEqual(written, [...testCase.written].sort(), 'written tables');
          }
          if (testCase.statements !== undefined) assert.equal(analysis.statements.length, testCase.statements, 'statements');
          for (const [flag, expected] of Object.entries(testCase.flags ?? {})) {
            const actual = analysis.statements.some((statement) => statement.flags[flag as keyof StatementFlags]);
            assert.equal(actual, expected, `flag ${flag}`);
          }
        });
      }
    });
  }

  it('has at least 120 cases', () => {
    assert.ok(Object.values(classificationCases).flat().length >= 120);
  });
});
