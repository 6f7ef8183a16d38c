/** Table-driven cases for statement classification: what each request must be read as. */
import type { StatementFlags, StatementKind } from '../../../src/domain/analysis/types.js';

export interface ClassificationCase {
  readonly sql: string;
  /** Riskiest kind over the whole request. */
  readonly kind: StatementKind;
  /** All kinds over the request, in the order of `statementKinds`. */
  readonly kinds?: readonly StatementKind[];
  readonly tables?: readonly string[];
  readonly written?: readonly string[];
  /** Flags that at least one statement must have (true) or no statement may have (false). */
  readonly flags?: Partial<StatementFlags>;
  readonly statements?: number;
  /** Default dataset; null for none. Default `sales`. */
  readonly dataset?: string | null;
}

const C = 'demo-project.sales.customers';
const O = 'demo-project.sales.orders';
const S = 'demo-project.hr.salaries';
const PV = 'demo-project.analytics.page_views';
const unknownUnparsed = { kind: 'unknown', flags: { unparsed: true } } as const;

export const classificationCases: Record<string, readonly ClassificationCase[]> = {
  'comments and whitespace': [
    { sql: 'DROP/**/TABLE sales.customers', kind: 'drop', kinds: ['drop'], tables: [C], written: [C] },
    { sql: 'DROP/* a */TABLE/**/sales.customers', kind: 'drop', tables: [C] },
    { sql: 'DROP -- a comment\nTABLE sales.customers', kind: 'drop', tables: [C] },
    { sql: 'DROP # a comment\nTABLE sales.customers', kind: 'drop', tables: [C] },
    { sql: '\n\n  DROP\tTABLE\n sales.customers  \n', kind: 'drop', tables: [C] },
    { sql: '/* leading */ SELECT email FROM customers', kind: 'select', tables: [C] },
    { sql: 'SELECT email FROM customers -- ; DROP TABLE customers', kind: 'select', kinds: ['select'], statements: 1 },
    { sql: 'SELECT email FROM customers # ; DROP TABLE customers', kind: 'select', kinds: ['select'], statements: 1 },
    { sql: 'SELECT email /* ; DELETE FROM orders */ FROM customers', kind: 'select', kinds: ['select'], tables: [C] },
    { sql: '-- only a comment', ...unknownUnparsed, statements: 1, tables: [] },
    { sql: '', ...unknownUnparsed, statements: 1 },
    { sql: '   \n\t ', ...unknownUnparsed, statements: 1 },
    { sql: '/* a */ /* b */', ...unknownUnparsed, statements: 1 },
    { sql: ';;', ...unknownUnparsed, statements: 1 },
    // GoogleSQL does not nest block comments: the warehouse would run the DROP the tokenizer hides.
    { sql: 'SELECT 1 /* /* */ ; DROP TABLE sales.orders; -- */', ...unknownUnparsed },
    { sql: 'SELECT 1 /* a */ # b\n-- c\n', kind: 'select', kinds: ['select'], flags: { unparsed: false } },
    { sql: "SELECT '''a''', r'x', b'y', \"\"\"q\"\"\", `c d` FROM customers -- end", kind: 'select', kinds: ['select'], tables: [C] },
  ],
  'several statements': [
    { sql: 'SELECT 1; DROP TABLE sales.customers', kind: 'drop', kinds: ['select', 'drop'], statements: 2 },
    { sql: 'SELECT email FROM customers; DELETE FROM orders WHERE true', kind: 'delete', kinds: ['select', 'delete'], tables: [C, O] },
    { sql: 'SELECT 1;', kind: 'select', statements: 1 },
    { sql: 'SELECT 1; SELECT 2; SELECT 3', kind: 'select', statements: 3 },
    { sql: 'SELECT 1; THIS IS NOT SQL', kind: 'unknown', kinds: ['select', 'unknown'], statements: 2, flags: { unparsed: true } },
    { sql: 'INSERT INTO orders (order_id) VALUES (1); UPDATE orders SET status = "x" WHERE true', kind: 'update', kinds: ['insert', 'update'] },
    { sql: "SELECT 'a;b'; SELECT 2", kind: 'select', statements: 2 },
    { sql: 'SELECT email FROM customers;\n\n;\nSELECT ssn FROM hr.salaries', kind: 'select', statements: 2, tables: [C, S] },
  ],
  'keyword case': [
    { sql: 'drop table sales.customers', kind: 'drop', tables: [C] },
    { sql: 'DrOp TaBlE sales.customers', kind: 'drop', tables: [C] },
    { sql: 'select EMAIL from CUSTOMERS', kind: 'select', tables: [C] },
    { sql: 'Delete From orders Where TRUE', kind: 'delete', tables: [O] },
    { sql: 'sElEcT 1 uNiOn AlL sElEcT 2', kind: 'select', tables: [] },
  ],
  'quoting of names': [
    { sql: 'SELECT email FROM `demo-project.sales.customers`', kind: 'select', tables: [C] },
    { sql: 'SELECT email FROM `demo-project`.sales.customers', kind: 'select', tables: [C] },
    { sql: 'SELECT email FROM `demo-project.sales`.customers', kind: 'select', tables: [C] },
    { sql: 'SELECT email FROM `demo-project`.`sales`.`customers`', kind: 'select', tables: [C] },
    { sql: 'SELECT email FROM demo-project.sales.customers', kind: 'select', tables: [C] },
    { sql: 'SELECT email FROM sales.customers', kind: 'select', tables: [C] },
    { sql: 'SELECT email FROM `sales.customers`', kind: 'select', tables: [C] },
    { sql: 'SELECT email FROM `sales`.`customers`', kind: 'select', tables: [C] },
    { sql: 'SELECT email FROM customers', kind: 'select', tables: [C], flags: { lineageIncomplete: false } },
    { sql: 'SELECT email FROM `customers`', kind: 'select', tables: [C] },
    { sql: 'SELECT email FROM `Demo-Project.SALES.Customers`', kind: 'select', tables: [C] },
    {
      sql: 'SELECT email FROM customers',
      dataset: null,
      kind: 'select',
      tables: ['demo-project._unqualified_.customers'],
      flags: { lineageIncomplete: true },
    },
    { sql: 'SELECT * FROM other-project.sales.customers', kind: 'select', tables: ['other-project.sales.customers'], flags: { lineageIncomplete: true } },
    { sql: 'SELECT * FROM `region-us`.INFORMATION_SCHEMA.JOBS', kind: 'select', tables: ['demo-project.region-us.information_schema.jobs'], flags: { lineageIncomplete: true } },
    { sql: 'SELECT * FROM sales.INFORMATION_SCHEMA.COLUMNS', kind: 'select', tables: ['demo-project.sales.information_schema.columns'] },
    { sql: 'SELECT * FROM `demo-project.sales.INFORMATION_SCHEMA.TABLES`', kind: 'select', tables: ['demo-project.sales.information_schema.tables'] },
    { sql: 'SELECT * FROM `sales.cust*` WHERE _TABLE_SUFFIX = "omers"', kind: 'select', tables: ['demo-project.sales.cust*'], flags: { lineageIncomplete: true } },
  ],
  CTEs: [
    { sql: 'WITH c AS (SELECT email FROM customers) SELECT * FROM c', kind: 'select', tables: [C] },
    { sql: 'WITH customers AS (SELECT 1 AS x) SELECT * FROM customers', kind: 'select', tables: [] },
    { sql: 'WITH a AS (SELECT * FROM orders), b AS (SELECT * FROM a) SELECT * FROM b JOIN hr.salaries s ON true', kind: 'select', tables: [O, S] },
    { sql: 'WITH customers AS (SELECT * FROM customers) SELECT * FROM customers', kind: 'select', tables: [C] },
    { sql: 'WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r', kind: 'select', tables: [] },
    { sql: 'WITH d AS (DELETE FROM orders WHERE true) SELECT 1', kind: 'delete', kinds: ['select', 'delete'], tables: [O] },
    { sql: 'WITH x AS (SELECT * FROM hr.salaries) SELECT email FROM customers', kind: 'select', tables: [C, S] },
    { sql: 'WITH a AS (SELECT 1 AS x) SELECT * FROM a, sales.a', kind: 'select', tables: ['demo-project.sales.a'] },
  ],
  subqueries: [
    { sql: 'SELECT (SELECT MAX(salary) FROM hr.salaries) AS m FROM customers', kind: 'select', tables: [C, S] },
    { sql: 'SELECT x.email FROM (SELECT email FROM hr.salaries) x', kind: 'select', tables: [S] },
    { sql: 'SELECT email FROM customers WHERE customer_id IN (SELECT customer_id FROM orders)', kind: 'select', tables: [C, O] },
    { sql: 'SELECT 1 FROM customers c WHERE EXISTS (SELECT 1 FROM hr.salaries s WHERE s.email = c.email)', kind: 'select', tables: [C, S] },
    { sql: 'SELECT city, COUNT(*) FROM customers GROUP BY city HAVING COUNT(*) > (SELECT COUNT(*) FROM orders)', kind: 'select', tables: [C, O] },
    { sql: 'SELECT c.email FROM customers c JOIN (SELECT customer_id FROM orders) o ON o.customer_id = c.customer_id', kind: 'select', tables: [C, O] },
    { sql: 'SELECT 1 FROM customers c JOIN orders o ON o.amount > (SELECT MAX(salary) FROM hr.salaries)', kind: 'select', tables: [C, O, S] },
    { sql: 'SELECT * FROM (SELECT * FROM (SELECT * FROM (SELECT ssn FROM hr.salaries)))', kind: 'select', tables: [S] },
    { sql: 'SELECT ARRAY(SELECT email FROM hr.salaries) AS a', kind: 'select', tables: [S], flags: { lineageIncomplete: true } },
    { sql: 'SELECT email FROM customers ORDER BY (SELECT MAX(amount) FROM orders)', kind: 'select', tables: [C, O] },
  ],
  'set operations': [
    { sql: 'SELECT email FROM customers UNION ALL SELECT email FROM hr.salaries', kind: 'select', tables: [C, S] },
    { sql: 'SELECT email FROM customers UNION DISTINCT SELECT email FROM hr.salaries', kind: 'select', tables: [C, S] },
    { sql: 'SELECT email FROM customers INTERSECT DISTINCT SELECT email FROM hr.salaries', kind: 'select', tables: [C, S] },
    { sql: 'SELECT email FROM customers EXCEPT DISTINCT SELECT email FROM hr.salaries', kind: 'select', tables: [C, S] },
    { sql: '(SELECT 1) UNION ALL (SELECT customer_id FROM orders)', kind: 'select', tables: [O] },
  ],
  joins: [
    { sql: 'SELECT * FROM customers c JOIN orders o USING (customer_id)', kind: 'select', tables: [C, O] },
    { sql: 'SELECT c.email FROM customers c LEFT JOIN orders o ON o.customer_id = c.customer_id', kind: 'select', tables: [C, O] },
    { sql: 'SELECT c.email FROM customers c CROSS JOIN hr.salaries', kind: 'select', tables: [C, S] },
    { sql: 'SELECT c.email FROM customers c, orders o WHERE o.customer_id = c.customer_id', kind: 'select', tables: [C, O] },
    { sql: 'SELECT 1 FROM customers c FULL OUTER JOIN hr.salaries s ON s.email = c.email', kind: 'select', tables: [C, S] },
    { sql: 'SELECT v.path FROM analytics.page_views v, UNNEST([1, 2]) AS n', kind: 'select', tables: [PV] },
  ],
  scripting: [
    { sql: 'BEGIN SELECT 1; END', kind: 'script', kinds: ['select', 'script'], flags: { scripting: true } },
    { sql: 'BEGIN DROP TABLE sales.customers; END', kind: 'script', kinds: ['drop', 'script'], tables: [C] },
    { sql: 'DECLARE x INT64 DEFAULT 1', kind: 'script', kinds: ['script'], flags: { scripting: true } },
    { sql: 'DECLARE x INT64; SET x = (SELECT COUNT(*) FROM orders); SELECT x', kind: 'script', kinds: ['select', 'script'], tables: [O] },
    { sql: 'IF true THEN DELETE FROM orders WHERE true; END IF', ...unknownUnparsed },
    { sql: 'LOOP SELECT 1; BREAK; END LOOP', ...unknownUnparsed },
    { sql: 'WHILE true DO SELECT 1; END WHILE', ...unknownUnparsed },
    { sql: 'BEGIN TRANSACTION; DELETE FROM orders WHERE true; COMMIT TRANSACTION', kind: 'script', kinds: ['delete', 'script'], tables: [O] },
    { sql: 'BEGIN BEGIN SELECT ssn FROM hr.salaries; END; END', kind: 'script', kinds: ['select', 'script'], tables: [S] },
    { sql: 'ROLLBACK TRANSACTION', kind: 'script' },
  ],
  'EXECUTE IMMEDIATE': [
    { sql: "EXECUTE IMMEDIATE 'SELECT 1'", kind: 'unknown', kinds: ['script', 'unknown'], flags: { dynamicSql: true } },
    { sql: "EXECUTE IMMEDIATE CONCAT('DROP', ' TABLE x')", kind: 'unknown', flags: { dynamicSql: true, lineageIncomplete: true } },
    { sql: "execute immediate 'DELETE FROM orders WHERE true'", kind: 'unknown', flags: { dynamicSql: true } },
    { sql: "SELECT 1; EXECUTE IMMEDIATE 'x'", kind: 'unknown', statements: 2 },
  ],
  DML: [
    { sql: 'INSERT INTO orders (order_id, amount) VALUES (1, 2)', kind: 'insert', tables: [O], written: [O] },
    { sql: 'INSERT INTO orders (order_id) SELECT customer_id FROM customers', kind: 'insert', kinds: ['select', 'insert'], tables: [C, O], written: [O] },
    { sql: 'INSERT orders (order_id) VALUES (1)', kind: 'unknown', kinds: ['insert', 'unknown'] },
    { sql: 'UPDATE orders SET status = "x" WHERE order_id = 1', kind: 'update', tables: [O], written: [O] },
    { sql: 'UPDATE orders o SET status = "x" FROM customers c WHERE c.customer_id = o.customer_id', kind: 'update', tables: [C, O], written: [O] },
    { sql: 'DELETE FROM orders WHERE order_id IN (SELECT customer_id FROM customers)', kind: 'delete', tables: [C, O], written: [O] },
    { sql: 'DELETE orders WHERE true', kind: 'delete', tables: [O], written: [O] },
    { sql: 'MERGE orders T USING customers S ON T.customer_id = S.customer_id WHEN MATCHED THEN DELETE', kind: 'merge', tables: [C, O], written: [O] },
    {
      sql: 'MERGE sales.orders T USING (SELECT * FROM hr.salaries) S ON T.order_id = S.employee_id WHEN NOT MATCHED THEN INSERT (order_id) VALUES (S.employee_id)',
      kind: 'merge',
      tables: [O, S],
      written: [O],
    },
    { sql: 'TRUNCATE TABLE orders', kind: 'truncate', tables: [O], written: [O] },
  ],
  DDL: [
    { sql: 'CREATE TABLE sales.new_t (a INT64)', kind: 'create', tables: ['demo-project.sales.new_t'], written: ['demo-project.sales.new_t'] },
    { sql: 'CREATE OR REPLACE TABLE sales.new_t AS SELECT email FROM customers', kind: 'create', kinds: ['select', 'create'], tables: [C, 'demo-project.sales.new_t'], written: ['demo-project.sales.new_t'] },
    { sql: 'CREATE TEMP TABLE tmp AS SELECT 1 AS a', kind: 'create' },
    { sql: 'CREATE VIEW sales.v AS SELECT ssn FROM hr.salaries', kind: 'create', tables: [S, 'demo-project.sales.v'], written: ['demo-project.sales.v'] },
    { sql: 'CREATE TEMP FUNCTION f(x INT64) AS (x + 1)', kind: 'create', tables: [] },
    { sql: "CREATE TEMP FUNCTION f(x STRING) RETURNS STRING LANGUAGE js AS '''return x;'''; SELECT f(email) FROM customers", kind: 'create', kinds: ['select', 'create'], tables: [C] },
    { sql: 'CREATE SCHEMA new_ds', kind: 'create', tables: [] },
    { sql: 'CREATE TABLE sales.c2 COPY sales.orders', kind: 'create', tables: ['demo-project.sales.c2', O], written: ['demo-project.sales.c2'] },
    { sql: 'CREATE SNAPSHOT TABLE sales.s CLONE sales.orders', ...unknownUnparsed },
    { sql: 'ALTER TABLE orders ADD COLUMN note STRING', kind: 'alter', tables: [O], written: [O] },
    { sql: 'ALTER TABLE orders SET OPTIONS (description = "x")', kind: 'alter', tables: [O] },
    { sql: 'DROP TABLE orders', kind: 'drop', tables: [O], written: [O] },
    { sql: 'DROP TABLE IF EXISTS sales.orders', kind: 'drop', tables: [O] },
    { sql: 'DROP VIEW sales.v', kind: 'drop', tables: ['demo-project.sales.v'] },
    { sql: 'DROP SCHEMA sales CASCADE', kind: 'drop' },
    { sql: 'CREATE MATERIALIZED VIEW sales.mv AS SELECT 1 AS a', kind: 'create' },
  ],
  'export, load, grant, revoke, call': [
    { sql: "EXPORT DATA OPTIONS(uri='gs://b/*.csv', format='CSV') AS SELECT ssn FROM hr.salaries", kind: 'export', kinds: ['select', 'export'], tables: [S] },
    { sql: "LOAD DATA INTO sales.orders FROM FILES(format='CSV', uris=['gs://b/x.csv'])", kind: 'unknown', kinds: ['load', 'unknown'] },
    { sql: "LOAD DATA OVERWRITE sales.orders FROM FILES(format='CSV', uris=['gs://b/x.csv'])", kind: 'unknown', kinds: ['load', 'unknown'] },
    { sql: "GRANT `roles/bigquery.dataViewer` ON TABLE sales.customers TO 'user:a@example.com'", kind: 'unknown', kinds: ['grant', 'unknown'] },
    { sql: "REVOKE `roles/bigquery.dataViewer` ON TABLE sales.customers FROM 'user:a@example.com'", kind: 'unknown', kinds: ['revoke', 'unknown'] },
    { sql: 'CALL sales.refresh()', kind: 'call', kinds: ['call'], flags: { lineageIncomplete: true } },
    { sql: "CALL sales.proc('x'); SELECT 1", kind: 'call', kinds: ['select', 'call'] },
    { sql: 'SELECT * FROM EXTERNAL_QUERY("conn", "DELETE FROM t")', kind: 'unknown', flags: { dynamicSql: true } },
    { sql: 'SELECT * FROM sales.my_tvf(1)', kind: 'unknown', flags: { lineageIncomplete: true } },
  ],
  'unparseable text': [
    { sql: 'SELEC email FROM customers', ...unknownUnparsed },
    { sql: 'DROP', ...unknownUnparsed },
    { sql: 'SELECT FROM WHERE', ...unknownUnparsed },
    { sql: 'hello world', ...unknownUnparsed },
    { sql: 'SELECT (', ...unknownUnparsed },
    { sql: "SELECT 'unterminated", ...unknownUnparsed },
  ],
  'look-alikes and invisible characters': [
    { sql: '\u0405ELECT 1', ...unknownUnparsed },
    { sql: '\uff33\uff25\uff2c\uff25\uff23\uff34 1', ...unknownUnparsed },
    { sql: 'DROP T\u0410BLE sales.customers', ...unknownUnparsed },
    { sql: 'SEL\u200bECT 1', ...unknownUnparsed },
    { sql: 'SELECT\u200b email FROM customers', ...unknownUnparsed, kinds: ['unknown'], tables: [] },
    { sql: 'DROP\u200bTABLE sales.customers', ...unknownUnparsed },
    { sql: 'SELECT 1\u0000; DROP TABLE x', ...unknownUnparsed },
    { sql: 'SELECT\u0001 1', ...unknownUnparsed },
    { sql: '\u202eSELECT 1', ...unknownUnparsed },
    { sql: 'SELECT 1 /* \u2066 */', ...unknownUnparsed },
    { sql: 'SELECT email FROM customers\ufeff', ...unknownUnparsed },
  ],
  'keywords inside literals and comments': [
    { sql: "SELECT 'DROP TABLE x' AS s", kind: 'select', kinds: ['select'], tables: [] },
    { sql: "SELECT 'x' FROM customers WHERE notes = 'DELETE FROM orders'", kind: 'select', tables: [C] },
    { sql: 'SELECT "; DROP TABLE customers; --" AS s', kind: 'select', statements: 1 },
    { sql: "SELECT '''multi\nDROP TABLE x;\n''' AS s", kind: 'select', statements: 1 },
    { sql: 'SELECT 1 /* DROP TABLE customers */', kind: 'select', kinds: ['select'] },
    { sql: "SELECT r'\\d+; DELETE' AS s", kind: 'select', statements: 1 },
    { sql: 'SELECT `DROP TABLE x` FROM customers', kind: 'select', tables: [C] },
    { sql: "SELECT email FROM customers WHERE notes LIKE '%EXECUTE IMMEDIATE%'", kind: 'select', flags: { dynamicSql: false } },
  ],
};
