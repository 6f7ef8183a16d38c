/**
 * A grammar of hostile GoogleSQL for the differential test: every literal, name and comment is valid
 * GoogleSQL by construction (so the reference parses it), and full of what trips other readers —
 * backslashes, quotes of every kind, semicolons, comment markers and escapes.
 */
import fc from 'fast-check';

export type GeneratedKind = 'select' | 'delete' | 'drop' | 'insert';

export interface GeneratedStatement {
  readonly sql: string;
  readonly kind: GeneratedKind;
}

const hostile = ['a', ' ', ';', '--', '#', '/*', '*/', '"', "'", '`', 'x;DROP TABLE t', '\\\\', '\\n'];

/** A quoted body for a non-raw literal with the given quote: escapes are valid, the quote is escaped. */
function plainBody(quote: string, bytes = false): fc.Arbitrary<string> {
  // \u escapes are for strings only; in bytes they are an error.
  const escapes = bytes ? ['\\x41', '\\101'] : ['\\u0041', '\\x41', '\\101'];
  return fc.array(fc.constantFrom(...hostile, `\\${quote}`, ...escapes), { maxLength: 6 }).map((parts) =>
    parts.map((part) => (part === quote ? `\\${quote}` : part === '\\n' ? '\\n' : part)).join(''),
  );
}

/** A raw body: any character but the quote and line breaks; a backslash always pairs with the next one. */
function rawBody(quote: string): fc.Arbitrary<string> {
  return fc
    .array(fc.constantFrom('a', ' ', ';', '--', '#', '/*', '*/', '\\\\', `\\${quote}`, '\\d+', '`', quote === "'" ? '"' : "'"), { maxLength: 6 })
    .map((parts) => parts.join(''));
}

const singleQuoted = fc.constantFrom("'", '"').chain((quote) =>
  fc.oneof(
    plainBody(quote).map((body) => `${quote}${body}${quote}`),
    rawBody(quote).map((body) => `r${quote}${body}${quote}`),
    rawBody(quote).map((body) => `rb${quote}${body}${quote}`),
    plainBody(quote, true).map((body) => `b${quote}${body}${quote}`),
  ),
);

/** Triple-quoted: may hold runs of one or two quotes (each followed by another character) and line breaks. */
const tripleQuoted = fc.constantFrom("'", '"').chain((quote) =>
  fc
    .array(fc.constantFrom('a', ';', '\n', '-- x', `${quote}a`, `${quote}${quote}a`, '\\\\', `\\${quote}`), { maxLength: 6 })
    .map((parts) => `${quote.repeat(3)}${parts.join('')}x${quote.repeat(3)}`),
);

const literal = fc.oneof(singleQuoted, tripleQuoted, fc.constantFrom('1', '1.5e3', '.5', '0x1F', 'NULL', 'TRUE'));

/** A name part spelt with any escape. */
const escapedLetters = fc.array(fc.constantFrom('a', 'b', 'h', 'r'), { minLength: 1, maxLength: 4 }).chain((letters) =>
  fc.tuple(...letters.map((letter) => fc.constantFrom(letter, `\\u00${letter.charCodeAt(0).toString(16)}`, `\\x${letter.charCodeAt(0).toString(16)}`, `\\${letter.charCodeAt(0).toString(8).padStart(3, '0')}`, `\\U000000${letter.charCodeAt(0).toString(16)}`))),
).map((parts) => parts.join(''));

const plainName = fc.stringMatching(/^[a-z_][a-z0-9_]{0,5}$/).filter((name) => !reserved.has(name.toUpperCase()));

