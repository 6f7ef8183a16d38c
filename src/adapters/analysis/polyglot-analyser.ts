/**
 * The Analyser port over @polyglot-sql/sdk. It reads GoogleSQL the way the warehouse will, statement
 * by statement, and fails closed: whatever it cannot read with certainty is `unknown`, whatever
 * lineage it cannot follow is `unknown` with `lineageIncomplete`.
 */
import { createHash } from 'node:crypto';
import type { Analyser, AnalysisContext, Catalog, TableRef, TableSchema } from '../../domain/ports.js';
import {
  statementKinds,
  type AnalysedStatement,
  type Analysis,
  type StatementKind,
} from '../../domain/analysis/types.js';
import { riskiestKind } from '../../domain/analysis/types.js';
import { joinExternalQueries, readExternalQuery, type ExternalQueryOptions } from './external-query/external-query.js';
import { computeLineage, type LineageFacts, type LineagePath } from './lineage.js';
import { LruCache } from './lru-cache.js';
import { parseSql, type AstNode } from './polyglot-sdk.js';
import { collectStatementFacts, type StatementFacts, type WalkEnv } from './statement-facts.js';
import { hintKindsFromLeadingWords } from './statement-kinds.js';
import { hasDisguisingCharacters, nameAt, splitStatements, type SplitResult, type StatementChunk } from './statement-split.js';
import { warmUpPolyglot } from './warm-up.js';

export interface PolyglotAnalyserOptions {
  readonly catalog: Catalog;
  /** Analyses kept, least recently used dropped first. Default 1000. */
  readonly cacheSize?: number;
  /** Exercise the WASM engine once at creation so the first request is not slow. Default true. */
  readonly warmUp?: boolean;
  /** Which EXTERNAL_QUERY connections are PostgreSQL; by default none (every EXTERNAL_QUERY is unknown). */
  readonly externalQuery?: ExternalQueryOptions;
  /** Which reading computes column lineage; default `fast-path-first` (tests compare it with `analyze-query-only`). */
  readonly lineagePath?: LineagePath;
}

/** `BEGIN <statement>` blocks nest; deeper than this is read as unknown. */
const maxNesting = 8;

interface Draft {
  readonly node?: AstNode;
  readonly text: string;
  /** The text holds exactly this statement (not a BEGIN block's remainder or a regenerated one). */
  readonly textIsStatement: boolean;
  readonly facts: StatementFacts;
  readonly nested: Draft[];
}

export function createPolyglotAnalyser(options: PolyglotAnalyserOptions): Analyser {
  const { catalog } = options;
  const cache = new LruCache<string, Promise<Analysis>>(options.cacheSize ?? 1000);
  if (options.warmUp ?? true) warmUpPolyglot();

  return {
    analyse(sql: string, context: AnalysisContext): Promise<Analysis> {
      const key = cacheKey(sql, context, catalog.version());
      const cached = cache.get(key);
      if (cached) return cached;
      const lookups = { failed: false };
      const pending = analyseRequest(sql, context, catalog, lookups, options.externalQuery, options.lineagePath)
        .catch(() => failClosedAnalysis(sql))
        .then((analysis) => {
          // A catalog outage gives a fail-closed answer that must not outlive the outage.
          if (lookups.failed) cache.delete(key);
          return analysis;
        });
      cache.set(key, pending);
      return pending;
    },
  };
}

function cacheKey(sql: string, context: AnalysisContext, catalogVersion: string): string {
  const digest = createHash('sha256').update(sql).digest('hex');
  return JSON.stringify([digest, context.defaultProject, context.defaultDataset ?? null, catalogVersion]);
}

async function analyseRequest(
  sql: string,
  context: AnalysisContext,
  catalog: Catalog,
  lookups: { failed: boolean },
  externalQuery?: ExternalQueryOptions,
  lineagePath?: LineagePath,
): Promise<Analysis> {
  const drafts = draftStatements(sql, context, 0);
  if (hasDisguisingCharacters(sql)) {
    for (const draft of allDrafts(drafts)) markUnreadable(draft.facts);
    drafts[0]?.facts.problems.push('the text holds control, format or unusual space characters');
  }
  const schemas = await resolveSchemas(allDrafts(drafts), catalog, lookups);
  const external = (draft: Draft): AnalysedStatement[][] =>
    (draft.facts.externalQueries ?? []).map((call) => readExternalQuery(call, externalQuery ?? { postgresConnections: [] }));
  const statements = drafts.map((draft) =>
    joinExternalQueries(finishStatement(draft, schemas, context, lineagePath), allDrafts([draft]).flatMap(external), draft.nested.length === 0 ? draft.node : undefined),
  );
  const problems = [...new Set(allDrafts(drafts).flatMap((draft) => draft.facts.problems))];
  return deepFreeze({
    statements,
    tables: sortedUnion(statements.map((statement) => statement.tables)),
    kinds: orderedKinds(new Set(statements.flatMap((statement) => statement.kinds))),
    ...(problems.length > 0 ? { readingProblems: problems } : {}),
  });
}

