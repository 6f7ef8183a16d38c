/**
 * A grammar of SELECT statements for the lineage differential property: a generated catalog (tables
 * in two datasets whose columns overlap, with PII-looking names) and queries over it with CTEs,
 * derived tables, joins of one to five sources with and without aliases, qualified and unqualified
 * (sometimes ambiguous) columns, expressions, aggregates, window functions, stars, WHERE, GROUP BY,
 * HAVING, QUALIFY and ORDER BY by position, alias or column — the shapes the fast path claims and
 * the near misses it must refuse.
 */
import fc from 'fast-check';

type Gen = fc.GeneratorValue;

export interface GeneratedCase {
  /** `dataset.table` → columns. */
  readonly tables: Record<string, readonly string[]>;
  readonly sql: string;
}

const columnPool = ['id', 'email', 'ssn', 'phone', 'full_name', 'city', 'amount', 'status', 'created_at', 'customer_id', 'iban', 'note'];
const aliasPool = ['e', 'x', 'total', 'email', 'ssn', 'city', 'n', 'label', 'amount', 'rn'];

interface Scope {
  readonly alias: string | undefined;
  readonly columns: readonly string[];
}

interface Built {
  readonly sql: string;
  /** Names the outputs can be referenced by (undefined: not referenceable). */
  readonly outputs: readonly (string | undefined)[];
}

/**
 * Half the cases are hostile (unqualified and ambiguous names, scalar subqueries, struct access,
 * USING beside stars); the other half keep to the shapes a careful analyst writes, so that the
 * fast path's share of answers says something about ordinary queries too.
 */
interface Style {
  readonly hostile: boolean;
}

const pick = <T>(g: Gen, items: readonly T[]): T => items[g(fc.integer, { min: 0, max: items.length - 1 })] as T;
const chance = (g: Gen, percent: number): boolean => g(fc.integer, { min: 0, max: 99 }) < percent;

export function generateCase(g: Gen): GeneratedCase {
  const style: Style = { hostile: chance(g, 50) };
  const tables: Record<string, string[]> = {};
  const tableCount = g(fc.integer, { min: 2, max: 5 });
  for (let i = 0; i < tableCount; i++) {
    const columns = g(fc.shuffledSubarray, columnPool, { minLength: 2, maxLength: 6 });
    tables[`ds${i % 2}.t${i}`] = columns;
  }
  const ctes: { name: string; columns: (string | undefined)[] }[] = [];
  const withParts: string[] = [];
  if (chance(g, 40)) {
    const count = g(fc.integer, { min: 1, max: 3 });
    for (let i = 0; i < count; i++) {
      const body = buildSelect(g, style, tables, ctes, 1);
      const name = `c${i}`;
      withParts.push(`${name} AS (${body.sql})`);
      ctes.push({ name, columns: [...body.outputs] });
    }
  }
  const main = chance(g, 15) ? setOperation(g, style, tables) : buildSelect(g, style, tables, ctes, 0).sql;
  return { tables, sql: `${withParts.length > 0 ? `WITH ${withParts.join(', ')} ` : ''}${main}` };
}

/** `UNION ALL` / `UNION DISTINCT` of two or three branches of one width, sometimes ordered by position. */
function setOperation(g: Gen, style: Style, tables: Record<string, readonly string[]>): string {
  const width = g(fc.integer, { min: 1, max: 3 });
  const branch = (): string => {
    const name = pick(g, Object.keys(tables));
    const columns = tables[name] as readonly string[];
    const scope: Scope = { alias: 'b', columns };
    const outputs = Array.from({ length: width }, () => (chance(g, 20) ? `LOWER(b.${pick(g, columns)})` : `b.${pick(g, columns)}`));
    const where = chance(g, 40) ? ` WHERE ${condition(g, style, [scope])}` : '';
    return `SELECT ${outputs.join(', ')} FROM ${name} b${where}`;
  };
  const branches = Array.from({ length: g(fc.integer, { min: 2, max: 3 }) }, branch);
  const joined = branches.reduce((sql, next) => `${sql} ${pick(g, ['UNION ALL', 'UNION DISTINCT', style.hostile ? 'EXCEPT DISTINCT' : 'UNION ALL'])} ${next}`);
  return chance(g, 30) ? `${joined} ORDER BY ${g(fc.integer, { min: 1, max: width })}` : joined;
}

