import { Lexer, TK_ERROR, TK_EOF, TK_OP, TK_QUOTED_IDENT, TK_WORD } from "./lexer.ts";
import { lookupKeyword } from "./keywords.ts";
import { unescapeQuoted } from "./token-text.ts";

const INITIAL_CAPACITY = 256;
/** Above this many slots the arrays are replaced before the next statement, so one huge INSERT doesn't pin memory. */
const RETAINED_CAPACITY = 1 << 14;

/**
 * A statement's tokens as parallel typed arrays (kind, start, end, keyword id), so the classifier
 * gets random access and lookahead without one object per token. One instance is reused for every
 * statement.
 */
export class TokenList {
  sql = "";
  count = 0;
  lexError = false;
  kinds = new Uint8Array(INITIAL_CAPACITY);
  starts = new Int32Array(INITIAL_CAPACITY);
  ends = new Int32Array(INITIAL_CAPACITY);
  /** Keyword id of each word token (`keywords.ts`), 0 for other words and other tokens. */
  keywords = new Uint8Array(INITIAL_CAPACITY);
  /** Number of `;` tokens and the index of the first one (-1 if none). */
  semicolons = 0;
  firstSemicolon = -1;
  private readonly lexer = new Lexer();

  fill(sql: string): void {
    if (this.kinds.length > RETAINED_CAPACITY) this.allocate(INITIAL_CAPACITY);
    this.sql = sql;
    this.lexError = false;
    const lexer = this.lexer;
    lexer.reset(sql);
    let n = 0;
    let semicolons = 0;
    let firstSemicolon = -1;
    for (;;) {
      const kind = lexer.next();
      if (kind === TK_EOF) break;
      if (n === this.kinds.length) this.grow();
      const start = lexer.start;
      const end = lexer.end;
      this.kinds[n] = kind;
      this.starts[n] = start;
      this.ends[n] = end;
      this.keywords[n] = kind === TK_WORD ? lookupKeyword(sql, start, end) : 0;
      if (kind === TK_OP && sql.charCodeAt(start) === 59) {
        if (semicolons++ === 0) firstSemicolon = n;
      }
      n++;
      if (kind === TK_ERROR) {
        this.lexError = true;
        break;
      }
    }
    this.count = n;
    this.semicolons = semicolons;
    this.firstSemicolon = firstSemicolon;
  }

  /** Kind of token `i`, `TK_EOF` outside the list. */
  kind(i: number): number {
    return i >= 0 && i < this.count ? this.kinds[i]! : TK_EOF;
  }

  /** Keyword id of token `i` (0 for non-keywords and outside the list). */
  keyword(i: number): number {
    return i >= 0 && i < this.count ? this.keywords[i]! : 0;
  }

  /** Token `i` is the keyword with id `id` (from `KEYWORDS`). */
  isKw(i: number, id: number): boolean {
    return i >= 0 && i < this.count && this.keywords[i] === id;
  }

  /** Token `i` is the one-character operator `code`. */
  isOp(i: number, code: number): boolean {
    return (
      i < this.count &&
      this.kinds[i] === TK_OP &&
      this.ends[i]! - this.starts[i]! === 1 &&
      this.sql.charCodeAt(this.starts[i]!) === code
    );
  }

  /** Token `i` is `=` or `:=`. */
  isAssign(i: number): boolean {
    if (i >= this.count || this.kinds[i] !== TK_OP) return false;
    const s = this.starts[i]!;
    const len = this.ends[i]! - s;
    const c = this.sql.charCodeAt(s);
    return (len === 1 && c === 61) || (len === 2 && c === 58);
  }

  /** Token `i` is a word or a backquoted identifier. */
  isName(i: number): boolean {
    const k = this.kind(i);
    return k === TK_WORD || k === TK_QUOTED_IDENT;
  }

  /** Token `j` starts exactly where token `i` ends (no space or comment between). */
  adjacent(i: number, j: number): boolean {
    return this.ends[i] === this.starts[j];
  }

  text(i: number): string {
    return this.sql.slice(this.starts[i]!, this.ends[i]!);
  }

  /** Original text from the start of token `first` to the end of token `last` (inclusive). */
  span(first: number, last: number): string {
    return this.sql.slice(this.starts[first]!, this.ends[last]!);
  }

  /** Name of a word or backquoted identifier token, unquoted, original case. */
  name(i: number): string {
    return this.kinds[i] === TK_QUOTED_IDENT ? unescapeQuoted(this.sql, this.starts[i]!, this.ends[i]!) : this.text(i);
  }

  /** Index just past the `)` matching the `(` at `i`, or `count` when unbalanced. */
  skipParens(i: number): number {
    let depth = 0;
    const n = this.count;
    for (; i < n; i++) {
      if (this.isOp(i, 40)) depth++;
      else if (this.isOp(i, 41) && --depth === 0) return i + 1;
    }
    return n;
  }

  private grow(): void {
    const kinds = this.kinds;
    const starts = this.starts;
    const ends = this.ends;
    const keywords = this.keywords;
    this.allocate(kinds.length * 2);
    this.kinds.set(kinds);
    this.keywords.set(keywords);
    this.starts.set(starts);
    this.ends.set(ends);
  }

  private allocate(capacity: number): void {
    this.kinds = new Uint8Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.keywords = new Uint8Array(capacity);
  }
}
