/**
 * `tokenize()`: MySQL tokens as objects, for tests, tools and cold paths. The classifier uses the
 * allocation-free `Lexer` (re-exported here) through `TokenList` instead.
 */
import {
  TK_BIT,
  TK_EOF,
  TK_ERROR,
  TK_HEX,
  TK_QUOTED_IDENT,
  TK_STRING,
  TK_SYSTEM_VAR,
  TK_USER_VAR,
  TK_WORD,
  Lexer,
} from "./lexer.ts";
import {
  stringIntroducer,
  stringValue,
  systemVariableParts,
  unescapeQuoted,
  userVariableName,
  type VariableScope,
} from "./token-text.ts";

export {
  Lexer,
  TK_BIT,
  TK_EOF,
  TK_ERROR,
  TK_HEX,
  TK_NUMBER,
  TK_OP,
  TK_PARAM,
  TK_QUOTED_IDENT,
  TK_STRING,
  TK_SYSTEM_VAR,
  TK_USER_VAR,
  TK_WORD,
} from "./lexer.ts";
export type { VariableScope } from "./token-text.ts";

export type TokenKind =
  | "word"
  | "quoted-identifier"
  | "string"
  | "hex"
  | "bit"
  | "number"
  | "user-variable"
  | "system-variable"
  | "param"
  | "operator"
  | "error";

// Indexed by the lexer's TK_* codes; slot 0 (TK_EOF) never reaches a Token.
const KIND_NAMES: readonly TokenKind[] = [
  "error", "word", "quoted-identifier", "string", "hex", "bit", "number",
  "user-variable", "system-variable", "param", "operator", "error",
];

export interface Token {
  readonly kind: TokenKind;
  /** Offset of the first character in the original string. */
  readonly start: number;
  /** Offset just past the last character. */
  readonly end: number;
  /** `sql.slice(start, end)`. */
  readonly text: string;
  /** Words only: the text uppercased, for keyword comparison. */
  readonly upper?: string;
  /**
   * Strings and quoted identifiers: the unescaped content. Hex and bit literals: the digits.
   * User variables: the name without `@`, unquoted. System variables: the lowercased name
   * without `@@` and without scope.
   */
  readonly value?: string;
  /** Strings with an introducer: `_utf8mb4`, `N`. */
  readonly introducer?: string;
  /** System variables with an explicit scope prefix. */
  readonly scope?: VariableScope;
}

/** All tokens of `sql` (comments skipped, executable comments lexed as code). Never throws. */
export function tokenize(sql: string): Token[] {
  const lexer = new Lexer(sql);
  const out: Token[] = [];
  for (;;) {
    const kind = lexer.next();
    if (kind === TK_EOF) return out;
    out.push(toToken(sql, kind, lexer.start, lexer.end));
    if (kind === TK_ERROR) return out;
  }
}

function toToken(sql: string, kind: number, start: number, end: number): Token {
  const text = sql.slice(start, end);
  const base = { kind: KIND_NAMES[kind]!, start, end, text };
  switch (kind) {
    case TK_WORD:
      return { ...base, upper: text.toUpperCase() };
    case TK_STRING: {
      const introducer = stringIntroducer(sql, start);
      const value = stringValue(sql, start, end);
      return introducer === undefined ? { ...base, value } : { ...base, value, introducer };
    }
    case TK_QUOTED_IDENT:
      return { ...base, value: unescapeQuoted(sql, start, end) };
    case TK_HEX:
    case TK_BIT:
      return { ...base, value: text.charCodeAt(0) === 48 ? text.slice(2) : text.slice(2, -1) };
    case TK_USER_VAR:
      return { ...base, value: userVariableName(sql, start, end) };
    case TK_SYSTEM_VAR: {
      const { scope, name } = systemVariableParts(sql, start, end);
      return scope === undefined ? { ...base, value: name } : { ...base, value: name, scope };
    }
    default:
      return base;
  }
}