function buildSelect(g: Gen, style: Style, tables: Record<string, readonly string[]>, ctes: readonly { name: string; columns: readonly (string | undefined)[] }[], depth: number): Built {
  const scopes: Scope[] = [];
  const fromParts: string[] = [];
  const sourceCount = g(fc.integer, { min: 1, max: depth === 0 ? 5 : 2 });
  for (let i = 0; i < sourceCount; i++) {
    const kind = ctes.length > 0 && chance(g, 30) ? 'cte' : depth < 2 && chance(g, 15) ? 'derived' : 'table';
    let text: string;
    let scope: Scope;
    if (kind === 'cte') {
      const cte = pick(g, ctes);
      const alias = chance(g, 60) ? `s${i}` : scopes.some((other) => other.alias === cte.name) ? `s${i}` : undefined;
      text = alias ? `${cte.name} ${alias}` : cte.name;
      scope = { alias: alias ?? cte.name, columns: cte.columns.filter((name): name is string => name !== undefined) };
    } else if (kind === 'derived') {
      const inner = buildSelect(g, style, tables, ctes, depth + 1);
      text = `(${inner.sql}) AS s${i}`;
      scope = { alias: `s${i}`, columns: inner.outputs.filter((name): name is string => name !== undefined) };
    } else {
      const name = pick(g, Object.keys(tables));
      const last = name.split('.')[1] as string;
      const alias = chance(g, 70) || scopes.some((other) => other.alias === last) ? `s${i}` : undefined;
      text = `${spelled(g, name)}${alias ? (chance(g, 50) ? ` AS ${alias}` : ` ${alias}`) : ''}`;
      scope = { alias: alias ?? last, columns: tables[name] as readonly string[] };
    }
    if (i === 0) fromParts.push(`FROM ${text}`);
    else fromParts.push(joinText(g, style, text, scope, scopes));
    scopes.push(scope);
  }
  const outputs: (string | undefined)[] = [];
  const projections: string[] = [];
  const count = g(fc.integer, { min: 1, max: 5 });
  for (let i = 0; i < count; i++) {
    const choice = g(fc.integer, { min: 0, max: 99 });
    // A careful analyst's outputs carry distinct names; the hostile half repeats and omits them.
    const fresh = (names: readonly (string | undefined)[]): boolean =>
      style.hostile || names.every((name) => name !== undefined && !outputs.includes(name));
    if (choice < 6 && (style.hostile || scopes.length === 1)) {
      const names = scopes.flatMap((scope) => scope.columns);
      if (fresh(names)) {
        projections.push('*');
        outputs.push(...names);
        continue;
      }
    }
    if (choice < 12) {
      const scope = pick(g, scopes);
      if (fresh(scope.columns)) {
        projections.push(`${scope.alias}.*`);
        outputs.push(...scope.columns);
        continue;
      }
    }
    const { text, name } = choice < 45 ? plainColumn(g, style, scopes) : { text: expression(g, style, scopes), name: undefined };
    let alias = chance(g, choice < 45 ? 25 : 70) ? pick(g, aliasPool) : undefined;
    if (!fresh([alias ?? name])) alias = `o${i}`;
    projections.push(alias ? `${text}${chance(g, 50) ? ' AS' : ''} ${alias}` : text);
    outputs.push(alias ?? name);
  }
  const clauses: string[] = [];
  if (chance(g, 50)) clauses.push(`WHERE ${condition(g, style, scopes, tables)}`);
  const grouped = chance(g, 25);
  if (grouped) clauses.push(`GROUP BY ${listOf(g, () => orderKey(g, style, scopes, projections.length, outputs))}`);
  if (grouped && chance(g, 40)) clauses.push(chance(g, 50) ? 'HAVING COUNT(*) > 1' : `HAVING SUM(${column(g, style, scopes)}) > 1`);
  if (chance(g, 10)) clauses.push(`QUALIFY ROW_NUMBER() OVER (PARTITION BY ${column(g, style, scopes)} ORDER BY ${column(g, style, scopes)}) = 1`);
  if (chance(g, 40)) clauses.push(`ORDER BY ${listOf(g, () => `${orderKey(g, style, scopes, projections.length, outputs)}${chance(g, 30) ? ' DESC' : ''}`)}`);
  if (chance(g, 15)) clauses.push(`LIMIT ${g(fc.integer, { min: 1, max: 100 })}`);
  const distinct = chance(g, 10) ? 'DISTINCT ' : '';
  return { sql: `SELECT ${distinct}${projections.join(', ')} ${fromParts.join(' ')}${clauses.length > 0 ? ` ${clauses.join(' ')}` : ''}`, outputs };
}

