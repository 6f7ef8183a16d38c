/** A second policy for the corpus: exercises groups, exact and `**` table globs, bytesOver and per-rule approvals. */
export const testPolicyText = `version: 1
default: deny
approvals:
  approverGroups: [data-owners]
  required: 2
  expiresAfter: 30m
masking:
  columns:
    - { table: "demo-project.sales.customers", column: ssn, rule: redact }
  protectedPredicates: deny
rules:
  - id: no-destruction
    match: { statements: [drop, truncate, export, grant, revoke, load, call, script, unknown] }
    effect: deny
  - id: huge-scans
    match: { bytesOver: 1TiB }
    effect: deny
  - id: finance-edits-orders
    match: { groups: [finance], statements: [insert, update], tables: ["demo-project.sales.orders"] }
    effect: allow
  - id: other-writes
    match: { statements: [insert, update, delete, merge, create, alter] }
    effect: approve
    approvals: { approverGroups: [dba], required: 1 }
  - id: costly-reads
    match: { statements: [select], bytesOver: 10GiB }
    effect: approve
  - id: analysts-read-demo
    match: { groups: [analysts], statements: [select], tables: ["demo-project.**"] }
    effect: allow
  - id: anyone-reads-analytics
    match: { statements: [select], tables: ["*.analytics.*"] }
    effect: allow
`;
