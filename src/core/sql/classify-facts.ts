/**
 * Facts about statements the gateway passes through: what they start with, whether they only
 * read, which connection state they leave behind, which qualifiers they name. One pass over the
 * tokens; words arrive tagged with keyword ids, so most cost one integer comparison.
 */
import { parseSet } from "./classify-set.ts";
import type { OtherStatement, PinReason } from "./classify-types.ts";
import type { TokenList } from "./token-list.ts";
import { asciiLowercaseEquals, mayNameGatewayVariable } from "./token-text.ts";
import { TK_OP, TK_QUOTED_IDENT, TK_STRING, TK_SYSTEM_VAR, TK_USER_VAR, TK_WORD } from "./lexer.ts";
import { KEYWORDS, keywordName } from "./keywords.ts";

// Keyword ids (`keywords.ts`) as module constants: the classifier compares integers.
const {
  AGGREGATE, ALTER, ANALYZE, AS, ATOMIC, BEGIN, CASE, CHAIN, COMMIT, CONNECTION_ID, CREATE, CURRENT_USER, DATABASE,
  DEALLOCATE, DELETE, DESC, DESCRIBE, DROP, DUMPFILE, END, EVENT, EXECUTE, EXPLAIN, EXPORT, FLUSH, FOR, FOUND_ROWS,
  FUNCTION, GET_LOCK, HANDLER, HELP, IF, IN, INSERT, INTO, LAST_INSERT_ID, LOCK, LOOP, NO, NOT, OR, OUTFILE, PREPARE,
  PROCEDURE, RECURSIVE, REPEAT, REPLACE, RESOURCE, ROLE, ROLLBACK, ROW_COUNT, SCHEMA, SELECT, SESSION_USER, SET, SHARE,
  SHOW, SQL_CALC_FOUND_ROWS, START, SYSTEM_USER, TABLE, TEMPORARY, TRANSACTION, TRIGGER, UPDATE, USE, USER, VALUES,
  VERSION, WHILE, WITH, XA,
} = KEYWORDS;

const NONE: readonly never[] = Object.freeze([]);

export function classifyOther(t: TokenList): OtherStatement {
  const n = t.count;
  const kinds = t.kinds;
  const starts = t.starts;
  const ends = t.ends;
  const keywords = t.keywords;
  const sql = t.sql;
  let statementCount = 0;
  let firstKeyword = "";
  let isReadOnly = true;
  let lockingRead = false;
  let usesLastInsertId = false;
  let usesPerStatementState = false;
  let gatewayValues = false;
  let reasons: PinReason[] | undefined;
  let qualifiers: string[] | undefined;

  let i = 0;
  while (i < n) {
    if (kinds[i] === TK_OP && sql.charCodeAt(starts[i]!) === 59) {
      i++;
      continue;
    }
    const s = i;
    statementCount++;
    const createOrAlter = t.isKw(s, CREATE) || t.isKw(s, ALTER);
    const flush = t.isKw(s, FLUSH);
    // Stored-program bodies hold `;` that don't end the statement: track BEGIN/CASE ... END.
    let routine = t.isKw(s, BEGIN) && t.isKw(s + 1, NOT) && t.isKw(s + 2, ATOMIC);
    let depth = 0;
    let writesFile = false;
    for (; i < n; i++) {
      const kind = kinds[i]!;
      if (kind === TK_OP) {
        // Only one-character operators start with `;` or `.`.
        if (depth === 0 && sql.charCodeAt(starts[i]!) === 59) break;
      } else if (kind === TK_WORD || kind === TK_QUOTED_IDENT) {
        const dot = i + 1;
        if (dot + 1 < n && kinds[dot] === TK_OP && sql.charCodeAt(starts[dot]!) === 46) {
          if ((t.isName(dot + 1) || t.isOp(dot + 1, 42)) && !t.isOp(i - 1, 46)) {
            qualifiers = addQualifier(t, i, qualifiers);
          }
        }
        const id = keywords[i]!;
        if (id === 0) continue;
        switch (id) {
          case FOR:
            if (t.isKw(i + 1, UPDATE) || t.isKw(i + 1, SHARE)) lockingRead = true;
            break;
          case END:
            if (routine && depth > 0) {
              // `END IF/LOOP/WHILE/REPEAT/FOR` close constructs that were not counted.
              if (closesUncounted(t, i + 1)) i++;
              else {
                depth--;
                if (t.isKw(i + 1, CASE)) i++;
              }
            }
            break;
          case INTO:
            if (t.isKw(i + 1, OUTFILE) || t.isKw(i + 1, DUMPFILE)) writesFile = true;
            else if (t.kind(i + 1) === TK_USER_VAR) reasons = pin(reasons, "user variable");
            break;
          case LOCK:
            if (flush) reasons = pin(reasons, "table lock");
            else if (t.isKw(i + 1, IN)) lockingRead = true;
            break;
          case CASE:
          case BEGIN:
            if (routine) depth++;
            break;
          case EVENT:
          case TRIGGER:
          case FUNCTION:
          case PROCEDURE:
            if (createOrAlter && namesObjectType(t, i)) routine = true;
            break;
          case EXPORT:
            if (flush) reasons = pin(reasons, "table lock");
            break;
          case GET_LOCK:
            if (t.isOp(i + 1, 40)) reasons = pin(reasons, "user lock");
            break;
          case ROW_COUNT:
          case FOUND_ROWS:
            if (t.isOp(i + 1, 40)) usesPerStatementState = true;
            break;
          case LAST_INSERT_ID:
            if (t.isOp(i + 1, 40)) usesLastInsertId = true;
            break;
          case SQL_CALC_FOUND_ROWS:
            reasons = pin(reasons, "found rows");
            break;
          case DATABASE:
          case SCHEMA:
          case VERSION:
          case CONNECTION_ID:
          case USER:
          case SESSION_USER:
          case SYSTEM_USER:
            if (t.isOp(i + 1, 40)) gatewayValues = true;
            break;
          case CURRENT_USER:
            gatewayValues = true;
            break;
        }
      } else if (kind === TK_USER_VAR) {
        // `@x := expr` assigns anywhere; `@x = expr` only in SET, which headReasons handles.
        if (t.isAssign(i + 1) && ends[i + 1]! - starts[i + 1]! === 2) reasons = pin(reasons, "user variable");
      } else if (kind === TK_SYSTEM_VAR) {
        if (mayNameGatewayVariable(sql, starts[i]!, ends[i]!)) gatewayValues = true;
      }
    }
    const e = i;

    const main = mainKeyword(t, s, e);
    if (statementCount === 1) {
      if (main >= 0) firstKeyword = keywordUpper(t, main);
      else if (t.kind(s) === TK_WORD) firstKeyword = keywordUpper(t, s);
    }
    if (main < 0 || writesFile || !readsOnly(t, main, e)) isReadOnly = false;
    if (t.kind(s) === TK_WORD) reasons = headReasons(t, s, e, reasons);
  }

  return {
    kind: "other",
    firstKeyword,
    isReadOnly: isReadOnly && statementCount > 0,
    lockingRead,
    sessionPinReasons: reasons ?? NONE,
    usesLastInsertId,
    usesPerStatementState,
    gatewayValues,
    qualifiers: qualifiers ?? NONE,
    statementCount,
    lexError: t.lexError,
  };
}