const reserved = new Set(['AS', 'BY', 'IF', 'IN', 'IS', 'OF', 'ON', 'OR', 'TO', 'ALL', 'AND', 'ANY', 'ASC', 'END', 'FOR', 'NEW', 'NOT', 'SET', 'ARRAY', 'CASE', 'CAST', 'DESC', 'ELSE', 'FROM', 'FULL', 'HASH', 'INTO', 'JOIN', 'LEFT', 'LIKE', 'NULL', 'ROWS', 'SOME', 'THEN', 'TRUE', 'WHEN', 'WITH', 'CROSS', 'FALSE', 'FETCH', 'GROUP', 'INNER', 'LIMIT', 'MERGE', 'NULLS', 'ORDER', 'OUTER', 'RANGE', 'RIGHT', 'UNION', 'USING', 'WHERE', 'WITHIN', 'WINDOW', 'EXISTS', 'EXCEPT', 'EXTRACT', 'COLLATE', 'DEFAULT', 'DEFINE', 'ENUM', 'ESCAPE', 'EXCLUDE', 'GROUPS', 'HAVING', 'IGNORE', 'INTERSECT', 'INTERVAL', 'LATERAL', 'LOOKUP', 'NATURAL', 'NO', 'OVER', 'PARTITION', 'PRECEDING', 'PROTO', 'QUALIFY', 'RECURSIVE', 'RESPECT', 'ROLLUP', 'SELECT', 'STRUCT', 'TABLESAMPLE', 'TREAT', 'UNBOUNDED', 'AT', 'ASSERT_ROWS_MODIFIED', 'CONTAINS', 'CUBE', 'CURRENT', 'DISTINCT', 'FOLLOWING', 'GROUPING', 'IF', 'NEW', 'UNNEST', 'TO']);

export const tableName = fc.oneof(
  fc.tuple(plainName, plainName).map(([dataset, table]) => `${dataset}.${table}`),
  fc.tuple(plainName, escapedLetters).map(([dataset, table]) => `${dataset}.\`${table}\``),
  fc.tuple(escapedLetters, plainName).map(([dataset, table]) => `\`p-1.${dataset}\`.${table}`),
  fc.tuple(plainName, plainName, plainName).map(([domain, dataset, table]) => `\`${domain}.com:proj.${dataset}.${table}\``),
);

/** Space between tokens: whitespace and comments holding every kind of trap. */
export const separator = fc
  .array(
    fc.constantFrom(' ', '\n', '\t', "-- a ; ' \" ` /*\n", "# ; DROP TABLE t '\n", "/* ; -- ' \" ` # /* */", '/**/', '--\n'),
    { minLength: 1, maxLength: 3 },
  )
  .map((parts) => parts.join(''));

const statement: fc.Arbitrary<GeneratedStatement> = fc.oneof(
  fc.tuple(fc.array(literal, { minLength: 1, maxLength: 3 }), tableName, separator).map(([items, table, space]) => ({
    sql: `SELECT${space}${items.map((item, index) => `${item} AS c${index}`).join(',' + space)}${space}FROM${space}${table}`,
    kind: 'select' as const,
  })),
  fc.tuple(fc.array(literal, { minLength: 1, maxLength: 2 }), separator).map(([items, space]) => ({
    sql: `SELECT${space}${items.join(', ')}`,
    kind: 'select' as const,
  })),
  fc.tuple(tableName, literal, separator).map(([table, value, space]) => ({ sql: `DELETE FROM ${table}${space}WHERE c = ${value}`, kind: 'delete' as const })),
  fc.tuple(tableName, separator).map(([table, space]) => ({ sql: `DROP TABLE${space}${table}`, kind: 'drop' as const })),
  fc.tuple(tableName, literal, separator).map(([table, value, space]) => ({ sql: `INSERT INTO ${table} (c)${space}VALUES (${value})`, kind: 'insert' as const })),
);

export const request = fc.tuple(fc.array(statement, { minLength: 1, maxLength: 3 }), separator, fc.boolean()).map(([statements, space, trailing]) => ({
  sql: statements.map((one) => one.sql).join(`;${space}`) + (trailing ? ';' : ''),
  kinds: statements.map((one) => one.kind),
}));
