/**
 * How big a SQL text is, measured in one cheap pass on the event loop before any parser sees it:
 * tokens, the longest comma-separated list (select columns, VALUES rows, IN lists, arguments) and
 * the deepest bracket nesting. Strings, quoted identifiers and comments are skipped as whole tokens,
 * so a comma or bracket inside them counts for nothing. The measure errs towards counting more
 * (fail closed): a text it cannot read to the end is measured as far as it goes.
 *
 * Given caps, the pass stops at the first character that puts a measure over its cap: the text is
 * refused either way, and a 1 MB statement is then read only as far as it takes to know that (the
 * pass runs on the event loop, where every other caller waits for it).
 */

export interface StatementSize {
  readonly tokens: number;
  readonly longestList: number;
  readonly nesting: number;
  /** Measuring stopped once a measure passed its cap: the figures are lower bounds. */
  readonly stoppedEarly?: true;
}

export interface SizeCaps {
  /** Tokens over the whole text. */
  readonly maxTokens: number;
  /** Items in one comma-separated list (a 6,000-column SELECT has a list of 6,000). */
  readonly maxListItems: number;
  /** Brackets open at once: ( and [. */
  readonly maxNesting: number;
}

const isWordChar = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c > 127;
const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;

/** Index just past a quoted run starting at `start` (quote char at `start`), or the end of the text. */
function skipQuoted(sql: string, start: number): number {
  const quote = sql[start] as string;
  const triple = sql.startsWith(quote.repeat(3), start) && quote !== '`';
  if (triple) {
    const end = sql.indexOf(quote.repeat(3), start + 3);
    return end < 0 ? sql.length : end + 3;
  }
  for (let i = start + 1; i < sql.length; i++) {
    const c = sql[i];
    if (c === '\\') i += 1;
    else if (c === quote) return i + 1;
  }
  return sql.length;
}

export function measureStatement(sql: string, stopAbove?: SizeCaps): StatementSize {
  const maxTokens = stopAbove?.maxTokens ?? Number.POSITIVE_INFINITY;
  const maxListItems = stopAbove?.maxListItems ?? Number.POSITIVE_INFINITY;
  const maxNesting = stopAbove?.maxNesting ?? Number.POSITIVE_INFINITY;
  let tokens = 0;
  let nesting = 0;
  let deepest = 0;
  let longestList = 0;
  // Items so far in the list open at each depth (index 0: outside any bracket).
  const lists: number[] = [1];
  const closeList = () => {
    longestList = Math.max(longestList, lists.pop() ?? 1);
  };

  let i = 0;
  while (i < sql.length) {
    if (tokens > maxTokens || deepest > maxNesting || (lists.at(-1) ?? 1) > maxListItems || longestList > maxListItems) {
      while (lists.length > 0) closeList();
      return { tokens, longestList, nesting: deepest, stoppedEarly: true };
    }
    const c = sql.charCodeAt(i);
    const ch = sql[i] as string;
    if (isSpace(c)) {
      i += 1;
    } else if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (ch === '#') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (ch === "'" || ch === '"' || ch === '`') {
      tokens += 1;
      i = skipQuoted(sql, i);
    } else if (isWordChar(c)) {
      tokens += 1;
      while (i < sql.length && isWordChar(sql.charCodeAt(i))) i += 1;
    } else {
      tokens += 1;
      if (ch === '(' || ch === '[') {
        nesting += 1;
        deepest = Math.max(deepest, nesting);
        lists.push(1);
      } else if ((ch === ')' || ch === ']') && nesting > 0) {
        nesting -= 1;
        closeList();
      } else if (ch === ',') {
        lists[lists.length - 1] = (lists.at(-1) ?? 1) + 1;
      } else if (ch === ';' && nesting === 0) {
        closeList();
        lists.push(1);
      }
      i += 1;
    }
  }
  while (lists.length > 0) closeList();
  return { tokens, longestList, nesting: deepest };
}

/** The first cap the text is over, as a sentence naming the measure and the cap; undefined within all. */
export function overCap(size: StatementSize, caps: SizeCaps): { measure: keyof SizeCaps; message: string } | undefined {
  // Measured only as far as the first cap it passed, a figure is a lower bound.
  const atLeast = size.stoppedEarly ? 'at least ' : '';
  if (size.tokens > caps.maxTokens) {
    return { measure: 'maxTokens', message: `The statement has ${atLeast}${size.tokens} tokens; the gateway analyses at most ${caps.maxTokens}` };
  }
  if (size.longestList > caps.maxListItems) {
    return {
      measure: 'maxListItems',
      message: `The statement has a list of ${atLeast}${size.longestList} items (columns, values or arguments); the gateway analyses at most ${caps.maxListItems}`,
    };
  }
  if (size.nesting > caps.maxNesting) {
    return { measure: 'maxNesting', message: `The statement nests ${atLeast}${size.nesting} brackets deep; the gateway analyses at most ${caps.maxNesting}` };
  }
  return undefined;
}