/** Adds the lowercased name of token `i` once; a repeat (`t.a, t.b`) costs no allocation. */
function addQualifier(t: TokenList, i: number, list: string[] | undefined): string[] {
  if (list !== undefined && t.kinds[i] === TK_WORD) {
    for (const q of list) if (asciiLowercaseEquals(t.sql, t.starts[i]!, t.ends[i]!, q)) return list;
  }
  const name = t.name(i).toLowerCase();
  if (list === undefined) return [name];
  if (!list.includes(name)) list.push(name);
  return list;
}

/** Uppercase spelling of a leading word; keywords come from the table without allocating. */
function keywordUpper(t: TokenList, i: number): string {
  const id = t.keyword(i);
  return id !== 0 ? keywordName(id) : t.text(i).toUpperCase();
}

/**
 * The routine keyword at `i` is the object type of `CREATE/ALTER [OR REPLACE] [DEFINER = x]
 * [AGGREGATE] {PROCEDURE|FUNCTION|TRIGGER|EVENT}`, not a table or column named `event`.
 */
function namesObjectType(t: TokenList, i: number): boolean {
  const before = i - 1;
  switch (t.keyword(before)) {
    case CREATE:
    case ALTER:
    case REPLACE:
    case AGGREGATE:
    case CURRENT_USER:
      return true;
  }
  const kind = t.kind(before);
  // DEFINER = 'user'@'host' | user@host | CURRENT_USER()
  if (kind === TK_USER_VAR || kind === TK_STRING) return true;
  return t.isOp(before, 41) && t.isOp(before - 1, 40) && t.isKw(before - 2, CURRENT_USER);
}

function closesUncounted(t: TokenList, i: number): boolean {
  return t.isKw(i, IF) || t.isKw(i, LOOP) || t.isKw(i, WHILE) || t.isKw(i, REPEAT) || t.isKw(i, FOR);
}

/**
 * The statement's own keyword: past opening parentheses (`(SELECT ...) UNION ...`) and past a
 * `WITH` list of common table expressions. -1 if no word is found.
 */
export function mainKeyword(t: TokenList, i: number, e: number): number {
  while (i < e && t.isOp(i, 40)) i++;
  if (t.isKw(i, WITH)) {
    const after = afterCtes(t, i + 1, e);
    if (after < 0) return i;
    i = after;
    while (i < e && t.isOp(i, 40)) i++;
  }
  return i < e && t.kind(i) === TK_WORD ? i : -1;
}

