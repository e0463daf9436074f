/**
 * Values only the gateway knows (server version, current database, connection id, user), written into
 * a statement as literals before a backend runs it. The gateway answers `SELECT @@version` by itself
 * (classify-select.ts), but once such a value shares a statement with anything else the statement goes
 * to a shard, which would answer with its own version, thread id, account and database name. Here every
 * such token becomes a literal of the session's value, found with the lexer, so strings, comments and
 * identifiers are never touched. Select items that held one keep the column name MySQL gives them (their
 * text as typed) through an alias.
 *
 * Only statements that compute values are rewritten (SELECT, INSERT, REPLACE, UPDATE, DELETE, DO, VALUES,
 * CALL, EXPLAIN, KILL, and the values of SET assignments in a batch). Statements that store an expression
 * for later (CREATE VIEW/TRIGGER/PROCEDURE, column defaults, `DEFINER = CURRENT_USER`) or name an account
 * (GRANT, `SHOW GRANTS FOR CURRENT_USER`) are left as written, and the rest of a batch after a statement
 * that may hold a stored-program body (CREATE, ALTER, `BEGIN NOT ATOMIC`, ...) too: its `;` don't end it.
 *
 * Cold path: runs only when the classifier flagged the statement (`OtherStatement.gatewayValues`).
 */
import { mainKeyword } from "./classify-facts.ts";
import { gatewayItem } from "./classify-select.ts";
import type { GatewayValue } from "./classify-types.ts";
import { KEYWORDS } from "./keywords.ts";
import { TK_OP, TK_QUOTED_IDENT, TK_STRING, TK_SYSTEM_VAR, TK_WORD } from "./lexer.ts";
import { TokenList } from "./token-list.ts";
import { wordEquals } from "./token-text.ts";

const {
  ALTER, AS, BEGIN, CALL, CASE, CREATE, DELETE, DESC, DESCRIBE, DO, EXCEPT, EXPLAIN, FOR, FROM, GROUP, HAVING,
  IF, INSERT, INTERSECT, INTO, LIMIT, LOCK, LOOP, NOT, ORDER, PROCEDURE, REPEAT, REPLACE, SELECT, SET, UNION, UPDATE,
  VALUES, WHERE, WHILE, WINDOW, WITH,
} = KEYWORDS;

/** SQL text of each gateway-owned value, as `gatewayLiteral` writes it. */
export type GatewayLiterals = Readonly<Record<GatewayValue, string>>;

/**
 * A value as a SQL literal: integers bare (CONNECTION_ID() is an integer), NULL, strings quoted. An ASCII
 * string is a plain literal: it reads the same in every client character set, and takes the connection's
 * collation like the client's own literals (`_utf8mb4'commerce' = 'commerce'` is ER 1267, illegal mix of
 * collations, when the connection's utf8mb4 collation is not utf8mb4's default). Other strings carry the
 * `_utf8mb4` introducer, since their bytes are UTF-8 whatever the connection's character set.
 */
export function gatewayLiteral(value: string | number | bigint | null): string {
  if (value === null) return "NULL";
  if (typeof value !== "string") return String(value);
  // `''` reads the same with and without NO_BACKSLASH_ESCAPES; a backslash can only be written escaped.
  const quoted = `'${value.replace(/['\\]/g, (c) => (c === "'" ? "''" : "\\\\"))}'`;
  return /^[\x00-\x7f]*$/.test(value) ? quoted : `_utf8mb4${quoted}`;
}

/** What to do with one statement of a batch. */
const SKIP = 0;
const REWRITE = 1;
/** SET: only the value side of each assignment (`SET @a = USER()`, never `SET PASSWORD FOR CURRENT_USER()`). */
const SET_VALUES = 2;
/** May hold a stored-program body: its `;` don't end it, so nothing after its start is rewritten. */
const STOP = 3;

