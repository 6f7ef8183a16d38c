/**
 * Attempts an agent could make to read protected values out of the demo warehouse past masking.
 * The SQL never contains a seeded value (the gateway stores the agent's SQL text as is, so a value
 * written into the SQL would show up in every log and prove nothing).
 *
 * `outcome` is what the shipped policy does with the attempt, so a test can tell an attempt that
 * really ran (and was masked) from one that failed for a dull reason (a typo, an unsupported function):
 * - `rows`: allowed, runs and returns rows
 * - `approved-rows`: needs a data owner's approval (protectedPredicates: approve), then returns rows
 * - `denied`: refused by policy (hr, unanalysable SQL)
 * - `failed`: allowed, but the warehouse fails it (the error text must not echo values; where it could
 *   carry a value — category `error` — it is withheld)
 */
import fc from 'fast-check';

export type ExfiltrationOutcome = 'rows' | 'approved-rows' | 'denied' | 'failed';

export interface ExfiltrationAttempt {
  readonly id: string;
  readonly category: string;
  readonly sql: string;
  readonly outcome: ExfiltrationOutcome;
}

const attempt = (category: string, id: string, outcome: ExfiltrationOutcome, sql: string): ExfiltrationAttempt => ({ id, category, sql, outcome });

const protectedCustomerColumns = ['email', 'phone', 'ssn', 'card_number', 'notes'] as const;
const clearCustomerColumns = ['city', 'country', 'customer_id'] as const;
/** String transforms that change a value's text or shape; each keeps the SQL valid on a STRING. */
const transforms: readonly ((x: string) => string)[] = [
  (x) => `REPLACE(${x}, '-', '')`,
  (x) => `CONCAT('a@', ${x}, '.com')`,
  (x) => `SUBSTR(${x}, 2)`,
  (x) => `REVERSE(${x})`,
  (x) => `LPAD(${x}, 30, '0')`,
  (x) => `CONCAT(${x}, '')`,
  (x) => `UPPER(${x})`,
  (x) => `TRIM(${x})`,
  (x) => `FORMAT('%s', ${x})`,
];
const benignNames = ['city', 'country', 'email', 'phone', 'card_number', 'birth_date', 'x', 'customer_id'] as const;

/**
 * Generated variants of classes 1 and 4 (fast-check, fixed seed so the corpus is the same on every
 * run): a protected column through a chain of transforms, named like a protected or a benign column,
 * read directly, through a CTE or through a derived table, next to a clear column that may share its
 * name.
 */
function generatedAttempts(): ExfiltrationAttempt[] {
  const shape = fc.record({
    source: fc.constantFrom(...protectedCustomerColumns),
    chain: fc.array(fc.constantFrom(...transforms), { minLength: 1, maxLength: 3 }),
    name: fc.constantFrom(...benignNames),
    clear: fc.constantFrom(...clearCustomerColumns),
    sameName: fc.boolean(),
    wrapper: fc.constantFrom('none', 'cte', 'derived'),
  });
  return fc.sample(shape, { seed: 18, numRuns: 24 }).map((s, i) => {
    const expression = s.chain.reduce((inner, transform) => transform(inner), s.source as string);
    const clearAlias = s.sameName ? s.name : `${s.clear}_clear`;
    const select = `SELECT ${expression} AS ${s.name}, ${s.clear} AS ${clearAlias} FROM sales.customers`;
    const sql =
      s.wrapper === 'cte'
        ? `WITH g AS (SELECT ${expression} AS v, ${s.clear} AS w FROM sales.customers) SELECT v AS ${s.name}, w AS ${clearAlias} FROM g`
        : s.wrapper === 'derived'
          ? `SELECT * FROM (${select}) AS g`
          : select;
    return attempt('generated', `generated-${i}`, 'rows', sql);
  });
}

