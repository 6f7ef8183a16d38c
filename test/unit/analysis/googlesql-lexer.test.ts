/**
 * The GoogleSQL lexer against the lexical-structure reference's own rules (each checked against ZetaSQL
 * in test/fuzz/googlesql-differential.test.ts): literal extents, escapes in names, comments, statements.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lexGoogleSql } from '../../../src/adapters/analysis/googlesql-lexer/lexer.js';
import { statementStructure } from '../../../src/adapters/analysis/googlesql-lexer/statements.js';
import type { GoogleSqlToken } from '../../../src/adapters/analysis/googlesql-lexer/tokens.js';

function tokens(sql: string): GoogleSqlToken[] {
  const result = lexGoogleSql(sql);
  assert.ok(result.ok, `does not lex: ${sql}`);
  return [...result.tokens];
}

const texts = (sql: string): string[] => tokens(sql).map((token) => sql.slice(token.start, token.end));

describe('GoogleSQL lexer: literals', () => {
  it("pairs a backslash with the next character in raw strings: r'\\\\' ends at its second quote", () => {
    assert.deepEqual(texts("SELECT r'\\\\'; DROP TABLE t"), ['SELECT', "r'\\\\'", ';', 'DROP', 'TABLE', 't']);
  });

  it("reads r'\\'' as the two characters \\'", () => {
    const [, literal] = tokens("SELECT r'\\''");
    assert.equal(literal?.kind, 'string');
    assert.equal(literal?.value, "\\'");
  });

  it('ends triple-quoted strings at the first unpaired triple quote and lets them span lines', () => {
    assert.deepEqual(texts("SELECT '''a ' '' ; \n b''' x"), ['SELECT', "'''a ' '' ; \n b'''", 'x']);
    assert.deepEqual(texts('SELECT """a\\""" b"""'), ['SELECT', '"""a\\""" b"""']);
  });

  it('refuses line breaks in single-quoted strings and unclosed literals', () => {
    for (const sql of ["SELECT 'a\nb'", "SELECT 'abc", 'SELECT `a', "SELECT r'\\'", "SELECT '''a''"]) assert.equal(lexGoogleSql(sql).ok, false, sql);
  });

  it('reads every prefix: r, b, rb, br in any case', () => {
    for (const prefix of ['r', 'R', 'b', 'B', 'rb', 'RB', 'bR', 'Br']) {
      const [, literal] = tokens(`SELECT ${prefix}'x'`);
      assert.equal(literal?.kind, prefix.toLowerCase().includes('b') ? 'bytes' : 'string', prefix);
    }
  });

  it('gives one token for every generated raw literal, whatever backslashes and quotes it holds', () => {
    const body = fc.array(fc.constantFrom('a', ';', '--', '#', '/*', '\\\\', "\\'", '\\"', '"', '`', '\\d'), { maxLength: 8 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(body, (text) => {
        const literal = `r'${text}'`;
        const lexed = tokens(`SELECT ${literal} AS x`);
        assert.equal(lexed.length, 4);
        assert.equal(lexed[1]?.value, text);
      }),
      { numRuns: 500 },
    );
  });
});

describe('GoogleSQL lexer: names', () => {
  it('decodes every escape in backtick names before a name reaches policy', () => {
    for (const spelling of ['hr', '\\u0068r', '\\U00000068\\U00000072', '\\150\\162', '\\x68\\x72', '\\X68r']) {
      const [name] = tokens(`\`${spelling}\``);
      assert.equal(name?.kind, 'quoted_identifier');
      assert.equal(name?.value, 'hr', spelling);
    }
  });

  it('refuses illegal escapes, empty names and non-ASCII outside quotes', () => {
    for (const sql of ['`\\q`', '`\\u12`', '`\\400`', '``', 'SELECT * FROM һr.t', 'SELECT\u00a01']) assert.equal(lexGoogleSql(sql).ok, false, sql);
  });
});

describe('GoogleSQL lexer: comments and statements', () => {
  it('does not nest block comments: the first */ ends one', () => {
    assert.deepEqual(
      tokens('SELECT 1 /* /* */ ; DROP TABLE t; -- */').filter((token) => token.kind !== 'comment').length,
      ['SELECT', '1', ';', 'DROP', 'TABLE', 't', ';'].length,
    );
  });

  it('ends # and -- comments at the line end', () => {
    assert.deepEqual(texts('SELECT 1 # ; x\n; SELECT 2 -- ;'), ['SELECT', '1', '# ; x', ';', 'SELECT', '2', '-- ;']);
  });

  it('counts a BEGIN…END script with IF, LOOP, WHILE, REPEAT, FOR and CASE bodies as one top-level statement', () => {
    const script = `BEGIN
      DECLARE x INT64 DEFAULT 0;
      IF x > 0 THEN SELECT CASE WHEN x = 1 THEN 'a' ELSE 'b' END; ELSEIF x < 0 THEN SELECT 2; ELSE SELECT 3; END IF;
      LOOP SET x = x + 1; IF x > 3 THEN LEAVE; END IF; END LOOP;
      WHILE x > 0 DO SET x = x - 1; END WHILE;
      REPEAT SET x = x + 1; UNTIL x > 2 END REPEAT;
      FOR r IN (SELECT 1 AS n) DO SELECT r.n; END FOR;
      CASE WHEN x = 1 THEN SELECT 1; ELSE SELECT 2; END CASE;
    END; SELECT 'after'`;
    const structure = statementStructure(script, tokens(script));
    assert.equal(structure.problem, undefined);
    assert.equal(structure.topLevelCount, 2);
  });

  it('reports blocks that do not balance', () => {
    for (const sql of ['BEGIN SELECT 1;', 'END', 'IF true THEN SELECT 1; END LOOP']) {
      assert.ok(statementStructure(sql, tokens(sql)).problem, sql);
    }
  });

  it('reads BEGIN; and BEGIN TRANSACTION as statements, not blocks', () => {
    const sql = 'BEGIN TRANSACTION; INSERT INTO t VALUES (1); COMMIT TRANSACTION';
    assert.equal(statementStructure(sql, tokens(sql)).topLevelCount, 3);
  });
});