/** Words that end an ORDER BY / GROUP BY list at its depth. */
const ENDS_BY_LIST: readonly number[] = [
  SELECT, FROM, WHERE, HAVING, WINDOW, LIMIT, UNION, EXCEPT, INTERSECT, INTO, FOR, LOCK, WITH, SET, VALUES, PROCEDURE,
];
/** Words that end a select list at its depth. */
const ENDS_SELECT_LIST: readonly number[] = [
  FROM, WHERE, GROUP, HAVING, WINDOW, ORDER, LIMIT, INTO, FOR, LOCK, UNION, EXCEPT, INTERSECT, PROCEDURE,
];
const SELECT_MODIFIERS = [
  "ALL", "DISTINCT", "DISTINCTROW", "HIGH_PRIORITY", "STRAIGHT_JOIN", "SQL_SMALL_RESULT", "SQL_BIG_RESULT",
  "SQL_BUFFER_RESULT", "SQL_CACHE", "SQL_NO_CACHE", "SQL_CALC_FOUND_ROWS",
];
/** After these a `name()` is a table (`INSERT INTO user () VALUES ()`) or a procedure (`CALL version()`). */
const NAME_POSITION_WORDS = ["INTO", "CALL"];
/** The same in INSERT/REPLACE before any SELECT: `INSERT IGNORE version () VALUES ()`. */
const INSERT_NAME_POSITION_WORDS = ["INSERT", "REPLACE", "IGNORE", "LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY"];
/** Words before a last word that make it part of the expression, not an alias (`x COLLATE utf8mb4_bin`). */
const OPERATOR_WORDS = [
  "AND", "OR", "XOR", "NOT", "IS", "LIKE", "REGEXP", "RLIKE", "IN", "BETWEEN", "DIV", "MOD", "ESCAPE", "COLLATE",
  "BINARY", "INTERVAL", "SOUNDS", "CASE", "WHEN", "THEN", "ELSE", "DISTINCT", "ALL", "ANY", "SOME", "EXISTS", "AS",
];
/** Last words that end an expression and are never an alias. */
const EXPRESSION_END_WORDS = ["NULL", "TRUE", "FALSE", "UNKNOWN", "END"];
const INTERVAL_UNITS = [
  "MICROSECOND", "SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR", "SECOND_MICROSECOND",
  "MINUTE_MICROSECOND", "MINUTE_SECOND", "HOUR_MICROSECOND", "HOUR_SECOND", "HOUR_MINUTE", "DAY_MICROSECOND",
  "DAY_SECOND", "DAY_MINUTE", "DAY_HOUR", "YEAR_MONTH",
];
/** What may follow a lone ORDER BY / GROUP BY item, where a bare integer would be a column position. */
const AFTER_BY_ITEM = ["ASC", "DESC"];

interface Edit {
  start: number;
  end: number;
  text: string;
}

// Synchronous and never re-entered: one token buffer serves every call.
const tokens = new TokenList();

/**
 * `sql` with every gateway-owned value replaced by its literal from `literals`, or undefined when there
 * is nothing to replace. Each statement of a batch is rewritten on its own.
 */
export function rewriteGatewayValues(sql: string, literals: GatewayLiterals): string | undefined {
  const t = tokens;
  t.fill(sql);
  const n = t.count;
  const edits: Edit[] = [];
  let i = 0;
  while (i < n) {
    if (t.isOp(i, 59)) {
      i++;
      continue;
    }
    const s = i;
    let e = s;
    while (e < n && !t.isOp(e, 59)) e++;
    const mode = statementMode(t, s, e);
    if (mode === STOP) break;
    if (mode !== SKIP) rewriteStatement(t, s, e, mode, literals, edits);
    i = e;
  }
  return edits.length === 0 ? undefined : applyEdits(sql, edits);
}

function statementMode(t: TokenList, s: number, e: number): number {
  switch (t.keyword(s)) {
    case CREATE:
    case ALTER:
    case IF:
    case CASE:
    case LOOP:
    case WHILE:
    case REPEAT:
    case FOR:
      return STOP;
    case BEGIN:
      return t.isKw(s + 1, NOT) ? STOP : SKIP;
    case SET:
      return SET_VALUES;
  }
  // `label: BEGIN ... END` and `DECLARE` belong to compound statements.
  if (t.kind(s) === TK_WORD && (t.isOp(s + 1, 58) || isWord(t, s, "DECLARE"))) return STOP;
  const main = mainKeyword(t, s, e);
  if (main < 0) return SKIP;
  switch (t.keyword(main)) {
    case SELECT:
    case INSERT:
    case REPLACE:
    case UPDATE:
    case DELETE:
    case DO:
    case VALUES:
    case CALL:
    case EXPLAIN:
    case DESCRIBE:
    case DESC:
      return REWRITE;
  }
  // `KILL CONNECTION_ID()`: the gateway's KILL then reads its own id.
  return isWord(t, main, "KILL") ? REWRITE : SKIP;
}