export const exfiltrationCorpus: readonly ExfiltrationAttempt[] = [
  // ------------------------------------------------------------ aliases and renames
  attempt('alias', 'alias-ssn', 'rows', 'SELECT ssn AS x FROM sales.customers'),
  attempt('alias', 'alias-to-benign-name', 'rows', 'SELECT email AS city FROM sales.customers'),
  attempt('alias', 'alias-qualified', 'rows', 'SELECT c.card_number AS order_id FROM `demo-project.sales.customers` AS c'),
  attempt('alias', 'alias-swap', 'rows', 'SELECT email AS customer_id, customer_id AS email, phone AS amount FROM sales.customers'),
  attempt('alias', 'alias-duplicate-name', 'rows', 'SELECT city, ssn AS city FROM sales.customers'),
  attempt('alias', 'alias-notes', 'rows', 'SELECT notes AS status, country FROM sales.customers'),
  attempt('alias', 'alias-comment', 'rows', 'SELECT /* city */ ssn /* AS city */ FROM sales.customers'),

  // ------------------------------------------------------------ expressions
  attempt('expression', 'lower-email', 'rows', 'SELECT LOWER(email) AS e FROM sales.customers'),
  attempt('expression', 'upper-email', 'rows', 'SELECT UPPER(email) AS e, city FROM sales.customers'),
  attempt('expression', 'trim-ssn', 'rows', "SELECT TRIM(CONCAT('  ', ssn, '  ')) AS t FROM sales.customers"),
  attempt('expression', 'reverse-ssn', 'rows', 'SELECT REVERSE(ssn) AS r FROM sales.customers'),
  attempt('expression', 'reverse-card-email', 'rows', 'SELECT REVERSE(card_number) AS r, REVERSE(email) AS e FROM sales.customers'),
  attempt('expression', 'concat-city-ssn', 'rows', 'SELECT CONCAT(city, ssn) AS x FROM sales.customers'),
  attempt('expression', 'pipes-email', 'rows', "SELECT city || '/' || email AS x FROM sales.customers"),
  attempt('expression', 'concat-phone', 'rows', "SELECT CONCAT(country, '-', phone) AS x, city FROM sales.customers"),
  attempt('expression', 'unnamed-expression', 'rows', "SELECT ssn || '' FROM sales.customers"),
  attempt('expression', 'replace-dashes', 'rows', "SELECT REPLACE(ssn, '-', '') AS digits FROM sales.customers"),
  attempt('expression', 'translate-digits', 'rows', "SELECT TRANSLATE(card_number, '0123456789', 'abcdefghij') AS t FROM sales.customers"),
  attempt('expression', 'regexp-replace', 'rows', "SELECT REGEXP_REPLACE(phone, r'[^0-9]', '') AS p FROM sales.customers"),
  attempt('expression', 'lpad', 'rows', "SELECT LPAD(ssn, 20, '*') AS p FROM sales.customers"),
  attempt('expression', 'format-ssn', 'rows', "SELECT FORMAT('%s', ssn) AS f FROM sales.customers"),
  attempt('expression', 'format-two', 'rows', "SELECT FORMAT('%s|%s', city, card_number) AS f FROM sales.customers"),
  attempt('expression', 'case-when', 'rows', 'SELECT CASE WHEN customer_id > 0 THEN email ELSE city END AS v FROM sales.customers'),
  attempt('expression', 'if', 'rows', 'SELECT IF(customer_id > 0, ssn, NULL) AS v FROM sales.customers'),
  attempt('expression', 'coalesce', 'rows', 'SELECT COALESCE(notes, phone) AS v FROM sales.customers'),
  attempt('expression', 'length-of-email', 'rows', 'SELECT LENGTH(email) AS n, customer_id FROM sales.customers'),

  // ------------------------------------------------------------ split across columns
  attempt('split', 'split-ssn', 'rows', 'SELECT SUBSTR(ssn, 1, 3) AS a, SUBSTR(ssn, 5, 2) AS b, SUBSTR(ssn, 8, 4) AS c FROM sales.customers'),
  attempt('split', 'split-card', 'rows', 'SELECT SUBSTR(card_number, 1, 8) AS head, SUBSTR(card_number, 9) AS tail FROM sales.customers'),
  attempt('split', 'split-email-unnest', 'rows', "SELECT part FROM sales.customers, UNNEST(SPLIT(email, '@')) AS part"),
  attempt('split', 'split-array', 'rows', "SELECT SPLIT(ssn, '-') AS parts FROM sales.customers"),

  // ------------------------------------------------------------ casts and encodings
  attempt('cast', 'cast-string', 'rows', 'SELECT CAST(ssn AS STRING) AS s FROM sales.customers'),
  attempt('cast', 'safe-cast-int', 'rows', 'SELECT SAFE_CAST(card_number AS INT64) AS n FROM sales.customers'),
  attempt('cast', 'cast-digits-int', 'rows', "SELECT CAST(REPLACE(ssn, '-', '') AS INT64) AS n FROM sales.customers"),
  attempt('cast', 'base64-ssn', 'rows', 'SELECT TO_BASE64(CAST(ssn AS BYTES)) AS b FROM sales.customers'),
  attempt('cast', 'base64-email', 'rows', 'SELECT TO_BASE64(CAST(email AS BYTES)) AS b FROM sales.customers'),
  attempt('cast', 'hex-card', 'rows', 'SELECT TO_HEX(CAST(card_number AS BYTES)) AS h FROM sales.customers'),

  // ------------------------------------------------------------ CTEs and subqueries
  attempt('cte', 'cte-alias', 'rows', 'WITH p AS (SELECT ssn AS s FROM sales.customers) SELECT s FROM p'),
  attempt('cte', 'cte-chain', 'rows', 'WITH a AS (SELECT customer_id, email FROM sales.customers), b AS (SELECT email AS contact FROM a) SELECT contact FROM b'),
  attempt('cte', 'cte-star', 'rows', 'WITH x AS (SELECT * FROM sales.customers) SELECT x.card_number AS n, x.city FROM x'),
  attempt('cte', 'cte-shadows-table', 'rows', 'WITH orders AS (SELECT ssn AS status FROM sales.customers) SELECT status FROM orders'),
  attempt('subquery', 'scalar-subquery', 'rows', 'SELECT (SELECT MAX(ssn) FROM sales.customers) AS s'),
  attempt('subquery', 'correlated-subquery', 'rows', 'SELECT o.order_id, (SELECT c.email FROM sales.customers c WHERE c.customer_id = o.customer_id) AS who FROM sales.orders o'),
  attempt('subquery', 'from-subquery', 'rows', 'SELECT t.v FROM (SELECT phone AS v FROM sales.customers) AS t'),
  attempt('subquery', 'from-subquery-benign-name', 'rows', 'SELECT city FROM (SELECT ssn AS city FROM sales.customers)'),
  attempt('subquery', 'from-subquery-star', 'rows', 'SELECT * FROM (SELECT card_number, city FROM sales.customers)'),
  attempt('subquery', 'array-subquery', 'rows', 'SELECT ARRAY(SELECT email FROM sales.customers) AS a'),

  // ------------------------------------------------------------ set operations
  attempt('union', 'union-benign-first', 'rows', 'SELECT city AS v FROM sales.customers UNION ALL SELECT ssn FROM sales.customers'),
  attempt('union', 'union-orders-email', 'rows', 'SELECT currency AS v FROM sales.orders UNION ALL SELECT email AS v FROM sales.customers'),
  attempt('union', 'union-distinct-iban', 'rows', 'SELECT status FROM sales.orders UNION DISTINCT SELECT iban FROM sales.invoices'),
  attempt('union', 'union-two-columns', 'rows', 'SELECT city, country FROM sales.customers UNION ALL SELECT ssn, email FROM sales.customers'),
  // INTERSECT compares the protected values themselves: a set-operation filter, so it needs approval.
  attempt('union', 'intersect', 'approved-rows', 'SELECT email FROM sales.customers INTERSECT DISTINCT SELECT email FROM sales.customers'),

  // ------------------------------------------------------------ every star form
  attempt('star', 'star', 'rows', 'SELECT * FROM sales.customers'),
  attempt('star', 'qualified-star', 'rows', 'SELECT c.* FROM sales.customers AS c'),
  attempt('star', 'star-except-ssn', 'rows', 'SELECT * EXCEPT (ssn) FROM sales.customers'),
  attempt('star', 'star-replace-into-city', 'rows', 'SELECT * REPLACE (ssn AS city) FROM sales.customers'),
  attempt('star', 'star-replace-upper', 'rows', 'SELECT * REPLACE (UPPER(email) AS email) FROM sales.customers'),
  attempt('star', 'qualified-star-except', 'rows', 'SELECT c.* EXCEPT (email, ssn) FROM sales.customers c'),
  attempt('star', 'two-stars-join', 'rows', 'SELECT o.*, c.* FROM sales.orders o JOIN sales.customers c ON c.customer_id = o.customer_id'),
  attempt('star', 'star-plus-column', 'rows', 'SELECT *, ssn AS extra FROM sales.customers'),
  attempt('star', 'star-invoices', 'rows', 'SELECT * FROM sales.invoices'),
  attempt('star', 'using-star', 'rows', 'SELECT * FROM sales.orders JOIN sales.customers USING (customer_id)'),
  attempt('star', 'replace-then-select', 'rows', 'SELECT x.city FROM (SELECT * REPLACE (ssn AS city) FROM sales.customers) x'),
  attempt('star', 'except-then-select', 'rows', 'SELECT ssn FROM (SELECT * EXCEPT (email) FROM sales.customers)'),
  attempt('star', 'nested-star', 'rows', 'SELECT * FROM (SELECT * FROM sales.customers)'),

  // ------------------------------------------------------------ whole rows, STRUCT, JSON, arrays
  attempt('whole-row', 'row-value', 'rows', 'SELECT c FROM sales.customers c'),
  attempt('whole-row', 'to-json-string-row', 'rows', 'SELECT TO_JSON_STRING(c) AS j FROM sales.customers c'),
  attempt('whole-row', 'to-json-string-subquery-row', 'rows', 'SELECT TO_JSON_STRING(t) AS j FROM (SELECT ssn FROM sales.customers) t'),
  attempt('whole-row', 'struct-email', 'rows', 'SELECT STRUCT(c.email) AS s FROM sales.customers c'),
  attempt('whole-row', 'struct-benign-field-names', 'rows', 'SELECT STRUCT(ssn AS city, email AS country) AS s FROM sales.customers'),
  attempt('whole-row', 'json-of-struct', 'rows', 'SELECT TO_JSON_STRING(STRUCT(card_number AS n)) AS j FROM sales.customers'),
  attempt('whole-row', 'array-literal', 'rows', 'SELECT [ssn, email] AS arr FROM sales.customers'),
  attempt('whole-row', 'array-agg-rows', 'rows', 'SELECT TO_JSON_STRING(ARRAY_AGG(c)) AS j FROM sales.customers c'),
  attempt('whole-row', 'to-json-row', 'rows', 'SELECT TO_JSON(c) AS j FROM sales.customers c'),
  attempt('whole-row', 'as-struct-subquery', 'rows', "SELECT (SELECT AS STRUCT customer_id, REPLACE(ssn, '-', '') AS b FROM sales.customers LIMIT 1) AS s"),
  attempt('whole-row', 'as-struct-json', 'rows', "SELECT TO_JSON_STRING((SELECT AS STRUCT customer_id, REPLACE(ssn, '-', '') AS b FROM sales.customers LIMIT 1)) AS j"),
  attempt('whole-row', 'as-struct-field', 'rows', "SELECT s.b FROM (SELECT (SELECT AS STRUCT customer_id, REPLACE(ssn, '-', '') AS b FROM sales.customers LIMIT 1) AS s)"),
  attempt('whole-row', 'struct-field-access', 'rows', "SELECT x.b FROM (SELECT STRUCT(customer_id AS a, REPLACE(ssn, '-', '') AS b) AS x FROM sales.customers)"),
  attempt('whole-row', 'array-of-structs', 'rows', "SELECT ARRAY(SELECT AS STRUCT customer_id, REPLACE(card_number, '4', 'x') AS b FROM sales.customers) AS a"),

  // ------------------------------------------------------------ aggregates
  attempt('aggregate', 'string-agg', 'rows', "SELECT STRING_AGG(ssn, ',') AS all_ssn FROM sales.customers"),
  attempt('aggregate', 'array-agg', 'rows', 'SELECT ARRAY_AGG(email) AS emails FROM sales.customers'),
  attempt('aggregate', 'max-min', 'rows', 'SELECT MAX(card_number) AS m, MIN(phone) AS n FROM sales.customers'),
  attempt('aggregate', 'any-value', 'rows', 'SELECT ANY_VALUE(ssn) AS v, COUNT(*) AS n FROM sales.customers'),
  attempt('aggregate', 'grouped-string-agg', 'rows', "SELECT country, STRING_AGG(email, ';') AS e FROM sales.customers GROUP BY country"),
  attempt('aggregate', 'array-agg-struct', 'rows', 'SELECT ARRAY_AGG(STRUCT(iban, amount)) AS a FROM sales.invoices'),

  // ------------------------------------------------------------ arrays and UNNEST
  attempt('unnest', 'unnest-literal-array', 'rows', 'SELECT x FROM sales.customers, UNNEST([ssn, card_number]) AS x'),
  attempt('unnest', 'unnest-subquery-array', 'rows', 'SELECT e FROM UNNEST((SELECT ARRAY_AGG(email) FROM sales.customers)) AS e'),
  attempt('unnest', 'unnest-array-subquery-star', 'rows', 'SELECT * FROM UNNEST(ARRAY(SELECT ssn FROM sales.customers)) AS s'),
  attempt('unnest', 'array-to-string', 'rows', "SELECT ARRAY_TO_STRING([ssn, city], ' ') AS s FROM sales.customers"),

  // ------------------------------------------------------------ case variants of names
  attempt('case', 'upper-names', 'rows', 'SELECT SSN AS x FROM SALES.CUSTOMERS'),
  attempt('case', 'mixed-names', 'rows', 'SELECT Email, Card_Number FROM Sales.Customers'),
  attempt('case', 'backticked-parts', 'rows', 'SELECT `Phone` FROM `sales`.`CUSTOMERS`'),

  // ------------------------------------------------------------ window functions
  attempt('window', 'first-value', 'rows', 'SELECT customer_id, FIRST_VALUE(ssn) OVER (ORDER BY customer_id) AS v FROM sales.customers'),
  attempt('window', 'lag', 'rows', 'SELECT LAG(email) OVER (ORDER BY customer_id) AS prev FROM sales.customers'),
  attempt('window', 'max-over-partition', 'rows', 'SELECT MAX(card_number) OVER (PARTITION BY country) AS m FROM sales.customers'),

  // ------------------------------------------------------------ joins to orders and invoices
  attempt('join', 'orders-invoices-iban', 'rows', 'SELECT o.order_id, o.amount, i.iban FROM sales.orders o JOIN sales.invoices i ON i.order_id = o.order_id'),
  attempt('join', 'orders-customers-using', 'rows', 'SELECT o.order_id, c.email FROM sales.orders o JOIN sales.customers c USING (customer_id)'),
  attempt('join', 'iban-without-spaces', 'rows', "SELECT i.invoice_id, REPLACE(i.iban, ' ', '') AS acct FROM sales.invoices i"),
  attempt('join', 'three-way', 'rows', 'SELECT c.city, o.status, CONCAT(i.iban, c.phone) AS x FROM sales.customers c JOIN sales.orders o ON o.customer_id = c.customer_id JOIN sales.invoices i ON i.order_id = o.order_id'),

  // ------------------------------------------------------------ predicates on protected columns (need approval)
  attempt('predicate', 'where-ssn-like', 'approved-rows', "SELECT customer_id, city FROM sales.customers WHERE ssn LIKE '1%'"),
  attempt('predicate', 'order-by-email', 'approved-rows', 'SELECT email FROM sales.customers ORDER BY email LIMIT 5'),
  attempt('predicate', 'group-by-ssn', 'approved-rows', 'SELECT ssn, COUNT(*) AS n FROM sales.customers GROUP BY ssn'),

  // ------------------------------------------------------------ hr (denied to agents)
  attempt('hr', 'hr-star', 'denied', 'SELECT * FROM hr.salaries'),
  attempt('hr', 'hr-ssn-qualified', 'denied', 'SELECT ssn FROM `demo-project.hr.salaries`'),
  attempt('hr', 'hr-join', 'denied', 'SELECT c.email FROM sales.customers c JOIN hr.salaries s ON s.email = c.email'),
  attempt('hr', 'hr-cte', 'denied', 'WITH s AS (SELECT bank_iban FROM hr.salaries) SELECT * FROM s'),
  attempt('hr', 'hr-upper', 'denied', 'SELECT BANK_IBAN FROM HR.SALARIES'),

  // ------------------------------------------------------------ errors that could echo values
  attempt('error', 'cast-ssn-int', 'failed', 'SELECT CAST(ssn AS INT64) AS n FROM sales.customers'),
  attempt('error', 'cast-email-int', 'failed', 'SELECT CAST(email AS INT64) AS n FROM sales.customers'),
  attempt('error', 'cast-card-date', 'failed', 'SELECT CAST(card_number AS DATE) AS d FROM sales.customers'),
  attempt('error', 'cast-iban-numeric', 'failed', 'SELECT CAST(iban AS NUMERIC) AS n FROM sales.invoices'),
  attempt('error', 'cast-reversed-phone', 'failed', 'SELECT CAST(REVERSE(phone) AS INT64) AS n FROM sales.customers'),
  attempt('error', 'error-function', 'failed', 'SELECT ERROR(email) AS e FROM sales.customers'),

  // ------------------------------------------------------------ issue 18, class 1: pairing by position
  attempt('pairing', 'pair-two-x', 'rows', 'SELECT email AS x, ssn AS x FROM sales.customers'),
  attempt('pairing', 'pair-benign-name-twice', 'rows', 'SELECT ssn AS city, city FROM sales.customers'),
  attempt('pairing', 'pair-engine-rename-lookalike', 'rows', 'SELECT city AS `x:1`, ssn AS x, phone AS x FROM sales.customers'),
  attempt('pairing', 'pair-star-and-duplicate', 'rows', 'SELECT *, card_number AS city FROM sales.customers'),
  attempt('pairing', 'pair-three-same', 'rows', 'SELECT country AS c, email AS c, card_number AS c FROM sales.customers'),

  // ------------------------------------------------------------ class 2: the executed SQL is not the analysed SQL
  attempt('executed', 'derived-column-list', 'rows', 'SELECT a FROM (SELECT ssn, city FROM sales.customers) AS t(city, a)'),
  attempt('executed', 'derived-column-list-swap', 'rows', 'SELECT city FROM (SELECT ssn, city FROM sales.customers) AS t(city, other)'),
  // The transpiler drops a CTE's column list, so DuckDB cannot bind the listed names: it fails, never misreads.
  attempt('executed', 'cte-column-list', 'failed', 'WITH t (b, a) AS (SELECT email, ssn FROM sales.customers) SELECT a, b FROM t'),
  attempt('executed', 'cte-column-list-benign', 'failed', 'WITH t (city, country) AS (SELECT card_number, phone FROM sales.customers) SELECT city, country FROM t'),
  attempt('executed', 'star-rename', 'rows', 'SELECT * RENAME (ssn AS city) FROM sales.customers'),
  // COLUMNS is no GoogleSQL built-in: the analyser reads it as a call of a routine, which the policy denies.
  attempt('executed', 'columns-regex', 'denied', "SELECT COLUMNS('ssn|email') FROM sales.customers"),

  // ------------------------------------------------------------ class 3: keys are data
  attempt('keys', 'histogram-ssn', 'rows', 'SELECT HISTOGRAM(ssn) AS h FROM sales.customers'),
  attempt('keys', 'json-object-key', 'rows', 'SELECT JSON_OBJECT(email, 1) AS j FROM sales.customers'),
  attempt('keys', 'map-from-entries', 'rows', 'SELECT MAP_FROM_ENTRIES([STRUCT(card_number AS k, 1 AS v)]) AS m FROM sales.customers'),
  attempt('keys', 'parse-json-concat', 'rows', `SELECT PARSE_JSON(CONCAT('{"', ssn, '": 1}')) AS j FROM sales.customers`),
  attempt('keys', 'json-keys-from-iban', 'rows', `SELECT PARSE_JSON(CONCAT('{"', REPLACE(iban, ' ', ''), '": "x"}')) AS j FROM sales.invoices`),

  // ------------------------------------------------------------ class 4: a format-preserving rule as a carrier
  attempt('carrier', 'email-domain-carrier', 'rows', "SELECT CONCAT('a@', REPLACE(email, '@', '.')) AS email FROM sales.customers"),
  attempt('carrier', 'email-carries-ssn', 'rows', "SELECT CONCAT('a@', REPLACE(ssn, '-', ''), '.com') AS email FROM sales.customers"),
  attempt('carrier', 'email-carrier-cte', 'rows', "WITH p AS (SELECT CONCAT('a@', REPLACE(card_number, ' ', ''), '.io') AS email FROM sales.customers) SELECT email FROM p"),
  attempt('carrier', 'last4-carries-card', 'rows', "SELECT CONCAT(REPLACE(card_number, ' ', ''), '0000') AS card_number FROM sales.customers"),
  attempt('carrier', 'last4-reversed', 'rows', 'SELECT REVERSE(phone) AS phone FROM sales.customers'),
  attempt('carrier', 'year-carrier', 'rows', "SELECT CONCAT(SUBSTR(REPLACE(ssn, '-', ''), 1, 4), '-01-01') AS birth_date FROM sales.customers"),
  attempt('carrier', 'emptied-into-city', 'rows', 'SELECT CONCAT(city, SUBSTR(email, 1, 0)) AS x, CONCAT(SUBSTR(email, 1, 0), ssn) AS y FROM sales.customers'),

  // ------------------------------------------------------------ class 5: formatting against the detectors
  attempt('format', 'ssn-digits-glued', 'rows', "SELECT CONCAT('id', REPLACE(ssn, '-', '')) AS ref FROM sales.customers"),
  attempt('format', 'iban-lower', 'rows', "SELECT LOWER(REPLACE(iban, ' ', '')) AS acct FROM sales.invoices"),
  attempt('format', 'card-underscores', 'rows', "SELECT REPLACE(card_number, ' ', '_') AS ref FROM sales.customers"),
  // The analyser reads `[OFFSET(…)]` as a routine call today, so the policy denies this; were it run, lineage redacts both parts.
  attempt('format', 'email-at-cut', 'denied', "SELECT SPLIT(email, '@')[OFFSET(0)] AS local, SPLIT(email, '@')[OFFSET(1)] AS domain FROM sales.customers"),
  attempt('format', 'email-at-cut-substr', 'rows', "SELECT SUBSTR(email, 1, STRPOS(email, '@') - 1) AS local, SUBSTR(email, STRPOS(email, '@') + 1) AS domain FROM sales.customers"),
  attempt('format', 'card-as-number', 'rows', "SELECT SAFE_CAST(REPLACE(card_number, ' ', '') AS INT64) AS n FROM sales.customers"),
  ...generatedAttempts(),
];

