/**
 * SET statements the gateway must see to keep per-connection state it can replay: character set,
 * transaction characteristics, system and user variables (MySQL "SET Syntax for Variable
 * Assignment", "SET NAMES", "SET CHARACTER SET", "SET TRANSACTION").
 */
import type { SetAssignment, SystemScope, TransactionScope } from "./classify-types.ts";
import type { TokenList } from "./token-list.ts";
import { stringQuotePos, stringValue, systemVariableParts, userVariableName } from "./token-text.ts";
import { TK_BIT, TK_HEX, TK_NUMBER, TK_QUOTED_IDENT, TK_STRING, TK_SYSTEM_VAR, TK_USER_VAR, TK_WORD } from "./lexer.ts";
import { KEYWORDS } from "./keywords.ts";

// Keyword ids (`keywords.ts`) as module constants: the classifier compares integers.
const {
  CHARACTER, CHARSET, COLLATE, GLOBAL, LOCAL, NAMES, PASSWORD, PERSIST, PERSIST_ONLY, SESSION, SET,
  TRANSACTION,
} = KEYWORDS;

/**
 * Parses the tokens after `SET`, `[i, e)`. Returns undefined for forms the gateway leaves to the
 * backend (`SET PASSWORD`, `SET ROLE`, `SET DEFAULT ROLE`, `SET RESOURCE GROUP`, MariaDB
 * `SET STATEMENT ... FOR`) and for anything malformed.
 */
export function parseSet(t: TokenList, i: number, e: number): SetAssignment[] | undefined {
  if (i >= e) return undefined;
  // TRANSACTION only ever comes first and alone (`start_option_value_list` in sql_yacc.yy).
  const leading = scopeKeyword(t, i);
  if (leading !== undefined && t.isKw(i + 1, TRANSACTION)) return transaction(t, i + 2, e, leading);
  if (t.isKw(i, TRANSACTION)) return transaction(t, i + 1, e, "next");

  const out: SetAssignment[] = [];
  // "The most recent GLOBAL or SESSION modifier in the statement is used for following assignments
  // that have no modifier specified" (MySQL manual, SET Syntax for Variable Assignment).
  let sticky: SystemScope = "session";
  for (;;) {
    if (t.isKw(i, NAMES)) {
      const charset = charsetName(t, i + 1);
      if (charset === undefined) return undefined;
      i += 2;
      if (t.isKw(i, COLLATE)) {
        const collation = charsetName(t, i + 1);
        if (collation === undefined) return undefined;
        i += 2;
        out.push({ type: "names", charset, collation });
      } else {
        out.push({ type: "names", charset });
      }
    } else if (t.isKw(i, CHARSET) || (t.isKw(i, CHARACTER) && t.isKw(i + 1, SET))) {
      i += t.isKw(i, CHARSET) ? 1 : 2;
      const charset = charsetName(t, i);
      if (charset === undefined) return undefined;
      i++;
      out.push({ type: "charset", charset });
    } else {
      const kind = t.kind(i);
      let user = false;
      let scope: SystemScope = sticky;
      let name: string;
      if (kind === TK_USER_VAR) {
        name = userVariableName(t.sql, t.starts[i]!, t.ends[i]!).toLowerCase();
        user = true;
        i++;
      } else if (kind === TK_SYSTEM_VAR) {
        const parts = systemVariableParts(t.sql, t.starts[i]!, t.ends[i]!);
        // A bare `@@x` in SET is the session value; a prefix doesn't change the sticky scope.
        scope = parts.scope === undefined || parts.scope === "local" ? "session" : parts.scope;
        name = parts.name;
        i++;
      } else {
        const modifier = scopeKeyword(t, i);
        if (modifier !== undefined && t.isName(i + 1)) {
          sticky = scope = modifier;
          i++;
        }
        // `SET PASSWORD = '...'` looks like a variable assignment but changes the account.
        if (!t.isName(i) || t.isKw(i, PASSWORD)) return undefined;
        name = t.name(i).toLowerCase();
        i++;
        // Structured variables: `SET GLOBAL hot_cache.key_buffer_size = ...`.
        while (t.isOp(i, 46) && t.isName(i + 1)) {
          name += "." + t.name(i + 1).toLowerCase();
          i += 2;
        }
      }
      if (!t.isAssign(i)) return undefined;
      const valueStart = ++i;
      i = valueEnd(t, i, e);
      if (i === valueStart) return undefined;
      const valueText = t.span(valueStart, i - 1);
      const literal = isLiteral(t, valueStart, i);
      out.push(user ? { type: "user", name, valueText, literal } : { type: "system", scope, name, valueText, literal });
    }
    if (i === e) return out;
    if (!t.isOp(i, 44)) return undefined;
    i++;
  }
}

function transaction(t: TokenList, i: number, e: number, scope: TransactionScope): SetAssignment[] | undefined {
  if (i >= e) return undefined;
  return [{ type: "transaction", scope, text: t.span(i, e - 1) }];
}

function scopeKeyword(t: TokenList, i: number): SystemScope | undefined {
  if (t.isKw(i, SESSION) || t.isKw(i, LOCAL)) return "session";
  if (t.isKw(i, GLOBAL)) return "global";
  if (t.isKw(i, PERSIST)) return "persist";
  if (t.isKw(i, PERSIST_ONLY)) return "persist_only";
  return undefined;
}

/** A character set or collation name: word, backquoted identifier or plain string; lowercased. */
function charsetName(t: TokenList, i: number): string | undefined {
  const kind = t.kind(i);
  if (kind === TK_WORD || kind === TK_QUOTED_IDENT) return t.name(i).toLowerCase();
  if (kind === TK_STRING && stringQuotePos(t.sql, t.starts[i]!) === t.starts[i]) {
    return stringValue(t.sql, t.starts[i]!, t.ends[i]!).toLowerCase();
  }
  return undefined;
}

/** End of a value expression: the next `,` outside parentheses, or `e`. */
function valueEnd(t: TokenList, i: number, e: number): number {
  let depth = 0;
  for (; i < e; i++) {
    if (t.isOp(i, 40)) depth++;
    else if (t.isOp(i, 41)) depth--;
    else if (depth === 0 && t.isOp(i, 44)) break;
  }
  return i;
}

/**
 * A value the gateway can record and replay verbatim: one number, string, hex/bit literal or bare
 * word (NULL, DEFAULT, ON, OFF, TRUE, FALSE, enum names); a signed number glued to its sign
 * (`-1`); or words glued with `-` (`READ-COMMITTED`).
 */
function isLiteral(t: TokenList, start: number, end: number): boolean {
  const len = end - start;
  const kind = t.kind(start);
  if (len === 1) {
    return kind === TK_NUMBER || kind === TK_STRING || kind === TK_HEX || kind === TK_BIT || kind === TK_WORD;
  }
  if (len === 2 && (t.isOp(start, 45) || t.isOp(start, 43))) {
    return t.kind(start + 1) === TK_NUMBER && t.adjacent(start, start + 1);
  }
  if (kind !== TK_WORD || len % 2 === 0) return false;
  for (let j = start + 1; j < end; j += 2) {
    if (!t.isOp(j, 45) || t.kind(j + 1) !== TK_WORD || !t.adjacent(j - 1, j) || !t.adjacent(j, j + 1)) return false;
  }
  return true;
}