function joinText(g: Gen, style: Style, text: string, scope: Scope, before: readonly Scope[]): string {
  const choice = g(fc.integer, { min: 0, max: 99 });
  if (choice < 10) return `, ${text}`;
  if (choice < 18) return `CROSS JOIN ${text}`;
  const kind = choice < 30 ? 'LEFT JOIN' : 'JOIN';
  const shared = scope.columns.filter((name) => before.some((other) => other.columns.includes(name)));
  if (style.hostile && shared.length > 0 && chance(g, 15)) return `${kind} ${text} USING (${pick(g, shared)})`;
  const left = pick(g, before);
  const leftColumn = left.columns.length > 0 ? `${left.alias}.${pick(g, left.columns)}` : '1';
  const rightColumn = scope.columns.length > 0 ? `${scope.alias}.${pick(g, scope.columns)}` : '1';
  const extra = chance(g, 20) ? ` AND ${rightColumn} IS NOT NULL` : '';
  return `${kind} ${text} ON ${leftColumn} = ${rightColumn}${extra}`;
}

function plainColumn(g: Gen, style: Style, scopes: readonly Scope[]): { text: string; name: string | undefined } {
  const scope = pick(g, scopes);
  if (scope.columns.length === 0) return { text: '1', name: undefined };
  const name = pick(g, scope.columns);
  const choice = g(fc.integer, { min: 0, max: 99 });
  if (choice < 10) return { text: `(${scope.alias}.${name})`, name: undefined };
  if (choice < 20) return { text: `${scope.alias}.${name.toUpperCase()}`, name: name.toUpperCase() };
  return choice < 75 || (!style.hostile && scopes.length > 1) ? { text: `${scope.alias}.${name}`, name } : { text: name, name };
}

/** A column reference, qualified or not (unqualified ones may be ambiguous, or name an alias). */
function column(g: Gen, style: Style, scopes: readonly Scope[]): string {
  const scope = pick(g, scopes);
  if (scope.columns.length === 0) return chance(g, 50) ? pick(g, columnPool) : '1';
  const name = spelled(g, pick(g, scope.columns));
  return chance(g, 75) || (!style.hostile && scopes.length > 1) ? `${scope.alias}.${name}` : name;
}

/** A name as people write it: mostly plain, sometimes in backticks or another case (GoogleSQL folds both). */
function spelled(g: Gen, name: string): string {
  const choice = g(fc.integer, { min: 0, max: 99 });
  if (choice < 8) return `\`${name}\``;
  if (choice < 12) return name.toUpperCase();
  if (choice < 15 && name.includes('.')) return name.split('.').map((part) => `\`${part}\``).join('.');
  return name;
}