function rewriteStatement(t: TokenList, s: number, e: number, mode: number, literals: GatewayLiterals, edits: Edit[]): void {
  const sql = t.sql;
  const replaced = new Set<number>();
  // Per parenthesis depth: inside an ORDER BY / GROUP BY list, where a lone integer is a column position.
  const byList: boolean[] = [false];
  let depth = 0;
  let inValue = mode !== SET_VALUES;
  const main = mainKeyword(t, s, e);
  let insertTarget = t.isKw(main, INSERT) || t.isKw(main, REPLACE);
  for (let i = s; i < e; i++) {
    const kind = t.kinds[i]!;
    if (kind === TK_OP) {
      if (t.isOp(i, 40)) byList[++depth] = false;
      else if (t.isOp(i, 41)) depth = Math.max(0, depth - 1);
      else if (mode === SET_VALUES && depth === 0) {
        if (t.isOp(i, 44)) inValue = false;
        else if (t.isAssign(i)) inValue = true;
      }
      continue;
    }
    if (kind === TK_WORD) {
      const id = t.keywords[i]!;
      if (id === SELECT) insertTarget = false;
      if ((id === ORDER || id === GROUP) && isWord(t, i + 1, "BY")) byList[depth] = true;
      else if (id !== 0 && ENDS_BY_LIST.includes(id)) byList[depth] = false;
    } else if (kind !== TK_SYSTEM_VAR) {
      continue;
    }
    if (!inValue) continue;
    const item = gatewayItem(t, i);
    if (item === undefined) continue;
    const last = item.next - 1;
    // `db.user()` is a stored function, `t.current_user` a column; after INTO or CALL a name.
    if (t.isOp(i - 1, 46) || t.isOp(item.next, 46) || isAnyWord(t, i - 1, NAME_POSITION_WORDS)) continue;
    if (insertTarget && isAnyWord(t, i - 1, INSERT_NAME_POSITION_WORDS)) continue;
    let text = literals[item.value];
    if (t.kinds[i - 1] === TK_STRING) {
      // `'a' CURRENT_USER` is an error; `'a' _utf8mb4'x'` would be one string.
      text = `(${text})`;
    } else if (byList[depth] && isLoneByItem(t, i, item.next, e) && isInteger(text)) {
      // `ORDER BY CONNECTION_ID()` sorts by a constant; `ORDER BY 42` would mean the 42nd column.
      text = `(${text}+0)`;
    }
    // A string after a value is its alias (`USER() 'u'`): spelled with AS, it can't join the literal.
    if (item.next < e && t.kinds[item.next] === TK_STRING) text += " AS";
    const start = t.starts[i]!;
    const end = t.ends[last]!;
    if (start > 0 && gluesTo(sql.charCodeAt(start - 1))) text = ` ${text}`;
    if (end < sql.length && gluesTo(sql.charCodeAt(end))) text = `${text} `;
    edits.push({ start, end, text });
    replaced.add(i);
    i = last;
  }
  if (replaced.size === 0) return;
  // Select lists anywhere in the statement (subqueries, derived tables, UNION parts, RETURNING): an
  // item that held a value is named by its text as typed, as MySQL names it, not by the literal's.
  const returns = t.isKw(main, INSERT) || t.isKw(main, REPLACE) || t.isKw(main, DELETE);
  let depthHere = 0;
  for (let i = s; i < e; i++) {
    if (t.isOp(i, 40)) depthHere++;
    else if (t.isOp(i, 41)) depthHere--;
    else if (t.isKw(i, SELECT) || (returns && depthHere === 0 && isWord(t, i, "RETURNING"))) {
      for (const [a, b] of selectItems(t, i + 1, e)) {
        if (!holdsReplaced(replaced, a, b) || hasAlias(t, a, b, replaced)) continue;
        const alias = aliasFor(sql.slice(t.starts[a]!, t.ends[b]!));
        if (alias !== undefined) edits.push({ start: t.ends[b]!, end: t.ends[b]!, text: alias });
      }
    }
  }
}

/** The items of the select list starting at `i` (after SELECT), each as its first and last token. */
function selectItems(t: TokenList, i: number, e: number): Array<[number, number]> {
  while (i < e && t.kinds[i] === TK_WORD && isAnyWord(t, i, SELECT_MODIFIERS)) i++;
  const items: Array<[number, number]> = [];
  let start = i;
  let depth = 0;
  for (; i < e; i++) {
    if (t.isOp(i, 40)) depth++;
    else if (t.isOp(i, 41)) {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0) {
      if (t.isOp(i, 44)) {
        if (i > start) items.push([start, i - 1]);
        start = i + 1;
      } else if (t.keywords[i] !== 0 && ENDS_SELECT_LIST.includes(t.keywords[i]!)) {
        break;
      }
    }
  }
  if (i > start) items.push([start, i - 1]);
  return items;
}

