/**
 * Single-pass MySQL lexer working on char codes. It only finds token boundaries and kinds; values
 * (unescaped strings, variable names) are built on demand by `token-text.ts`, so lexing a typical
 * statement allocates nothing. `tokenizer.ts` wraps it into token objects.
 *
 * Lexical rules follow MySQL's `sql_lex.cc` in the default SQL mode (backslash escapes on,
 * `"` quotes strings, not identifiers).
 */

// Token kinds as small integers: the classifier's loops compare these.
export const TK_EOF = 0;
/** Unquoted word: keyword or identifier. */
export const TK_WORD = 1;
/** Backquoted identifier. */
export const TK_QUOTED_IDENT = 2;
/** `'...'`, `"..."`, `N'...'`, `_charset'...'`. */
export const TK_STRING = 3;
/** `X'0A'`, `0x0A`. */
export const TK_HEX = 4;
/** `b'01'`, `0b01`. */
export const TK_BIT = 5;
export const TK_NUMBER = 6;
/** `@name`, `@'name'`. */
export const TK_USER_VAR = 7;
/** `@@name`, `@@session.name`. */
export const TK_SYSTEM_VAR = 8;
/** `?` placeholder. */
export const TK_PARAM = 9;
/** Operator or punctuation. */
export const TK_OP = 10;
/** Unterminated string, quoted identifier or comment: runs to the end of the input. */
export const TK_ERROR = 11;

// Character classes for ASCII; every code unit >= 0x80 is an identifier character, as in MySQL's
// ident map for multi-byte character sets.
const C_IDENT = 1;
const C_DIGIT = 2;
const C_HEX = 4;
const CLASS = new Uint8Array(128);
for (let c = 48; c <= 57; c++) CLASS[c] = C_IDENT | C_DIGIT | C_HEX;
for (let c = 65; c <= 90; c++) CLASS[c] = C_IDENT | (c <= 70 ? C_HEX : 0);
for (let c = 97; c <= 122; c++) CLASS[c] = C_IDENT | (c <= 102 ? C_HEX : 0);
CLASS[95] = C_IDENT; // _
CLASS[36] = C_IDENT; // $