function expression(g: Gen, style: Style, scopes: readonly Scope[]): string {
  const a = (): string => column(g, style, scopes);
  const templates: (() => string)[] = [
    () => `LOWER(${a()})`,
    () => `UPPER(${a()})`,
    () => `TRIM(${a()})`,
    () => `CONCAT(${a()}, '-', ${a()})`,
    () => `${a()} || ${a()}`,
    () => `CAST(${a()} AS STRING)`,
    () => `SAFE_CAST(${a()} AS INT64)`,
    () => `COALESCE(${a()}, ${a()})`,
    () => `CASE WHEN ${a()} = 'a' THEN ${a()} ELSE ${a()} END`,
    () => `IF(${a()} IS NULL, ${a()}, 'none')`,
    () => `${a()} + 1`,
    () => `SUM(${a()})`,
    () => `COUNT(${a()})`,
    () => 'COUNT(*)',
    () => `MAX(${a()})`,
    () => `COUNT(DISTINCT ${a()})`,
    () => `ROW_NUMBER() OVER (PARTITION BY ${a()} ORDER BY ${a()})`,
    () => `SUM(${a()}) OVER (PARTITION BY ${a()})`,
    () => `ARRAY_AGG(${a()} ORDER BY ${a()})`,
    () => `SHA256(${a()})`,
    () => `TO_HEX(MD5(${a()}))`,
    () => `SUBSTR(${a()}, 1, 3)`,
    () => "'constant'",
    () => '42',
    () => `MIN(${a()})`,
    () => `AVG(${a()})`,
    () => `RANK() OVER (ORDER BY ${a()} DESC)`,
    () => `DENSE_RANK() OVER (PARTITION BY ${a()} ORDER BY ${a()} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`,
    () => `NULLIF(${a()}, '')`,
    () => `ROUND(ABS(${a()} - 1), 2)`,
    () => `MOD(${a()}, 7) * -${a()} / 2`,
    () => `LENGTH(${a()}) >= 3 AND ${a()} <> 'b' OR ${a()} <= 'c'`,
    () => `EXTRACT(YEAR FROM ${a()})`,
    () => `DATE_TRUNC(${a()}, MONTH)`,
    () => `FORMAT('%s-%s', ${a()}, ${a()})`,
    () => `REGEXP_EXTRACT(${a()}, r'@(.*)')`,
    () => `GREATEST(${a()}, ${a()})`,
    () => `LEFT(${a()}, 2)`,
    () => `CASE ${a()} WHEN 'a' THEN ${a()} WHEN 'b' THEN NULL ELSE TRUE END`,
    () => `SAFE.UPPER(${a()})`,
  ];
  if (style.hostile) templates.push(() => `(SELECT MAX(${a()}) FROM ds0.t0)`, () => `${a()}.field`);
  return pick(g, templates)();
}

function condition(g: Gen, style: Style, scopes: readonly Scope[], tables?: Record<string, readonly string[]>): string {
  const templates: (() => string)[] = [
    () => `${column(g, style, scopes)} = 'x'`,
    () => `${column(g, style, scopes)} IS NULL`,
    () => `${column(g, style, scopes)} IN ('a', 'b')`,
    () => `${column(g, style, scopes)} BETWEEN 1 AND 9`,
    () => `${column(g, style, scopes)} LIKE 'a%'`,
    () => `NOT (${column(g, style, scopes)} = 'y')`,
    () => `${column(g, style, scopes)} > ${column(g, style, scopes)}`,
  ];
  if (tables) {
    // Subqueries in WHERE; the hostile half correlates them with the outer query.
    const inner = (): { name: string; scope: Scope } => {
      const name = pick(g, Object.keys(tables));
      return { name, scope: { alias: 'q', columns: tables[name] as readonly string[] } };
    };
    const innerWhere = (scope: Scope): string =>
      style.hostile && chance(g, 50) ? ` WHERE q.${pick(g, scope.columns)} = ${column(g, style, scopes)}` : chance(g, 50) ? ` WHERE ${condition(g, style, [scope])}` : '';
    templates.push(
      () => {
        const { name, scope } = inner();
        return `${column(g, style, scopes)}${chance(g, 30) ? ' NOT' : ''} IN (SELECT ${chance(g, 20) ? 'LOWER(' : '('}q.${pick(g, scope.columns)}) FROM ${name} q${innerWhere(scope)})`;
      },
      () => {
        const { name, scope } = inner();
        return `${chance(g, 30) ? 'NOT ' : ''}EXISTS (SELECT 1 FROM ${name} q${innerWhere(scope)})`;
      },
    );
  }
  const one = (): string => pick(g, templates)();
  return chance(g, 40) ? `${one()} ${chance(g, 50) ? 'AND' : 'OR'} ${one()}` : one();
}

function orderKey(g: Gen, style: Style, scopes: readonly Scope[], outputCount: number, outputs: readonly (string | undefined)[]): string {
  const choice = g(fc.integer, { min: 0, max: 99 });
  if (choice < 30) return String(g(fc.integer, { min: 1, max: Math.max(1, outputCount) }));
  const named = outputs.filter((name): name is string => name !== undefined);
  if (choice < 55 && named.length > 0) return pick(g, named);
  return choice < 90 ? column(g, style, scopes) : `LOWER(${column(g, style, scopes)})`;
}

function listOf(g: Gen, item: () => string): string {
  const count = g(fc.integer, { min: 1, max: 3 });
  return Array.from({ length: count }, item).join(', ');
}
