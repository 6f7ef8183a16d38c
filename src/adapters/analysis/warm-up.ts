/**
 * The WASM engine compiles its code paths lazily: the first parses and analyses of a process take
 * tens to hundreds of milliseconds. Running representative statements once at start-up moves that
 * cost out of the first request.
 */
import { analyseQuery, generateSql, parseSql, tokenizeSql } from './polyglot-sdk.js';

const samples = [
  `WITH a AS (SELECT x.id, SUM(y.v) AS total FROM \`p.d.x\` x JOIN d.y y ON x.id = y.id WHERE x.k > 1 GROUP BY x.id)
   SELECT a.*, LOWER(z.s) AS s FROM a JOIN d.z z USING (id) WHERE z.s IN (SELECT s FROM d.w) ORDER BY total DESC`,
  'SELECT * EXCEPT (b) FROM d.t UNION ALL SELECT * FROM d.u',
  'INSERT INTO d.t (a) SELECT a FROM d.u',
  'MERGE d.t T USING d.u S ON T.id = S.id WHEN MATCHED THEN UPDATE SET a = S.a',
  'CREATE TABLE d.t AS SELECT 1 AS a; DROP TABLE d.t; BEGIN SELECT 1; END',
];

const schema = {
  strict: false,
  tables: ['x', 'y', 'z', 'w', 't', 'u'].map((name) => ({
    name,
    schema: 'd',
    columns: ['id', 'k', 'v', 's', 'a', 'b'].map((column) => ({ name: column, type: 'STRING' })),
  })),
};

export function warmUpPolyglot(rounds = 1): void {
  for (let round = 0; round < rounds; round++) {
    for (const sql of samples) {
      tokenizeSql(sql);
      const nodes = parseSql(sql) ?? [];
      for (const node of nodes) {
        const generated = generateSql(node);
        if (generated) analyseQuery(generated, schema);
      }
    }
  }
}
