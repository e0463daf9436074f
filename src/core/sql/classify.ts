/**
 * Statement classification without a full parse: recognises exactly the statements the gateway
 * answers or tracks itself (USE, SET, transaction control, SHOW DATABASES, FROM-less SELECTs of
 * gateway-owned values) and reports a few facts about everything else.
 */
import { classifyOther } from "./classify-facts.ts";
import { parseGatewaySelect } from "./classify-select.ts";
import { parseSet } from "./classify-set.ts";
import type {
  BeginStatement,
  Classified,
  CommitStatement,
  EmptyStatement,
  RollbackStatement,
  ShowDatabasesStatement,
} from "./classify-types.ts";
import { TokenList } from "./token-list.ts";
import { stringValue } from "./token-text.ts";
import { TK_STRING } from "./lexer.ts";
import { KEYWORDS } from "./keywords.ts";

// Keyword ids (`keywords.ts`) as module constants: the classifier compares integers.
const {
  BEGIN, COMMIT, CONSISTENT, DATABASES, LIKE, ONLY, READ, ROLLBACK, SCHEMAS, SELECT, SET, SHOW, SNAPSHOT,
  START, TRANSACTION, USE, WITH, WORK, WRITE,
} = KEYWORDS;

export type * from "./classify-types.ts";

// Classification is synchronous and never re-entered, so one token buffer serves every call.
const tokens = new TokenList();

const EMPTY_STATEMENT: EmptyStatement = Object.freeze({ kind: "empty" });
const COMMIT_STATEMENT: CommitStatement = Object.freeze({ kind: "commit" });
const ROLLBACK_STATEMENT: RollbackStatement = Object.freeze({ kind: "rollback" });

export function classifyStatement(sql: string): Classified {
  const t = tokens;
  t.fill(sql);
  const n = t.count;
  if (t.lexError) return classifyOther(t);
  if (t.semicolons === n) return EMPTY_STATEMENT;
  // The gateway's own kinds are single statements: only `;` may follow the first one.
  const first = t.firstSemicolon;
  if (first < 0) return classifyOwn(t, 0, n) ?? classifyOther(t);
  if (first > 0 && t.semicolons === n - first) return classifyOwn(t, 0, first) ?? classifyOther(t);
  return classifyOther(t);
}

function classifyOwn(t: TokenList, s: number, e: number): Classified | undefined {
  switch (t.keyword(s)) {
    case USE:
      return e === s + 2 && t.isName(s + 1) ? { kind: "use", database: t.name(s + 1) } : undefined;
    case SET: {
      const assignments = parseSet(t, s + 1, e);
      return assignments === undefined ? undefined : { kind: "set", assignments };
    }
    case SHOW:
      return showDatabases(t, s + 1, e);
    case BEGIN: {
      const plain = e === s + 1 || (e === s + 2 && t.isKw(s + 1, WORK));
      return plain ? { kind: "begin", text: t.span(s, e - 1), characteristics: [] } : undefined;
    }
    case START:
      return t.isKw(s + 1, TRANSACTION) ? startTransaction(t, s, e) : undefined;
    case COMMIT:
      return bareOrWork(t, s, e) ? COMMIT_STATEMENT : undefined;
    case ROLLBACK:
      // `ROLLBACK TO SAVEPOINT`, `AND CHAIN`, `RELEASE` stay with the backend.
      return bareOrWork(t, s, e) ? ROLLBACK_STATEMENT : undefined;
    case SELECT:
      return parseGatewaySelect(t, s + 1, e);
    default:
      return undefined;
  }
}

function bareOrWork(t: TokenList, s: number, e: number): boolean {
  return e === s + 1 || (e === s + 2 && t.isKw(s + 1, WORK));
}

/** `START TRANSACTION [READ ONLY | READ WRITE | WITH CONSISTENT SNAPSHOT] [, ...]`. */
function startTransaction(t: TokenList, s: number, e: number): BeginStatement | undefined {
  const characteristics: string[] = [];
  let i = s + 2;
  while (i < e) {
    if (t.isKw(i, READ) && t.isKw(i + 1, ONLY)) characteristics.push("READ ONLY");
    else if (t.isKw(i, READ) && t.isKw(i + 1, WRITE)) characteristics.push("READ WRITE");
    else if (t.isKw(i, WITH) && t.isKw(i + 1, CONSISTENT) && t.isKw(i + 2, SNAPSHOT)) {
      characteristics.push("WITH CONSISTENT SNAPSHOT");
      i++;
    } else {
      return undefined;
    }
    i += 2;
    if (i === e) break;
    if (!t.isOp(i, 44)) return undefined;
    i++;
    if (i === e) return undefined;
  }
  return { kind: "begin", text: t.span(s, e - 1), characteristics };
}

/** `SHOW {DATABASES | SCHEMAS} [LIKE 'pattern']`; a WHERE clause goes to the backend. */
function showDatabases(t: TokenList, i: number, e: number): ShowDatabasesStatement | undefined {
  if (!t.isKw(i, DATABASES) && !t.isKw(i, SCHEMAS)) return undefined;
  if (e === i + 1) return { kind: "show-databases", like: undefined };
  if (e === i + 3 && t.isKw(i + 1, LIKE) && t.kind(i + 2) === TK_STRING) {
    return { kind: "show-databases", like: stringValue(t.sql, t.starts[i + 2]!, t.ends[i + 2]!) };
  }
  return undefined;
}
