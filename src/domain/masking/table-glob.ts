/**
 * Table globs over `project.dataset.table`, as the policy's masking rules write them. `*` matches
 * within one name segment, `**` matches any number of segments, `?` one character. Matching ignores
 * case and backticks. A glob with fewer segments than the table is anchored at the end
 * (`sales.customers` matches `any-project.sales.customers`): masking errs towards matching.
 */
export type TableMatcher = (glob: string, table: string) => boolean;

const normalise = (name: string): string[] => name.replace(/`/g, '').trim().toLowerCase().split('.');

function segmentMatches(glob: string, segment: string): boolean {
  if (glob === '*') return true;
  if (!glob.includes('*') && !glob.includes('?')) return glob === segment;
  const source = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(segment);
}

function segmentsMatch(glob: readonly string[], table: readonly string[]): boolean {
  if (glob.length === 0) return table.length === 0;
  const [head, ...rest] = glob;
  if (head === '**') {
    for (let skip = 0; skip <= table.length; skip++) if (segmentsMatch(rest, table.slice(skip))) return true;
    return false;
  }
  return table.length > 0 && segmentMatches(head, table[0]) && segmentsMatch(rest, table.slice(1));
}

export const matchesTableGlob: TableMatcher = (glob, table) => {
  const globSegments = normalise(glob);
  const tableSegments = normalise(table);
  const padded =
    !globSegments.includes('**') && globSegments.length < tableSegments.length
      ? [...Array<string>(tableSegments.length - globSegments.length).fill('*'), ...globSegments]
      : globSegments;
  return segmentsMatch(padded, tableSegments);
};
