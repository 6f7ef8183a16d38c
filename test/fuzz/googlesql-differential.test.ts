/**
 * Differential test against the reference reading of GoogleSQL (ZetaSQL, test/support/zetasql-oracle.ts).
 * For generated requests full of hostile literals, names, comments and separators (googlesql-grammar.ts):
 * - our lexer finds exactly the reference's statements, always;
 * - the analyser reports the same number of statements, the generated kinds and the reference's table
 *   names, or, where the parser library reads the text differently, says `unknown` with the reason
 *   (never a confident different reading).
 * At least 5,000 generated statements per run. Also: the committed built-in function list is ZetaSQL's.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { zetaSqlBuiltinFunctions } from '../../src/adapters/analysis/builtin-functions.js';
import { lexGoogleSql } from '../../src/adapters/analysis/googlesql-lexer/lexer.js';
import { statementStructure } from '../../src/adapters/analysis/googlesql-lexer/statements.js';
import { createPolyglotAnalyser } from '../../src/adapters/analysis/polyglot-analyser.js';
import { qualifyTableName } from '../../src/adapters/analysis/table-names.js';
import { startZetaSqlOracle, type ZetaSqlOracle } from '../support/zetasql-oracle.js';
import { createFakeCatalog } from '../unit/analysis/fake-catalog.js';
import { request } from './googlesql-grammar.js';

const context = { defaultProject: 'dp', defaultDataset: 'dd' } as const;
const minimumStatements = 5000;

describe('GoogleSQL readings agree with ZetaSQL (differential fuzz)', () => {
  let oracle: ZetaSqlOracle;
  before(async () => {
    oracle = await startZetaSqlOracle();
  });
  after(() => oracle?.close());

  it('lists the same built-in functions as ZetaSQL', async () => {
    assert.deepEqual([...zetaSqlBuiltinFunctions], await oracle.builtinFunctionNames(), 'regenerate with scripts/generate-builtin-functions.ts');
  });

  it(`splits, classifies and names tables as the reference does (≥ ${minimumStatements} statements)`, async () => {
    const analyser = createPolyglotAnalyser({ catalog: createFakeCatalog(), cacheSize: 10 });
    const tally = { statements: 0, compared: 0, unknownWithReason: 0, referenceRejected: 0 };
    const samples = fc.sample(request, { numRuns: 2700, seed: 1313 });
    for (const generated of samples) {
      const reference = await oracle.split(generated.sql);
      if (!reference.ok) {
        tally.referenceRejected += 1;
        continue;
      }
      tally.statements += reference.statements.length;
      const lexed = lexGoogleSql(generated.sql);
      assert.ok(lexed.ok, `the lexer rejects what ZetaSQL parses: ${JSON.stringify(generated.sql)}`);
      const structure = statementStructure(generated.sql, lexed.tokens);
      assert.equal(structure.topLevelCount, reference.statements.length, `statement count of ${JSON.stringify(generated.sql)}`);
      assert.equal(reference.statements.length, generated.kinds.length, `the grammar's own count of ${JSON.stringify(generated.sql)}`);

      const analysis = await analyser.analyse(generated.sql, context);
      if (analysis.kinds.includes('unknown')) {
        assert.ok((analysis.readingProblems ?? []).length > 0, `unknown without a reason: ${JSON.stringify(generated.sql)}`);
        tally.unknownWithReason += 1;
        continue;
      }
      tally.compared += 1;
      assert.equal(analysis.statements.length, reference.statements.length, `analysed statements of ${JSON.stringify(generated.sql)}`);
      analysis.statements.forEach((statement, index) => {
        assert.equal(statement.kind, generated.kinds[index], `kind of statement ${index + 1} of ${JSON.stringify(generated.sql)}`);
        if (statement.kind !== 'select') return;
        const expected = [...new Set((reference.statements[index]?.tables ?? []).map((segments) => qualifyTableName(segments.join('.').split('.'), context).name))].sort();
        assert.deepEqual([...statement.tables], expected, `tables of statement ${index + 1} of ${JSON.stringify(generated.sql)}`);
      });
    }
    console.log(`differential: ${JSON.stringify(tally)}`);
    assert.ok(tally.statements >= minimumStatements, `only ${tally.statements} statements were compared`);
    // The grammar is valid GoogleSQL by construction; the reference rejecting much of it means the grammar drifted.
    assert.ok(tally.referenceRejected < samples.length / 20, `ZetaSQL rejected ${tally.referenceRejected} requests`);
    // The parser library's tokenizer differs from GoogleSQL on many hostile literals (those requests are
    // unknown, with the reason); enough must still be compared in full for the test to prove something.
    assert.ok(tally.compared > samples.length / 5, `only ${tally.compared} requests were compared in full`);
  });
});
