/**
 * How far a quoted token reaches, by GoogleSQL's lexical rules (ZetaSQL's flex tokenizer):
 * - a backslash always pairs with the next character, raw or not. So `r'\\'` ends at its second
 *   quote, `r'\''` is the two characters `\'`, and only the non-raw reading turns pairs into escapes;
 * - `'…'`, `"…"` and backtick names end at the first unpaired quote and may not hold a line break
 *   (a backslash may pair with one);
 * - `'''…'''` and `"""…"""` end at the first unpaired run of three quotes and may span lines.
 */

export type QuoteScan = { readonly ok: true; readonly end: number; readonly bodyStart: number; readonly bodyEnd: number } | { readonly ok: false; readonly offset: number; readonly message: string };

/** Scans a quoted token whose opening quote is at `start` (after any prefix). */
export function scanQuoted(sql: string, start: number): QuoteScan {
  const quote = sql[start] as string;
  const triple = quote !== '`' && sql[start + 1] === quote && sql[start + 2] === quote;
  const bodyStart = start + (triple ? 3 : 1);
  let index = bodyStart;
  while (index < sql.length) {
    const char = sql[index] as string;
    if (char === '\\') {
      if (index + 1 >= sql.length) break;
      // \r\n after a backslash is one line break, paired as a whole.
      index += sql[index + 1] === '\r' && sql[index + 2] === '\n' ? 3 : 2;
      continue;
    }
    if (char === quote) {
      if (!triple) return { ok: true, end: index + 1, bodyStart, bodyEnd: index };
      if (sql[index + 1] === quote && sql[index + 2] === quote) return { ok: true, end: index + 3, bodyStart, bodyEnd: index };
    } else if (!triple && (char === '\n' || char === '\r')) {
      return { ok: false, offset: index, message: `${quote === '`' ? 'quoted identifier' : 'string'} opened at ${start} holds a line break` };
    }
    index += 1;
  }
  return { ok: false, offset: start, message: `${quote === '`' ? 'quoted identifier' : triple ? 'triple-quoted string' : 'string'} opened at ${start} is never closed` };
}
