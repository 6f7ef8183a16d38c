import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { riskiestKind, statementKinds } from '../../../src/domain/analysis/types.js';
import { createPolyglotAnalyser } from '../../../src/adapters/analysis/polyglot-analyser.js';
import { createFakeCatalog } from './fake-catalog.js';

const analyser = createPolyglotAnalyser({ catalog: createFakeCatalog() });
const context = { defaultProject: 'demo-project', defaultDataset: 'sales' };

const statements = [
  'SELECT email FROM customers',
  'SELECT c.email, o.amount FROM customers c JOIN orders o USING (customer_id)',
  'WITH a AS (SELECT * FROM hr.salaries) SELECT ssn FROM a',
  'INSERT INTO orders (order_id) VALUES (1)',
  'UPDATE orders SET status = "x" WHERE true',
  'DELETE FROM orders WHERE true',
  'MERGE orders T USING customers S ON T.customer_id = S.customer_id WHEN MATCHED THEN DELETE',
  'CREATE TABLE sales.t2 AS SELECT 1 AS a',
  'ALTER TABLE orders ADD COLUMN n STRING',
  'DROP TABLE sales.orders',
  'TRUNCATE TABLE orders',
  "EXPORT DATA OPTIONS(uri='gs://b/*.csv') AS SELECT ssn FROM hr.salaries",
  "GRANT `roles/bigquery.dataViewer` ON TABLE sales.customers TO 'user:a@example.com'",
  'CALL sales.p()',
  'DECLARE x INT64 DEFAULT 1',
  "EXECUTE IMMEDIATE 'SELECT 1'",
  'SELEC garbage',
  "SELECT 'DROP TABLE x'",
];

const statement = fc.constantFrom(...statements);
const commentText = fc.string({ maxLength: 12 }).map((text) => text.replace(/[^a-zA-Z0-9 ;'"`]/g, ''));
const filler = fc.oneof(
  fc.constantFrom(' ', '\n', '\t', '\r\n'),
  commentText.map((text) => `-- ${text}\n`),
  commentText.map((text) => `# ${text}\n`),
  commentText.map((text) => `/* ${text} */`),
);
const padding = fc.array(filler, { maxLength: 4 }).map((parts) => ` ${parts.join('')} `);

describe('polyglot analyser: properties', () => {
  it('appending a statement never makes the request look less risky', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(statement, { minLength: 1, maxLength: 3 }), statement, async (base, appended) => {
        const before = await analyser.analyse(base.join(';\n'), context);
        const after = await analyser.analyse([...base, appended].join(';\n'), context);
        const worstBefore = riskiestKind(before.kinds);
        const worstAfter = riskiestKind(after.kinds);
        assert.equal(riskiestKind([worstBefore, worstAfter]), worstAfter);
        for (const kind of before.kinds) assert.ok(after.kinds.includes(kind), `lost ${kind}`);
      }),
      { numRuns: 60 },
    );
  });

  it('comments and whitespace around a statement change neither its kinds nor its tables', async () => {
    await fc.assert(
      fc.asyncProperty(statement, padding, padding, async (sql, before, after) => {
        const plain = await analyser.analyse(sql, context);
        const wrapped = await analyser.analyse(`${before}${sql}${after}`, context);
        assert.deepEqual(wrapped.kinds, plain.kinds);
        assert.deepEqual(wrapped.tables, plain.tables);
      }),
      { numRuns: 80 },
    );
  });

  it('never throws, and always reads at least one statement with a valid kind', async () => {
    const text = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.array(fc.constantFrom('SELECT', 'DROP', 'TABLE', '(', ')', ';', "'", '`', '--', '/*', '*/', 'x', '.', ',', '\n', 'BEGIN', 'END'), { maxLength: 20 }).map((tokens) => tokens.join(' ')),
    );
    await fc.assert(
      fc.asyncProperty(text, async (sql) => {
        const analysis = await analyser.analyse(sql, context);
        assert.ok(analysis.statements.length >= 1);
        for (const item of analysis.statements) {
          assert.ok(statementKinds.includes(item.kind));
          assert.equal(item.kind, riskiestKind(item.kinds));
        }
      }),
      { numRuns: 150 },
    );
  });
});
