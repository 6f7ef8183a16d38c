/**
 * Decisions for PostgreSQL, the way the corpus judges GoogleSQL: the real analysers and
 * evaluatePolicy, the shipped policy.yaml for a PostgreSQL target, and for EXTERNAL_QUERY the shipped
 * rules plus one rule that lets agents read the `crm` connection (its tables are five-segment names).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPolyglotAnalyser } from '../../../src/adapters/analysis/polyglot-analyser.js';
import { createPostgresAnalyser } from '../../../src/adapters/analysis/postgres/postgres-analyser.js';
import type { Analyser } from '../../../src/domain/ports.js';
import { evaluatePolicy } from '../../../src/domain/policy/evaluate.js';
import { parsePolicy } from '../../../src/domain/policy/parse.js';
import type { Policy } from '../../../src/domain/policy/types.js';
import { createFakeCatalog } from '../analysis/fake-catalog.js';
import { repoRoot } from './decide.js';

const shippedText = readFileSync(join(repoRoot, 'policy.yaml'), 'utf8');
const crmText = shippedText
  .replace('masking:\n  columns:', 'masking:\n  columns:\n    - { table: "**.crm.public.contacts", column: ssn, rule: redact }')
  .replace('rules:', 'rules:\n  - id: agents-read-crm\n    match: { groups: [ai-agents], statements: [select], tables: ["demo-project.us.crm.**"] }\n    effect: allow');
const parsed = (text: string): Policy => {
  const result = parsePolicy(text);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.policy;
};
const shipped = parsed(shippedText);
const crm = parsed(crmText);

const postgresTarget = createPostgresAnalyser({ catalog: createFakeCatalog() });
const bigQuery = createPolyglotAnalyser({ catalog: createFakeCatalog(), warmUp: false, externalQuery: { postgresConnections: ['demo-project.us.crm'] } });
const eq = (sql: string, connection = 'demo-project.us.crm'): string => `SELECT * FROM EXTERNAL_QUERY('${connection}', '${sql.replace(/'/g, "\\'")}')`;

const cases: [string, Analyser, Policy, string, string, string][] = [
  // [what, analyser, policy, sql, effect, rule]
  ['pg read', postgresTarget, shipped, 'SELECT order_id, amount FROM sales.orders WHERE status = $1', 'allow', 'agents-read-sales-analytics'],
  ['pg DROP', postgresTarget, shipped, 'DROP TABLE sales.orders', 'deny', 'no-destruction'],
  ['pg DROP hidden after a read', postgresTarget, shipped, 'SELECT 1; DROP TABLE sales.orders', 'deny', 'no-destruction'],
  ['pg COPY TO', postgresTarget, shipped, "COPY sales.customers TO '/tmp/x.csv'", 'deny', 'no-destruction'],
  ['pg SET ROLE', postgresTarget, shipped, 'SET ROLE postgres', 'deny', 'no-destruction'],
  ['pg DO block', postgresTarget, shipped, 'DO $$ BEGIN DELETE FROM sales.orders; END $$', 'deny', 'no-destruction'],
  ['pg file read', postgresTarget, shipped, "SELECT pg_read_file('/etc/passwd')", 'deny', 'no-destruction'],
  ['pg DML in a CTE', postgresTarget, shipped, 'WITH gone AS (DELETE FROM sales.orders RETURNING order_id) SELECT * FROM gone', 'approve', 'writes-need-approval'],
  ['pg INSERT', postgresTarget, shipped, "INSERT INTO sales.orders (order_id) VALUES (1)", 'approve', 'writes-need-approval'],
  ['pg hr for an agent', postgresTarget, shipped, 'SELECT salary FROM hr.salaries', 'deny', 'hr-restricted'],
  ['pg probe on a masked column', postgresTarget, shipped, "SELECT customer_id FROM sales.customers WHERE ssn LIKE '1%'", 'approve', 'protected-predicates'],
  ['EQ read', bigQuery, crm, eq('SELECT id, city FROM contacts'), 'allow', 'agents-read-crm'],
  ['EQ DDL', bigQuery, crm, eq('DROP TABLE contacts'), 'deny', 'no-destruction'],
  ['EQ DDL after a read', bigQuery, crm, eq('SELECT 1; TRUNCATE contacts'), 'deny', 'no-destruction'],
  ['EQ write', bigQuery, crm, eq('UPDATE contacts SET city = NULL'), 'approve', 'writes-need-approval'],
  ['EQ MySQL / unlisted connection', bigQuery, crm, eq('SELECT 1', 'demo-project.us.shop-mysql'), 'deny', 'no-destruction'],
  ['EQ non-literal', bigQuery, crm, "SELECT * FROM EXTERNAL_QUERY('demo-project.us.crm', CONCAT('SELECT ', '1'))", 'deny', 'no-destruction'],
  ['EQ probe inside', bigQuery, crm, eq("SELECT id FROM contacts WHERE ssn LIKE '1%'"), 'approve', 'protected-predicates'],
  ['EQ probe outside', bigQuery, crm, "SELECT id FROM EXTERNAL_QUERY('demo-project.us.crm', 'SELECT id, ssn FROM contacts') WHERE ssn LIKE '1%'", 'approve', 'protected-predicates'],
  ['EQ is not a warehouse table', bigQuery, shipped, eq('SELECT id FROM sales.customers'), 'deny', 'default'],
];

describe('PostgreSQL and EXTERNAL_QUERY decisions', () => {
  for (const [what, analyser, policy, sql, effect, rule] of cases) {
    it(`${what}: ${effect} by ${rule}`, async () => {
      const analysis = { ...(await analyser.analyse(sql, { defaultProject: 'demo-project' })), bytesEstimate: 2 ** 20 };
      const decision = evaluatePolicy(policy, { groups: ['ai-agents'], analysis });
      const seen = `${decision.effect} by ${decision.rule}; kinds ${analysis.kinds.join(',')}; tables ${analysis.tables.join(',')}\n${decision.reasons.join('\n')}`;
      assert.equal(decision.effect, effect, seen);
      assert.equal(decision.rule, rule, seen);
    });
  }
});
