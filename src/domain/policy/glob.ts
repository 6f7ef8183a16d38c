/**
 * Table globs over `project.dataset.table`, matched case-insensitively.
 *   `*`  any run of characters within one dot-separated segment (possibly empty)
 *   `**` any run of characters, dots included
 * Without `**` a glob must name exactly three segments: a two-part glob such as `sales.*` would never
 * match a fully qualified name, and a deny rule that silently never matches weakens the policy.
 *
 * A project id with a domain (`example.com:analytics`) is one segment although it holds dots: in a
 * table name and in a glob, everything before the last two dots is the project when it holds a `:`.
 * So `*.hr.*` matches `example.com:analytics.hr.salaries`, and `example.com:*.hr.*` names the
 * domain's projects.
 */

export type TableMatcher = (table: string) => boolean;

/** Letters, digits, `_`, `-`, `:` (domain-scoped projects) and `*` inside a segment. */
const segmentCharacters = /^[\p{L}\p{N}_:*-]+$/u;

/** Why the glob is not valid, or undefined when it is. */
export function globProblem(glob: string): string | undefined {
  if (glob.length === 0) return 'must not be empty';
  if (glob.includes('***')) return 'must not contain "***"; use "*" within a segment or "**" across dots';
  if (glob.split('.').some((segment) => segment.length === 0)) return 'must not have an empty segment (check the dots)';
  const segments = glob.includes('**') ? glob.split('.') : nameSegments(glob);
  const bad = segments.find((segment) => !segmentCharacters.test(segment.includes(':') ? segment.replaceAll('.', '') : segment));
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

/** `project.dataset.table` split into its segments, a domain-scoped project kept whole. */
export function nameSegments(name: string): string[] {
  const parts = name.split('.');
  if (parts.length <= 3) return parts;
  const project = parts.slice(0, -2).join('.');
  return project.includes(':') ? [project, ...parts.slice(-2)] : parts;
}

function segmentRegExp(segment: string): RegExp {
  return new RegExp(`^${segment.split('*').map(escapeRegExp).join('.*')}$`, 'iu');
}

/** A three-segment glob matches segment by segment, so a domain project's dots stay inside `*`. */
function segmentMatcher(glob: string): TableMatcher {
  const patterns = nameSegments(glob).map(segmentRegExp);
  return (table) => {
    const segments = nameSegments(table);
    return segments.length === patterns.length && patterns.every((pattern, index) => pattern.test(segments[index] as string));
  };
}

function globMatcher(glob: string): TableMatcher {
  if (glob.includes('**')) {
    const pattern = globToRegExp(glob);
    return (table) => pattern.test(table);
  }
  return segmentMatcher(glob);
}

/** One matcher for a list of globs: true when the table is inside any of them. */
export function compileGlobs(globs: readonly string[]): TableMatcher {
  const matchers = globs.map(globMatcher);
  return (table) => matchers.some((matches) => matches(table));
}
