/**
 * Turning a table name as written into the `project.dataset.table` the target resolves it to.
 * Names compare in lower case; a name the defaults cannot complete is kept under `_unqualified_` and
 * marked, so the caller can treat its lineage as incomplete instead of guessing.
 */
import type { AnalysisContext, TableRef } from '../../domain/ports.js';
import { identifierText, isQuoted, isRecord, type Payload } from './ast-nodes.js';

export const unqualifiedDataset = '_unqualified_';

export interface QualifiedTable {
  /** Lower-case `project.dataset.table` (INFORMATION_SCHEMA views keep their extra part). */
  readonly name: string;
  /** What the catalog is asked for; undefined where the catalog cannot answer (INFORMATION_SCHEMA). */
  readonly ref?: TableRef;
  /** The defaults could not complete the name. */
  readonly unqualified: boolean;
}

/** A quoted name part as GoogleSQL decodes it (escapes applied), or undefined when it cannot tell. */
export type NameDecoder = (quotedIdentifier: unknown) => string | undefined;

/**
 * The name parts of a table reference node (`{ name, schema, catalog }`), split at the dots inside
 * backtick-quoted parts: `p.d`.t, `p`.d.t and `p.d.t` all give [p, d, t]. With a decoder, quoted
 * parts are read as GoogleSQL reads them (`\u0068r` is `hr`), and one it cannot read fails the name.
 */
export function tableNameParts(payload: Payload, decodeQuoted?: NameDecoder): string[] | undefined {
  const parts: string[] = [];
  for (const field of ['catalog', 'schema', 'name'] as const) {
    const value = payload[field];
    if (value === null || value === undefined) continue;
    const text = decodeQuoted && isQuoted(value) ? decodeQuoted(value) : identifierText(value);
    if (text === undefined || text === '') return undefined;
    parts.push(...(isQuoted(value) ? text.split('.') : [text]));
  }
  return parts.length > 0 && parts.every((part) => part.length > 0) ? parts : undefined;
}

/** Whether a payload is shaped like polyglot's table reference struct. */
export function isTableRefPayload(value: unknown): boolean {
  return isRecord(value) && 'name' in value && 'schema' in value && 'catalog' in value && isRecord(value.name);
}

export function qualifyTableName(rawParts: readonly string[], context: AnalysisContext): QualifiedTable {
  const parts = rawParts.map((part) => part.toLowerCase());
  const project = context.defaultProject.toLowerCase();
  const dataset = context.defaultDataset?.toLowerCase();
  const infoIndex = parts.indexOf('information_schema');
  if (infoIndex >= 0) {
    const prefix = parts.slice(0, infoIndex);
    const unqualified = prefix.length === 0 && dataset === undefined;
    const scope =
      prefix.length === 0 ? [project, dataset ?? unqualifiedDataset] : prefix.length === 1 ? [project, ...prefix] : prefix;
    return { name: [...scope, ...parts.slice(infoIndex)].join('.'), unqualified };
  }
  if (parts.length === 1) {
    const ref = { project, dataset: dataset ?? unqualifiedDataset, table: parts[0] as string };
    return { name: nameOf(ref), ref: dataset === undefined ? undefined : ref, unqualified: dataset === undefined };
  }
  if (parts.length === 2) {
    const ref = { project, dataset: parts[0] as string, table: parts[1] as string };
    return { name: nameOf(ref), ref, unqualified: false };
  }
  // Three parts, or more when the project itself holds dots (`example.com:project`).
  const ref = { project: parts.slice(0, -2).join('.'), dataset: parts.at(-2) as string, table: parts.at(-1) as string };
  return { name: nameOf(ref), ref, unqualified: false };
}

export function nameOf(ref: TableRef): string {
  return `${ref.project}.${ref.dataset}.${ref.table}`;
}