function holdsReplaced(replaced: ReadonlySet<number>, a: number, b: number): boolean {
  for (const i of replaced) if (i >= a && i <= b) return true;
  return false;
}

/**
 * The item `[a, b]` ends with an alias: `AS name`, or a name or string right after a complete
 * expression (`USER() u`, `@@version 'v'`). Unsure cases count as aliased: a second alias would be a
 * syntax error, a missing one only a column named after the literal.
 */
function hasAlias(t: TokenList, a: number, b: number, replaced: ReadonlySet<number>): boolean {
  if (b === a) return false;
  if (t.isKw(b - 1, AS)) return true;
  const kind = t.kinds[b]!;
  if (kind !== TK_WORD && kind !== TK_QUOTED_IDENT && kind !== TK_STRING) return false;
  // `x + CURRENT_USER`: the value itself ends the item.
  if (replaced.has(b)) return false;
  if (kind === TK_WORD) {
    if (isAnyWord(t, b, EXPRESSION_END_WORDS)) return false;
    if (isAnyWord(t, b, INTERVAL_UNITS) && holdsWord(t, a, b, "INTERVAL")) return false;
  }
  const before = b - 1;
  const beforeKind = t.kinds[before]!;
  if (beforeKind === TK_OP) return t.isOp(before, 41);
  if (kind === TK_STRING && beforeKind === TK_STRING) return false;
  return !(beforeKind === TK_WORD && isAnyWord(t, before, OPERATOR_WORDS));
}

function holdsWord(t: TokenList, a: number, b: number, word: string): boolean {
  for (let i = a; i <= b; i++) if (isWord(t, i, word)) return true;
  return false;
}

/** `AS \`text\``; undefined when the text can't be an identifier (NUL, characters beyond the BMP). */
function aliasFor(text: string): string | undefined {
  if (/[\u0000\uD800-\uDFFF]/.test(text)) return undefined;
  return ` AS \`${text.replace(/`/g, "``")}\``;
}

/** The value `[i, next)` is a whole ORDER BY / GROUP BY item. */
function isLoneByItem(t: TokenList, i: number, next: number, e: number): boolean {
  const before = i - 1;
  if (!isWord(t, before, "BY") && !t.isOp(before, 44)) return false;
  if (next >= e || t.isOp(next, 44) || t.isOp(next, 41)) return true;
  if (t.kinds[next] !== TK_WORD) return false;
  const id = t.keywords[next]!;
  return isAnyWord(t, next, AFTER_BY_ITEM) || (id !== 0 && ENDS_BY_LIST.includes(id)) || id === ORDER;
}

function isInteger(text: string): boolean {
  return /^\d+$/.test(text);
}

/** A character that would run into the literal's first or last character and change its tokens. */
function gluesTo(c: number): boolean {
  return (
    c >= 128 ||
    (c >= 48 && c <= 57) ||
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 95 || // _
    c === 36 || // $
    c === 39 || // '
    c === 34 || // "
    c === 96 || // `
    c === 64 || // @
    c === 46 // .
  );
}

function isWord(t: TokenList, i: number, upperWord: string): boolean {
  return i >= 0 && i < t.count && t.kinds[i] === TK_WORD && wordEquals(t.sql, t.starts[i]!, t.ends[i]!, upperWord);
}

function isAnyWord(t: TokenList, i: number, upperWords: readonly string[]): boolean {
  if (i < 0 || i >= t.count || t.kinds[i] !== TK_WORD) return false;
  for (const word of upperWords) if (wordEquals(t.sql, t.starts[i]!, t.ends[i]!, word)) return true;
  return false;
}

function applyEdits(sql: string, edits: Edit[]): string {
  // Stable: a replacement and the alias inserted where it ends keep their order.
  edits.sort((x, y) => x.start - y.start || x.end - y.end);
  let out = "";
  let copied = 0;
  for (const edit of edits) {
    out += sql.slice(copied, edit.start) + edit.text;
    copied = edit.end;
  }
  return out + sql.slice(copied);
}
