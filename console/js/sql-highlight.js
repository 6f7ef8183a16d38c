// A small SQL tokenizer for display: keywords, strings, numbers, comments and quoted names get a
// class; everything is emitted as text nodes inside spans.
import { h } from './dom.js';

const KEYWORDS = new Set(
  `select from where and or not in is null like between join inner left right full outer cross on using group by order
  having limit offset as distinct union all intersect except insert into values update set delete merge when matched then
  create replace table view alter drop truncate with case else end exists asc desc qualify over partition window cast
  safe_cast true false grant revoke call declare begin commit rollback export load unnest struct array interval if`
    .split(/\s+/)
    .filter(Boolean),
);

const TOKEN = /(--[^\n]*|#[^\n]*|\/\*[\s\S]*?(?:\*\/|$))|('(?:[^'\\]|\\.)*'?|"(?:[^"\\]|\\.)*"?)|(`[^`]*`?)|(\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)|(\s+|.)/gy;

/** Token list [{ kind, text }], kinds: comment string name number keyword word other. */
export function tokenize(sql) {
  const tokens = [];
  TOKEN.lastIndex = 0;
  let match;
  while (TOKEN.lastIndex < sql.length && (match = TOKEN.exec(sql))) {
    const [text, comment, string, name, number, word] = match;
    const kind = comment ? 'comment' : string ? 'string' : name ? 'name' : number ? 'number' : word ? (KEYWORDS.has(word.toLowerCase()) ? 'keyword' : 'word') : 'other';
    const last = tokens[tokens.length - 1];
    if (last && last.kind === kind && (kind === 'other' || kind === 'word')) last.text += text;
    else tokens.push({ kind, text });
  }
  return tokens;
}

/** A <pre><code> with highlighted SQL. */
export function sqlBlock(sql, props = {}) {
  const code = h('code', { class: 'sql' }, tokenize(String(sql ?? '')).map((t) => (t.kind === 'other' || t.kind === 'word' ? t.text : h('span', { class: `tok-${t.kind}` }, t.text))));
  return h('pre', { class: 'sql-block', ...props }, code);
}
