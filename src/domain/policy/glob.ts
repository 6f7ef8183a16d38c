/**
 * Table globs over `project.dataset.table`, matched case-insensitively.
 *   `*`  any run of characters within one dot-separated segment (possibly empty)
 *   `**` any run of characters, dots included
 * Without `**` a glob must name exactly three segments: a two-part glob such as `sales.*` would never
 * match a fully qualified name, and a deny rule that silently never matches weakens the policy.
 */

export type TableMatcher = (table: string) => boolean;

/** Letters, digits, `_`, `-`, `:` (domain-scoped projects) and `*` inside a segment. */
const segmentCharacters = /^[\p{L}\p{N}_:*-]+$/u;

/** Why the glob is not valid, or undefined when it is. */
export function globProblem(glob: string): string | undefined {
  if (glob.length === 0) return 'must not be empty';
  if (glob.includes('***')) return 'must not contain "***"; use "*" within a segment or "**" across dots';
  const segments = glob.split('.');
  if (segments.some((segment) => segment.length === 0)) return 'must not have an empty segment (check the dots)';
  const bad = segments.find((segment) => !segmentCharacters.test(segment));
  if (bad !== undefined) return `has a segment "${bad}" with characters a table name cannot contain`;
  if (!glob.includes('**') && segments.length !== 3) {
    return `must have three segments, project.dataset.table (such as "*.sales.*"), or use "**"; it has ${segments.length}`;
  }
  return undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

export function globToRegExp(glob: string): RegExp {
  const source = glob
    .split('**')
    .map((part) => part.split('*').map(escapeRegExp).join('[^.]*'))
    .join('.*');
  return new RegExp(`^${source}$`, 'iu');
}

/** One matcher for a list of globs: true when the table is inside any of them. */
export function compileGlobs(globs: readonly string[]): TableMatcher {
  const patterns = globs.map(globToRegExp);
  return (table) => patterns.some((pattern) => pattern.test(table));
}
