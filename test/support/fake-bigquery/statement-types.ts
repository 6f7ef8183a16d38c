/**
 * BigQuery's statementType for a statement's text, and the documented list of values
 * ([D reference/rest/v2/Job#JobStatistics2.FIELDS.statement_type], checked 2025; see
 * /work/shared/BIGQUERY-REST.md §10). The fake never reports a value outside this list.
 */
export const documentedStatementTypes = new Set([
  'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'TRUNCATE_TABLE',
  'CREATE_TABLE', 'CREATE_TABLE_AS_SELECT', 'CREATE_VIEW', 'CREATE_MATERIALIZED_VIEW', 'CREATE_FUNCTION',
  'CREATE_TABLE_FUNCTION', 'CREATE_PROCEDURE', 'CREATE_ROW_ACCESS_POLICY', 'CREATE_SCHEMA', 'CREATE_SNAPSHOT_TABLE',
  'CREATE_SEARCH_INDEX', 'CREATE_EXTERNAL_TABLE', 'CREATE_MODEL',
  'DROP_TABLE', 'DROP_EXTERNAL_TABLE', 'DROP_VIEW', 'DROP_MATERIALIZED_VIEW', 'DROP_FUNCTION', 'DROP_TABLE_FUNCTION',
  'DROP_PROCEDURE', 'DROP_SEARCH_INDEX', 'DROP_SCHEMA', 'DROP_SNAPSHOT_TABLE', 'DROP_MODEL', 'DROP_ROW_ACCESS_POLICY',
  'DROP_ALL_ROW_ACCESS_POLICIES',
  'ALTER_TABLE', 'ALTER_VIEW', 'ALTER_MATERIALIZED_VIEW', 'ALTER_SCHEMA',
  'SCRIPT', 'EXPORT_DATA', 'EXPORT_MODEL', 'LOAD_DATA', 'CALL', 'ASSERT',
]);

const OBJECT =
  /^(?:CREATE(?:\s+OR\s+REPLACE)?(?:\s+TEMP(?:ORARY)?)?|DROP|ALTER)\s+(ALL\s+ROW\s+ACCESS\s+POLICIES|ROW\s+ACCESS\s+POLICY|SEARCH\s+INDEX|EXTERNAL\s+TABLE|SNAPSHOT\s+TABLE|MATERIALIZED\s+VIEW|TABLE\s+FUNCTION|AGGREGATE\s+FUNCTION|TABLE|VIEW|FUNCTION|PROCEDURE|SCHEMA|MODEL)\b/i;

/** The statementType BigQuery reports for one statement, from its leading keywords; undefined when not recognised. */
export const statementTypeOf = (statement: string): string | undefined => {
  const text = statement.trim().replace(/^(?:--[^\n]*\n|\/\*[\s\S]*?\*\/|\s)+/, '');
  const verb = /^(\w+)/.exec(text)?.[1]?.toUpperCase();
  if (verb === 'WITH' || verb === 'SELECT' || text.startsWith('(')) return 'SELECT';
  if (verb === 'INSERT' || verb === 'UPDATE' || verb === 'DELETE' || verb === 'MERGE' || verb === 'CALL' || verb === 'ASSERT') return verb;
  if (/^TRUNCATE\s+TABLE\b/i.test(text)) return 'TRUNCATE_TABLE';
  if (/^EXPORT\s+DATA\b/i.test(text)) return 'EXPORT_DATA';
  if (/^EXPORT\s+MODEL\b/i.test(text)) return 'EXPORT_MODEL';
  if (/^LOAD\s+DATA\b/i.test(text)) return 'LOAD_DATA';
  const object = OBJECT.exec(text);
  if (!object) return undefined;
  const action = text.slice(0, 6).toUpperCase().startsWith('CREATE') ? 'CREATE' : verb;
  const what = object[1].toUpperCase().replace(/\s+/g, '_').replace('AGGREGATE_FUNCTION', 'FUNCTION');
  if (action === 'CREATE' && what === 'TABLE' && /\bAS\s*\(?\s*(?:SELECT|WITH)\b/i.test(text)) return 'CREATE_TABLE_AS_SELECT';
  const type = `${action}_${what}`;
  return documentedStatementTypes.has(type) ? type : undefined;
};

/**
 * Splits a script into statements at semicolons outside quotes and comments. Enough for the
 * scripts tests send (no BEGIN … END blocks); a fake, not a parser.
 */
export const splitStatements = (sql: string): string[] => {
  const statements: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i];
    if (quote) {
      current += ch;
      if (ch === '\\') current += sql[++i] ?? '';
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
      current += '\n';
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    if (ch === ';') {
      if (current.trim()) statements.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  if (current.trim()) statements.push(current.trim());
  return statements;
};