function failClosedAnalysis(sql: string): Analysis {
  const statement = finishStatement(unreadableDraft(sql, [], 'the analyser failed'), new Map(), { defaultProject: '' });
  return deepFreeze({ statements: [statement], tables: [], kinds: ['unknown'], readingProblems: ['the analyser failed'] });
}

// ---------------------------------------------------------------- reading statements

function draftStatements(sql: string, context: AnalysisContext, depth: number): Draft[] {
  if (depth > maxNesting) return [unreadableDraft(sql, [], `BEGIN blocks nest deeper than ${maxNesting}`)];
  const outcome = splitStatements(sql);
  if (!outcome.ok) return [unreadableDraft(sql, [], outcome.problem)];
  const { split } = outcome;
  if (split.chunks.length === 0) return [unreadableDraft(sql, [], 'the request holds no statement')];
  const drafts = draftChunks(sql, split, context, depth);
  // A BEGIN block's remainder is re-read alone and need not balance; only the whole request must.
  const problem = depth === 0 ? split.problem : split.disagreement;
  if (problem !== undefined) {
    for (const draft of allDrafts(drafts)) markUnreadable(draft.facts);
    (drafts[0] as Draft).facts.problems.push(problem);
  }
  return drafts;
}

function draftChunks(sql: string, split: SplitResult, context: AnalysisContext, depth: number): Draft[] {
  const { chunks } = split;
  const whole = parseSql(sql);
  if (whole && whole.length === chunks.length) {
    const env = walkEnv(split, context, 0);
    return whole.map((node, index) => parsedDraft(node, (chunks[index] as StatementChunk).text, true, env, depth));
  }
  // The request as a whole did not parse: read each statement alone so the readable ones keep
  // their detail, and the others are unknown.
  return chunks.flatMap((chunk) => {
    const nodes = parseSql(chunk.text);
    if (!nodes || nodes.length === 0) {
      return [unreadableDraft(chunk.text, hintKindsFromLeadingWords(chunk.leadingWords), 'the parser library cannot read a statement')];
    }
    const env = walkEnv(split, context, chunk.codePointStart);
    const drafts = nodes.map((node) => parsedDraft(node, chunk.text, nodes.length === 1, env, depth));
    if (nodes.length > 1) {
      // GoogleSQL reads one statement here; a reader that finds several is not reading the same text.
      for (const draft of allDrafts(drafts)) markUnreadable(draft.facts);
      (drafts[0] as Draft).facts.problems.push(`the parser library reads ${nodes.length} statements where GoogleSQL reads one`);
    }
    return drafts;
  });
}

/** Quoted names are looked up by where the parsed text starts in the request (code points). */
function walkEnv(split: SplitResult, context: AnalysisContext, base: number): WalkEnv {
  return {
    context,
    tempFunctions: split.tempFunctions,
    decodeName: (value) => {
      const span = spanOf(value);
      return span === undefined ? undefined : nameAt(split.namePieces, base + span.start, base + span.end);
    },
  };
}

function spanOf(value: unknown): { start: number; end: number } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const span = (value as { span?: { start?: unknown; end?: unknown } }).span;
  return typeof span?.start === 'number' && typeof span.end === 'number' ? { start: span.start, end: span.end } : undefined;
}

function parsedDraft(node: AstNode, text: string, textIsStatement: boolean, env: WalkEnv, depth: number): Draft {
  const facts = collectStatementFacts(node, env);
  const nested = facts.nestedSql.filter((nestedSql) => nestedSql.length > 0).flatMap((nestedSql) => draftStatements(nestedSql, env.context, depth + 1));
  return { node, text, textIsStatement, facts, nested };
}