function isIdent(c: number): boolean {
  return c >= 128 || (CLASS[c]! & C_IDENT) !== 0;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Pull lexer: `next()` advances and returns the kind; `start`/`end` locate the token. Reusable
 * through `reset()` so a caller can keep one instance and lex without allocating.
 */
export class Lexer {
  sql = "";
  kind = TK_EOF;
  start = 0;
  end = 0;
  private pos = 0;
  /** Inside `/*! ... *\/`: the closing `*\/` is skipped instead of lexed. */
  private inExecutable = false;
  /** End of a `.` glued to a preceding identifier, where a digit starts an identifier (`db.1t`). */
  private identDotEnd = -1;

  constructor(sql = "") {
    this.reset(sql);
  }

  reset(sql: string): void {
    this.sql = sql;
    this.kind = TK_EOF;
    this.start = 0;
    this.end = 0;
    this.pos = 0;
    this.inExecutable = false;
    this.identDotEnd = -1;
  }

  next(): number {
    const s = this.sql;
    const n = s.length;
    let p = this.pos;
    let c = 0;
    for (;;) {
      if (p >= n) {
        if (this.inExecutable) {
          // MySQL rejects a statement ending inside an executable comment.
          this.inExecutable = false;
          return this.emit(TK_ERROR, n, n);
        }
        return this.emit(TK_EOF, n, n);
      }
      c = s.charCodeAt(p);
      if (c <= 32) {
        p++;
      } else if (c === 35) {
        p = skipLine(s, p + 1);
      } else if (c === 45 && s.charCodeAt(p + 1) === 45 && !(s.charCodeAt(p + 2) > 32)) {
        // `--` starts a comment only when followed by whitespace, a control character or the end.
        p = skipLine(s, p + 2);
      } else if (c === 47 && s.charCodeAt(p + 1) === 42) {
        const c2 = s.charCodeAt(p + 2);
        if (c2 === 33) {
          p = skipVersion(s, p + 3);
          this.inExecutable = true;
        } else if (c2 === 77 && s.charCodeAt(p + 3) === 33) {
          // MariaDB's `/*M!` executable comment.
          p = skipVersion(s, p + 4);
          this.inExecutable = true;
        } else {
          // Plain comments and optimizer hints `/*+ ... *\/` alike: hints never change routing.
          const close = s.indexOf("*/", p + 2);
          if (close < 0) return this.error(p);
          p = close + 2;
        }
      } else if (c === 42 && this.inExecutable && s.charCodeAt(p + 1) === 47) {
        this.inExecutable = false;
        p += 2;
      } else {
        break;
      }
    }
    if (c < 128) {
      const cls = CLASS[c]!;
      if ((cls & C_DIGIT) !== 0) return this.number(s, p, n);
      if ((cls & C_IDENT) !== 0) return this.word(s, p, n, c);
    } else {
      return this.word(s, p, n, c);
    }
    switch (c) {
      case 39: // '
      case 34: // "
        return this.quoted(s, p, p, n, TK_STRING);
      case 96: // `
        return this.quoted(s, p, p, n, TK_QUOTED_IDENT);
      case 64: // @
        return this.variable(s, p, n);
      case 63: // ?
        return this.emit(TK_PARAM, p, p + 1);
      case 46: // .
        // Token starts only grow, so a stale identDotEnd can never match a later token.
        if (this.gluedToIdent(p)) this.identDotEnd = p + 1;
        else if (isDigit(s.charCodeAt(p + 1))) return this.fraction(s, p, p + 1, n);
        return this.emit(TK_OP, p, p + 1);
      default:
        return this.emit(TK_OP, p, p + operatorLength(s, p, c));
    }
  }

  private emit(kind: number, start: number, end: number): number {
    this.kind = kind;
    this.start = start;
    this.end = end;
    this.pos = end;
    return kind;
  }

  private gluedToIdent(p: number): boolean {
    return (this.kind === TK_WORD || this.kind === TK_QUOTED_IDENT) && this.end === p;
  }

  private error(start: number): number {
    this.inExecutable = false;
    return this.emit(TK_ERROR, start, this.sql.length);
  }

  private word(s: string, p: number, n: number, c: number): number {
    const c1 = s.charCodeAt(p + 1);
    if (c1 === 39) {
      if (c === 78 || c === 110) return this.quoted(s, p, p + 1, n, TK_STRING); // N'...'
      if (c === 88 || c === 120) return this.rawQuoted(s, p, n, TK_HEX); // X'...'
      if (c === 66 || c === 98) return this.rawQuoted(s, p, n, TK_BIT); // B'...'
    }
    let q = p + 1;
    while (q < n && isIdent(s.charCodeAt(q))) q++;
    if (c === 95 && q > p + 1) {
      // `_utf8mb4'x'`: a charset introducer glued to its string.
      const cq = s.charCodeAt(q);
      if (cq === 39 || cq === 34) return this.quoted(s, p, q, n, TK_STRING);
    }
    return this.emit(TK_WORD, p, q);
  }

  private identifierFrom(s: string, p: number, n: number): number {
    let q = p;
    while (q < n && isIdent(s.charCodeAt(q))) q++;
    return this.emit(TK_WORD, p, q);
  }

  private number(s: string, p: number, n: number): number {
    // After `ident.` MySQL lexes an identifier even when it starts with a digit (`db.1table`).
    if (this.identDotEnd === p) return this.identifierFrom(s, p, n);
    if (s.charCodeAt(p) === 48) {
      // `0x` and `0b` are case-sensitive; anything but hex/bit digits after them makes an identifier.
      const c1 = s.charCodeAt(p + 1);
      if (c1 === 120 || c1 === 98) {
        const hex = c1 === 120;
        let q = p + 2;
        while (q < n) {
          const d = s.charCodeAt(q);
          if (hex ? d < 128 && (CLASS[d]! & C_HEX) !== 0 : d === 48 || d === 49) q++;
          else break;
        }
        if (q > p + 2 && !(q < n && isIdent(s.charCodeAt(q)))) return this.emit(hex ? TK_HEX : TK_BIT, p, q);
        return this.identifierFrom(s, p, n);
      }
    }
    let q = p + 1;
    while (q < n && isDigit(s.charCodeAt(q))) q++;
    if (q < n && s.charCodeAt(q) === 46) return this.fraction(s, p, q + 1, n);
    const e = exponentEnd(s, q, n);
    if (e > q) return this.emit(TK_NUMBER, p, e);
    // Identifiers may start with digits (`1abc`) as long as they are not all digits.
    if (q < n && isIdent(s.charCodeAt(q))) return this.identifierFrom(s, p, n);
    return this.emit(TK_NUMBER, p, q);
  }

  /** Digits after a decimal point at `q`, then an optional exponent. */
  private fraction(s: string, p: number, q: number, n: number): number {
    while (q < n && isDigit(s.charCodeAt(q))) q++;
    const e = exponentEnd(s, q, n);
    return this.emit(TK_NUMBER, p, e > q ? e : q);
  }

  /** String or backquoted identifier whose opening quote is at `q`; the token starts at `p`. */
  private quoted(s: string, p: number, q: number, n: number, kind: number): number {
    const quote = s.charCodeAt(q);
    const escapes = quote !== 96;
    let i = q + 1;
    while (i < n) {
      const ch = s.charCodeAt(i);
      if (ch === 92 && escapes) {
        i += 2;
      } else if (ch === quote) {
        if (s.charCodeAt(i + 1) !== quote) return this.emit(kind, p, i + 1);
        i += 2;
      } else {
        i++;
      }
    }
    return this.error(p);
  }

  /** `X'...'` / `B'...'`: no escapes inside. */
  private rawQuoted(s: string, p: number, n: number, kind: number): number {
    const close = s.indexOf("'", p + 2);
    if (close < 0 || close >= n) return this.error(p);
    return this.emit(kind, p, close + 1);
  }

  private variable(s: string, p: number, n: number): number {
    const c1 = s.charCodeAt(p + 1);
    if (c1 === 64) {
      let q = this.variablePart(s, p + 2, n);
      if (q < 0) return this.error(p);
      if (q === p + 2) return this.emit(TK_OP, p, p + 2);
      while (s.charCodeAt(q) === 46) {
        const d = s.charCodeAt(q + 1);
        if (!(d === 96 || isIdent(d))) break;
        q = this.variablePart(s, q + 1, n);
        if (q < 0) return this.error(p);
      }
      return this.emit(TK_SYSTEM_VAR, p, q);
    }
    if (c1 === 39 || c1 === 34 || c1 === 96) return this.quoted(s, p, p + 1, n, TK_USER_VAR);
    // User variable names: alphanumerics, `.`, `_`, `$` (and multi-byte characters).
    let q = p + 1;
    while (q < n) {
      const d = s.charCodeAt(q);
      if (d === 46 || isIdent(d)) q++;
      else break;
    }
    return this.emit(q > p + 1 ? TK_USER_VAR : TK_OP, p, q > p + 1 ? q : p + 1);
  }

  /** One part of a system variable name at `p`; returns its end, or -1 if a backquote is unterminated. */
  private variablePart(s: string, p: number, n: number): number {
    if (s.charCodeAt(p) === 96) {
      let i = p + 1;
      while (i < n) {
        if (s.charCodeAt(i) === 96) {
          if (s.charCodeAt(i + 1) !== 96) return i + 1;
          i += 2;
        } else {
          i++;
        }
      }
      return -1;
    }
    let q = p;
    while (q < n && isIdent(s.charCodeAt(q))) q++;
    return q;
  }
}

function skipLine(s: string, p: number): number {
  const nl = s.indexOf("\n", p);
  return nl < 0 ? s.length : nl + 1;
}

/** `/*!50700` and MariaDB's six-digit `/*M!100301`: the version is dropped, the content is code. */
function skipVersion(s: string, p: number): number {
  for (let i = 0; i < 5; i++) if (!isDigit(s.charCodeAt(p + i))) return p;
  return isDigit(s.charCodeAt(p + 5)) ? p + 6 : p + 5;
}

/** End of `e[+-]digits` at `q`, or `q` when there is no valid exponent. */
function exponentEnd(s: string, q: number, n: number): number {
  const c = s.charCodeAt(q);
  if (c !== 101 && c !== 69) return q;
  let r = q + 1;
  const sign = s.charCodeAt(r);
  if (sign === 43 || sign === 45) r++;
  if (!isDigit(s.charCodeAt(r))) return q;
  while (r < n && isDigit(s.charCodeAt(r))) r++;
  return r;
}

function operatorLength(s: string, p: number, c: number): number {
  const c1 = s.charCodeAt(p + 1);
  switch (c) {
    case 58: // :=
      return c1 === 61 ? 2 : 1;
    case 60: // <=> <= <> <<
      if (c1 === 61) return s.charCodeAt(p + 2) === 62 ? 3 : 2;
      return c1 === 62 || c1 === 60 ? 2 : 1;
    case 62: // >= >>
      return c1 === 61 || c1 === 62 ? 2 : 1;
    case 33: // !=
      return c1 === 61 ? 2 : 1;
    case 38: // &&
      return c1 === 38 ? 2 : 1;
    case 124: // ||
      return c1 === 124 ? 2 : 1;
    case 45: // -> ->>
      if (c1 !== 62) return 1;
      return s.charCodeAt(p + 2) === 62 ? 3 : 2;
    default:
      return 1;
  }
}
