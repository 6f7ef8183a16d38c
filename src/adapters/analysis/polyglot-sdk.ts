/**
 * The only file that calls @polyglot-sql/sdk. Every call is wrapped so that an exception or an
 * unexpected shape from the WASM engine becomes `undefined` (the caller then reads the statement as
 * unknown) instead of crashing the gateway.
 */
import * as polyglot from './polyglot-engine.js';
import type { QueryAnalysis, QueryAnalysisResult, Schema } from './polyglot-engine.js';
import { findRawAnalyzeEngine } from './polyglot-raw-engine.js';

export const dialect = polyglot.Dialect.BigQuery;

/** The same engine's JSON-string door for lineage, when the installed SDK exposes one (see polyglot-raw-engine.ts). */
const rawEngine = await findRawAnalyzeEngine();

/** Whether lineage goes through the engine's JSON-string door (tests check the installed SDK still has it). */
export const usesRawAnalyzeEngine = rawEngine !== undefined;

/** A parsed node: polyglot serialises its expression enum as `{ <type>: <payload> }`. */
export type AstNode = Record<string, unknown>;

export interface Token {
  readonly type: string;
  readonly text: string;
  /** Half-open offsets in Unicode code points. */
  readonly start: number;
  readonly end: number;
}

export function tokenizeSql(sql: string): Token[] | undefined {
  try {
    const result = polyglot.tokenize(sql, dialect);
    if (!result.success || !Array.isArray(result.tokens)) return undefined;
    return result.tokens.map((token) => ({
      // The runtime writes snake_case although the bundled typings say camelCase.
      type: String((token as unknown as Record<string, unknown>).token_type ?? token.tokenType),
      text: String(token.text),
      start: Number(token.span?.start),
      end: Number(token.span?.end),
    }));
  } catch {
    return undefined;
  }
}

export function parseSql(sql: string): AstNode[] | undefined {
  try {
    const result = polyglot.parse(sql, dialect);
    if (!result.success || !Array.isArray(result.ast)) return undefined;
    const nodes = result.ast as unknown[];
    return nodes.every(isNodeObject) ? (nodes as AstNode[]) : undefined;
  } catch {
    return undefined;
  }
}

export function generateSql(node: AstNode): string | undefined {
  try {
    const result = polyglot.generate([node], dialect);
    const text = result.success ? result.sql?.[0] : undefined;
    return typeof text === 'string' ? text : undefined;
  } catch {
    return undefined;
  }
}

export function analyseQuery(sql: string, schema: Schema): QueryAnalysis | undefined {
  return analyseIn(sql, dialect, schema);
}

/** Lineage of SQL in DuckDB's dialect: what the embedded warehouse actually runs. */
export function analyseDuckDbQuery(sql: string, schema: Schema): QueryAnalysis | undefined {
  return analyseIn(sql, polyglot.Dialect.DuckDB, schema);
}

/** The public API's lineage, bypassing the JSON-string door (tests compare the two). */
export function analyseQueryThroughPublicApi(sql: string, schema: Schema): QueryAnalysis | undefined {
  return analysisOf(() => polyglot.analyzeQuery(sql, { dialect, schema }));
}

function analyseIn(sql: string, inDialect: polyglot.Dialect, schema: Schema): QueryAnalysis | undefined {
  if (rawEngine) {
    const engine = rawEngine;
    return analysisOf(() => JSON.parse(engine.analyzeQueryJson(sql, JSON.stringify({ dialect: inDialect, schema }))) as QueryAnalysisResult);
  }
  return analysisOf(() => polyglot.analyzeQuery(sql, { dialect: inDialect, schema }));
}

function analysisOf(run: () => QueryAnalysisResult): QueryAnalysis | undefined {
  try {
    const result = run();
    const analysis = result.success ? result.analysis : undefined;
    if (!analysis || !Array.isArray(analysis.projections)) return undefined;
    return analysis;
  } catch {
    return undefined;
  }
}

function isNodeObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1;
}

export type { QueryAnalysis, Schema };
