/**
 * What the GoogleSQL lexer produces. Offsets are half-open and in UTF-16 code units of the input
 * (JavaScript string indices); `codePointOffsets` converts them where a reader counts code points.
 */

export type GoogleSqlTokenKind =
  | 'identifier'
  /** A backtick-quoted identifier; `value` holds the name after GoogleSQL's escape decoding. */
  | 'quoted_identifier'
  /** A string literal of any quoting, raw or not; `value` holds the decoded text (raw: as written). */
  | 'string'
  /** A bytes literal (b'…', rb'…'); `value` is not decoded, the bytes never name anything. */
  | 'bytes'
  | 'number'
  /** `@name`, `@@name` and `?`. */
  | 'parameter'
  | 'semicolon'
  | 'punctuation'
  | 'comment';

export interface GoogleSqlToken {
  readonly kind: GoogleSqlTokenKind;
  readonly start: number;
  readonly end: number;
  /** Identifiers: the name as written; quoted identifiers and strings: the decoded value. */
  readonly value?: string;
}

export interface LexError {
  /** Where the text stops being GoogleSQL, as a UTF-16 offset. */
  readonly offset: number;
  readonly message: string;
}

export type LexResult = { readonly ok: true; readonly tokens: readonly GoogleSqlToken[] } | { readonly ok: false; readonly error: LexError };