function unreadableDraft(text: string, hints: readonly StatementKind[], problem: string): Draft {
  const facts: StatementFacts = {
    kinds: new Set<StatementKind>([...hints, 'unknown']),
    references: [],
    writtenTables: new Set(),
    nestedSql: [],
    scripting: hints.includes('script'),
    dynamicSql: false,
    unparsed: true,
    lineageIncomplete: true,
    problems: [problem],
  };
  return { text, textIsStatement: false, facts, nested: [] };
}

function markUnreadable(facts: StatementFacts): void {
  facts.kinds.add('unknown');
  facts.unparsed = true;
  facts.lineageIncomplete = true;
}

function allDrafts(drafts: readonly Draft[]): Draft[] {
  return drafts.flatMap((draft) => [draft, ...allDrafts(draft.nested)]);
}

// ---------------------------------------------------------------- catalog

async function resolveSchemas(
  drafts: readonly Draft[],
  catalog: Catalog,
  lookups: { failed: boolean },
): Promise<Map<string, TableSchema | undefined>> {
  const wanted = new Map<string, TableRef>();
  for (const draft of drafts) {
    for (const reference of draft.facts.references) {
      if (reference.table.ref && !reference.table.unqualified) wanted.set(reference.table.name, reference.table.ref);
    }
  }
  const entries = await Promise.all(
    [...wanted].map(async ([name, ref]): Promise<[string, TableSchema | undefined]> => {
      try {
        return [name, await catalog.getTable(ref)];
      } catch {
        lookups.failed = true;
        return [name, undefined];
      }
    }),
  );
  return new Map(entries);
}

// ---------------------------------------------------------------- assembling

function finishStatement(
  draft: Draft,
  schemas: ReadonlyMap<string, TableSchema | undefined>,
  context: AnalysisContext,
  lineagePath?: LineagePath,
): AnalysedStatement {
  const { facts } = draft;
  const unknownTable = facts.references.some((reference) => !reference.written && !schemas.get(reference.table.name));
  let lineage: LineageFacts = {
    outputColumns: [],
    filterColumns: [],
    joinColumns: [],
    groupColumns: [],
    orderColumns: [],
    incomplete: facts.unparsed,
  };
  if (draft.node && !facts.unparsed) {
    lineage = computeLineage({
      statement: draft.node,
      references: facts.references,
      schemas,
      context,
      incomplete: facts.lineageIncomplete || unknownTable,
      ...(draft.textIsStatement ? { sourceText: draft.text } : {}),
      ...(lineagePath ? { lineagePath } : {}),
    });
  }
  const nested = draft.nested.map((child) => finishStatement(child, schemas, context, lineagePath));
  const kinds = orderedKinds(new Set([...facts.kinds, ...nested.flatMap((child) => child.kinds)]));
  return {
    kind: riskiestKind(kinds),
    kinds,
    tables: sortedUnion([facts.references.map((reference) => reference.table.name), ...nested.map((child) => child.tables)]),
    writtenTables: sortedUnion([[...facts.writtenTables], ...nested.map((child) => child.writtenTables)]),
    outputColumns: [...lineage.outputColumns, ...nested.flatMap((child) => child.outputColumns)],
    filterColumns: [...lineage.filterColumns, ...nested.flatMap((child) => child.filterColumns)],
    joinColumns: [...lineage.joinColumns, ...nested.flatMap((child) => child.joinColumns)],
    groupColumns: [...lineage.groupColumns, ...nested.flatMap((child) => child.groupColumns)],
    orderColumns: [...lineage.orderColumns, ...nested.flatMap((child) => child.orderColumns)],
    flags: {
      scripting: facts.scripting || nested.some((child) => child.flags.scripting),
      dynamicSql: facts.dynamicSql || nested.some((child) => child.flags.dynamicSql),
      unparsed: facts.unparsed || nested.some((child) => child.flags.unparsed),
      lineageIncomplete:
        facts.unparsed || facts.lineageIncomplete || unknownTable || lineage.incomplete || nested.some((child) => child.flags.lineageIncomplete),
    },
    text: draft.text,
  };
}

function orderedKinds(kinds: ReadonlySet<StatementKind>): StatementKind[] {
  const ordered = statementKinds.filter((kind) => kinds.has(kind));
  return ordered.length > 0 ? ordered : ['unknown'];
}

function sortedUnion(lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())].sort();
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