/** `[RECURSIVE] name [(cols)] AS (subquery) [, ...]`: index after the list, -1 if malformed. */
function afterCtes(t: TokenList, i: number, e: number): number {
  if (t.isKw(i, RECURSIVE)) i++;
  for (;;) {
    if (!t.isName(i)) return -1;
    i++;
    if (t.isOp(i, 40)) i = t.skipParens(i);
    if (!t.isKw(i, AS) || !t.isOp(i + 1, 40)) return -1;
    i = t.skipParens(i + 1);
    if (i >= e) return -1;
    if (!t.isOp(i, 44)) return i;
    i++;
  }
}

function readsOnly(t: TokenList, main: number, e: number): boolean {
  switch (t.keyword(main)) {
    case SELECT:
    case TABLE:
    case VALUES:
    case SHOW:
    case HELP:
      return true;
    case EXPLAIN:
    case DESCRIBE:
    case DESC:
      return explainReadsOnly(t, main + 1, e);
    default:
      return false;
  }
}

/**
 * Plain EXPLAIN never executes anything, but `EXPLAIN ANALYZE` runs the statement, and MySQL
 * accepts it for multi-table UPDATE and DELETE.
 */
function explainReadsOnly(t: TokenList, i: number, e: number): boolean {
  let analyze = false;
  for (; i < e; i++) {
    if (t.kind(i) !== TK_WORD && !t.isOp(i, 40)) continue;
    if (t.isKw(i, ANALYZE)) analyze = true;
    else if (t.isKw(i, INSERT) || t.isKw(i, UPDATE) || t.isKw(i, DELETE) || t.isKw(i, REPLACE)) {
      return !analyze;
    } else if (t.isKw(i, SELECT) || t.isKw(i, TABLE) || t.isKw(i, WITH) || t.isOp(i, 40)) {
      if (!analyze) return true;
      const main = mainKeyword(t, i, e);
      return main >= 0 && (t.isKw(main, SELECT) || t.isKw(main, TABLE));
    }
  }
  return true;
}

type Reasons = PinReason[] | undefined;

/** Adds a reason once. A plain function, not a closure: the hot loop must not allocate. */
function pin(reasons: Reasons, reason: PinReason): PinReason[] {
  if (reasons === undefined) return [reason];
  if (!reasons.includes(reason)) reasons.push(reason);
  return reasons;
}

/** Pin reasons decided by how the statement starts. */
function headReasons(t: TokenList, s: number, e: number, reasons: Reasons): Reasons {
  switch (t.keyword(s)) {
    case XA:
      return pin(reasons, "xa");
    case USE:
      return pin(reasons, "database change");
    case SET:
      return setReasons(t, s + 1, e, reasons);
    case LOCK:
      return pin(reasons, "table lock");
    case PREPARE:
    case EXECUTE:
    case DEALLOCATE:
      return pin(reasons, "prepared statement");
    case DROP:
      return t.isKw(s + 1, PREPARE) ? pin(reasons, "prepared statement") : reasons;
    case HANDLER:
      return pin(reasons, "handler");
    case BEGIN:
      return t.isKw(s + 1, NOT) ? reasons : pin(reasons, "transaction");
    case START:
      return t.isKw(s + 1, TRANSACTION) ? pin(reasons, "transaction") : reasons;
    case CREATE: {
      const j = t.isKw(s + 1, OR) && t.isKw(s + 2, REPLACE) ? s + 3 : s + 1;
      return t.isKw(j, TEMPORARY) ? pin(reasons, "temporary table") : reasons;
    }
    case COMMIT:
    case ROLLBACK:
      return chains(t, s + 1, e) ? pin(reasons, "transaction") : reasons;
    default:
      return reasons;
  }
}

/** `AND CHAIN` (not `AND NO CHAIN`) opens the next transaction right away. */
function chains(t: TokenList, i: number, e: number): boolean {
  for (; i < e; i++) if (t.isKw(i, CHAIN)) return !t.isKw(i - 1, NO);
  return false;
}

function setReasons(t: TokenList, i: number, e: number, reasons: Reasons): Reasons {
  const assignments = parseSet(t, i, e);
  if (assignments === undefined) {
    // `SET ROLE` and `SET RESOURCE GROUP` change the session too (`SET DEFAULT ROLE` is per account).
    return t.isKw(i, ROLE) || t.isKw(i, RESOURCE) ? pin(reasons, "session variable") : reasons;
  }
  for (const a of assignments) {
    if (a.type === "user") reasons = pin(reasons, "user variable");
    else if (a.type === "names" || a.type === "charset") reasons = pin(reasons, "session variable");
    else if (a.type === "system" && a.scope === "session") reasons = pin(reasons, "session variable");
    else if (a.type === "transaction" && a.scope === "next") reasons = pin(reasons, "transaction");
    else if (a.type === "transaction" && a.scope === "session") reasons = pin(reasons, "session variable");
  }
  return reasons;
}