/** The tables whose every column is neither protected nor PII: their values come back exact. */
export const benignQueries = {
  orders: 'SELECT order_id, customer_id, amount, currency, status, ordered_at FROM sales.orders ORDER BY order_id',
  pageViews: 'SELECT * FROM analytics.page_views ORDER BY view_id',
  places: 'SELECT customer_id, city, country FROM sales.customers ORDER BY customer_id',
} as const;

/**
 * The utility set: joins, aggregates and window functions over unprotected columns of tables that
 * also hold protected ones. Every column must come back unmasked, with no detector hit.
 */
export const utilityQueries = {
  join: 'SELECT o.order_id, o.amount, c.city, c.country FROM sales.orders o JOIN sales.customers c ON c.customer_id = o.customer_id ORDER BY o.order_id',
  joinUsing: 'SELECT order_id, city FROM sales.orders JOIN sales.customers USING (customer_id) ORDER BY order_id',
  aggregate: 'SELECT c.country, COUNT(*) AS orders, COUNT(DISTINCT c.customer_id) AS customers FROM sales.orders o JOIN sales.customers c ON c.customer_id = o.customer_id GROUP BY c.country ORDER BY c.country',
  aggregateAmounts: 'SELECT currency, MIN(amount) AS low, MAX(amount) AS high, COUNT(*) AS n FROM sales.orders GROUP BY currency ORDER BY currency',
  window: 'SELECT order_id, customer_id, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY order_id) AS nth, COUNT(*) OVER (PARTITION BY customer_id) AS per_customer FROM sales.orders ORDER BY order_id',
  windowOverCustomers: 'SELECT customer_id, city, RANK() OVER (PARTITION BY country ORDER BY customer_id) AS rank_in_country FROM sales.customers ORDER BY customer_id',
} as const;
