/**
 * The polyglot WASM engine's JSON-string entry point for `analyzeQuery`, found inside the installed SDK.
 *
 * Why: the SDK's public `analyzeQuery` hands its options (the catalog schema) to the engine as a JS
 * object, which the engine converts field by field across the WASM boundary. Measured on the five-table
 * join of `bench/analysis.bench.ts`: 3.3–3.7 ms p50 that way, 2.5–2.8 ms when the same options go in as
 * one JSON string through the engine's `analyze_query` export — the same engine, the same answer
 * (`test/analysis/polyglot-raw-engine.test.ts` compares both on a corpus).
 *
 * The SDK does not export the engine object by name: its Node entry imports it from a bundled chunk
 * whose file name carries a content hash. This reads the entry to find that chunk and the alias the
 * engine is exported under. Importing the chunk by its file URL yields the very module instance the
 * SDK already loaded (ES modules are cached by URL), so no second copy of the WASM is created. Anything
 * unexpected — another SDK layout, a missing export — yields undefined, and callers use the public API.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface RawAnalyzeEngine {
  /** The engine's `analyze_query(sql, optionsJson)`: a JSON string of `{ success, analysis?, error? }`. */
  analyzeQueryJson(sql: string, optionsJson: string): string;
}

export async function findRawAnalyzeEngine(): Promise<RawAnalyzeEngine | undefined> {
  try {
    const entry = fileURLToPath(import.meta.resolve('@polyglot-sql/sdk'));
    const source = readFileSync(entry, 'utf8');
    const match = /\b([A-Za-z_$][\w$]*) as wasmModule\b[^;]*?\bfrom\s*"(\.\/[\w.-]+\.js)"/.exec(source);
    if (!match) return undefined;
    const [, alias, chunk] = match as unknown as [string, string, string];
    const module = (await import(pathToFileURL(join(dirname(entry), chunk)).href)) as Record<string, unknown>;
    const engine = module[alias];
    if (typeof engine !== 'object' || engine === null) return undefined;
    const analyze = (engine as Record<string, unknown>).analyze_query;
    if (typeof analyze !== 'function') return undefined;
    return { analyzeQueryJson: (sql, optionsJson) => String(analyze.call(engine, sql, optionsJson)) };
  } catch {
    return undefined;
  }
}
