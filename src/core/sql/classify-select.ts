/**
 * FROM-less SELECTs made only of values the gateway owns (server version, current database,
 * connection id, user). Clients send these on connect (`SELECT @@version_comment LIMIT 1` from the
 * mysql CLI, `SELECT DATABASE()` from many drivers); a backend would answer with its own values.
 */
import type { GatewayColumn, GatewayValue, SelectGatewayStatement } from "./classify-types.ts";
import type { TokenList } from "./token-list.ts";
import { stringQuotePos, stringValue, systemVariableParts } from "./token-text.ts";
import { TK_NUMBER, TK_QUOTED_IDENT, TK_STRING, TK_SYSTEM_VAR, TK_WORD } from "./lexer.ts";
import { KEYWORDS } from "./keywords.ts";

// Keyword ids (`keywords.ts`) as module constants: the classifier compares integers.
const {
  AS, CONNECTION_ID, CURRENT_USER, DATABASE, DUAL, EXCEPT, FOR, FROM, GROUP, HAVING, INTERSECT, INTO, LIMIT,
  LOCK, ORDER, SCHEMA, SESSION_USER, SYSTEM_USER, UNION, USER, VERSION, WHERE, WINDOW,
} = KEYWORDS;

/** Words that end a select item rather than alias it. */
const CLAUSE_WORDS: readonly number[] = [
  AS, FROM, LIMIT, WHERE, UNION, INTO, FOR, ORDER, GROUP, HAVING, WINDOW, LOCK, EXCEPT, INTERSECT,
];

/** Parses the tokens after `SELECT`, `[i, e)`; undefined unless every item is gateway-owned. */
export function parseGatewaySelect(t: TokenList, i: number, e: number): SelectGatewayStatement | undefined {
  const columns: GatewayColumn[] = [];
  for (;;) {
    const item = gatewayItem(t, i);
    if (item === undefined) return undefined;
    const { value, next } = item;
    let name: string | undefined;
    if (t.isKw(next, AS)) {
      name = aliasName(t, next + 1);
      if (name === undefined) return undefined;
      i = next + 2;
    } else {
      name = isClauseWord(t, next) ? undefined : aliasName(t, next);
      if (name === undefined) {
        // MySQL names an unaliased column after the item exactly as the client wrote it.
        name = t.span(i, next - 1);
        i = next;
      } else {
        i = next + 1;
      }
    }
    columns.push({ name, value });
    if (!t.isOp(i, 44)) break;
    i++;
  }
  // `FROM DUAL` is MySQL's spelling of "no table".
  if (t.isKw(i, FROM) && t.isKw(i + 1, DUAL)) i += 2;
  let limit: number | undefined;
  if (t.isKw(i, LIMIT)) {
    if (!isUnsignedInteger(t, i + 1)) return undefined;
    limit = Number(t.text(i + 1));
    i += 2;
  }
  return i === e ? { kind: "select-gateway", columns, limit } : undefined;
}

/** The gateway-owned value starting at token `i` (`@@version`, `USER()`, `CURRENT_USER`, ...) and the index after it. */
export function gatewayItem(t: TokenList, i: number): { value: GatewayValue; next: number } | undefined {
  const kind = t.kind(i);
  if (kind === TK_SYSTEM_VAR) {
    const { scope, name } = systemVariableParts(t.sql, t.starts[i]!, t.ends[i]!);
    if (scope === "persist" || scope === "persist_only") return undefined;
    return name === "version" || name === "version_comment" ? { value: name, next: i + 1 } : undefined;
  }
  if (kind !== TK_WORD) return undefined;
  const value = functionValue(t, i);
  if (value === undefined) return undefined;
  if (t.isOp(i + 1, 40)) return t.isOp(i + 2, 41) ? { value, next: i + 3 } : undefined;
  // CURRENT_USER is the one that also works without parentheses.
  return t.isKw(i, CURRENT_USER) ? { value, next: i + 1 } : undefined;
}

function functionValue(t: TokenList, i: number): GatewayValue | undefined {
  switch (t.keyword(i)) {
    case DATABASE:
    case SCHEMA:
      return "database";
    case VERSION:
      return "version";
    case CONNECTION_ID:
      return "connection_id";
    case USER:
    case SESSION_USER:
    case SYSTEM_USER:
      return "user";
    case CURRENT_USER:
      return "current_user";
    default:
      return undefined;
  }
}

/** An alias: word, backquoted identifier or plain quoted string. */
function aliasName(t: TokenList, i: number): string | undefined {
  const kind = t.kind(i);
  if (kind === TK_WORD || kind === TK_QUOTED_IDENT) return t.name(i);
  if (kind === TK_STRING && stringQuotePos(t.sql, t.starts[i]!) === t.starts[i]) {
    return stringValue(t.sql, t.starts[i]!, t.ends[i]!);
  }
  return undefined;
}

function isClauseWord(t: TokenList, i: number): boolean {
  const id = t.keyword(i);
  return id !== 0 && CLAUSE_WORDS.includes(id);
}

function isUnsignedInteger(t: TokenList, i: number): boolean {
  if (t.kind(i) !== TK_NUMBER) return false;
  for (let p = t.starts[i]!; p < t.ends[i]!; p++) {
    const c = t.sql.charCodeAt(p);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
