/**
 * The words the classifier looks at, each with a small integer id. `TokenList` tags every word
 * token with its id once while lexing, so the classifier compares integers instead of strings.
 * Not a list of MySQL reserved words: only what the gateway cares about.
 */
import { wordEquals } from "./token-text.ts";

const WORDS = [
  // statement heads
  "SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "SET", "SHOW", "CALL", "WITH", "USE", "BEGIN", "START",
  "COMMIT", "ROLLBACK", "CREATE", "ALTER", "FLUSH", "XA", "DROP", "PREPARE", "EXECUTE", "HANDLER", "DEALLOCATE",
  "TABLE", "VALUES", "DESC", "DESCRIBE", "EXPLAIN", "HELP", "ANALYZE", "LOCK", "DO",
  // clauses and modifiers
  "TRANSACTION", "WORK", "DATABASES", "SCHEMAS", "LIKE", "FOR", "SHARE", "IN", "INTO", "OUTFILE", "DUMPFILE",
  "NOT", "ATOMIC", "EXPORT", "CHAIN", "NO", "OR", "TEMPORARY", "RECURSIVE", "AS", "FROM", "DUAL", "LIMIT", "WHERE",
  "UNION", "ORDER", "GROUP", "HAVING", "WINDOW", "EXCEPT", "INTERSECT", "READ", "ONLY", "WRITE", "CONSISTENT",
  "SNAPSHOT",
  // stored programs
  "CASE", "END", "IF", "LOOP", "WHILE", "REPEAT", "EVENT", "TRIGGER", "FUNCTION", "PROCEDURE", "AGGREGATE",
  // SET
  "NAMES", "COLLATE", "CHARSET", "CHARACTER", "SESSION", "LOCAL", "GLOBAL", "PERSIST", "PERSIST_ONLY", "PASSWORD",
  "ROLE", "RESOURCE",
  // functions
  "GET_LOCK", "ROW_COUNT", "FOUND_ROWS", "LAST_INSERT_ID", "SQL_CALC_FOUND_ROWS", "DATABASE", "SCHEMA", "VERSION",
  "USER", "CURRENT_USER", "SESSION_USER", "SYSTEM_USER", "CONNECTION_ID",
] as const;

export type KeywordName = (typeof WORDS)[number];

const TABLE_BITS = 9;
const TABLE_MASK = (1 << TABLE_BITS) - 1;
const MAX_LENGTH = 19;
/** Bucket heads and chains: index into WORDS, -1 for none. */
const HEAD = new Int16Array(1 << TABLE_BITS).fill(-1);
const NEXT = new Int16Array(WORDS.length).fill(-1);

/**
 * Hash of length, first, middle and last character, case-folded with `& 0xDF` (exact for ASCII
 * letters; any other character folds consistently and `wordEquals` confirms the match).
 */
function hash(sql: string, start: number, end: number): number {
  const len = end - start;
  const first = sql.charCodeAt(start) & 0xdf;
  const middle = sql.charCodeAt(start + (len >> 1)) & 0xdf;
  const last = sql.charCodeAt(end - 1) & 0xdf;
  return (len * 31 + first * 7 + middle * 3 + last * 11) & TABLE_MASK;
}

// Ids live in a Uint8Array (`TokenList.keywords`).
if (WORDS.length > 255) throw new Error("too many keywords for one-byte ids");
for (let k = WORDS.length - 1; k >= 0; k--) {
  const word = WORDS[k]!;
  if (word.length > MAX_LENGTH) throw new Error(`keyword ${word} longer than ${MAX_LENGTH}`);
  const h = hash(word, 0, word.length);
  NEXT[k] = HEAD[h]!;
  HEAD[h] = k;
}

/**
 * Keyword ids by name (1-based; 0 means "not a keyword"). Consumers destructure the ones they use
 * into module constants (`const { SELECT, FROM } = KEYWORDS`) so hot loops compare local integers.
 */
export const KEYWORDS: Readonly<Record<KeywordName, number>> = Object.freeze(
  Object.fromEntries(WORDS.map((word, k) => [word, k + 1])) as Record<KeywordName, number>,
);

/** The uppercase spelling of keyword `id`. */
export function keywordName(id: number): string {
  return (WORDS as readonly string[])[id - 1] ?? "";
}

/** Id of the word `sql[start, end)`, any case, or 0. */
export function lookupKeyword(sql: string, start: number, end: number): number {
  const len = end - start;
  if (len < 2 || len > MAX_LENGTH) return 0;
  for (let k = HEAD[hash(sql, start, end)]!; k >= 0; k = NEXT[k]!) {
    if (wordEquals(sql, start, end, WORDS[k]!)) return k + 1;
  }
  return 0;
}
