import { MySqlError } from "../errors.ts";
import { Lexer, TK_EOF, TK_ERROR, TK_OP, TK_WORD } from "../sql/lexer.ts";
import { unsupported } from "./plan-select.ts";
import type { TextRange } from "./select-outline.ts";

/** One SELECT of a union, as written: `range` with its parentheses, `select` the statement inside them. */
export interface UnionPart {
  range: TextRange;
  select: TextRange;
  parenthesized: boolean;
}

/** A union's text cut at its depth-0 UNION keywords. */
export interface UnionShape {
  parts: UnionPart[];
  /** Before each part but the first: whether that UNION removes duplicates (UNION, UNION DISTINCT). */
  distinct: boolean[];
  /** The union's own clauses after its last SELECT (ORDER BY, LIMIT, ...), and their depth-0 clause keywords. */
  trailing: { range: TextRange; words: Set<string> } | undefined;
}

interface Token {
  start: number;
  end: number;
  /** Upper-cased words and operators; empty for literals and quoted names. */
  upper: string;
}

const lexer = new Lexer();

/**
 * Cuts a union at its depth-0 UNION keywords. A part in parentheses keeps its own ORDER BY / LIMIT;
 * an ORDER BY or LIMIT after the last part, unparenthesized or not, is the union's.
 */
export function splitUnion(sql: string): UnionShape {
  const tokens: Token[] = [];
  lexer.reset(sql);
  for (let kind = lexer.next(); kind !== TK_EOF; kind = lexer.next()) {
    if (kind === TK_ERROR) throw MySqlError.of("PARSE", "You have an error in your SQL syntax (the statement does not tokenize)");
    const word = kind === TK_WORD || kind === TK_OP;
    tokens.push({ start: lexer.start, end: lexer.end, upper: word ? sql.slice(lexer.start, lexer.end).toUpperCase() : "" });
  }
  const bounds: [number, number][] = [];
  const distinct: boolean[] = [];
  let depth = 0;
  let from = 0;
  let stop = tokens.length;
  for (let i = 0; i < tokens.length; i++) {
    const upper = tokens[i]!.upper;
    if (upper === "(") depth++;
    else if (upper === ")") depth--;
    else if (depth === 0 && upper === ";") {
      stop = i;
      break;
    } else if (depth === 0 && (upper === "EXCEPT" || upper === "INTERSECT")) {
      throw unsupported(`${upper} over a sharded keyspace`);
    } else if (depth === 0 && upper === "UNION") {
      bounds.push([from, i]);
      const next = tokens[i + 1]?.upper;
      distinct.push(next !== "ALL");
      if (next === "ALL" || next === "DISTINCT") i++;
      from = i + 1;
    }
  }
  bounds.push([from, stop]);
  let trailing: UnionShape["trailing"];
  const parts = bounds.map(([a, b], index): UnionPart => {
    if (a >= b) throw MySqlError.of("PARSE", "You have an error in your SQL syntax near 'UNION'");
    const range = { start: tokens[a]!.start, end: tokens[b - 1]!.end };
    const last = index === bounds.length - 1;
    if (tokens[a]!.upper === "(") {
      const close = matching(tokens, a);
      if (close < b - 1) {
        if (!last) throw MySqlError.of("PARSE", "You have an error in your SQL syntax near ')'");
        trailing = trailingOf(tokens, close + 1, b);
      }
      return { range: { start: range.start, end: tokens[close]!.end }, select: innermost(tokens, a, close), parenthesized: true };
    }
    if (tokens[a]!.upper !== "SELECT") throw unsupported("this UNION's shape over a sharded keyspace");
    const clause = firstClause(tokens, a, b);
    if (clause >= 0) {
      if (!last) {
        const word = tokens[clause]!.upper;
        if (word !== "ORDER" && word !== "LIMIT") throw MySqlError.of("PARSE", `You have an error in your SQL syntax near '${word}'`);
        throw new MySqlError(1221, "HY000", `Incorrect usage of UNION and ${word === "LIMIT" ? "LIMIT" : "ORDER BY"}`);
      }
      trailing = trailingOf(tokens, clause, b);
    }
    return { range, select: range, parenthesized: false };
  });
  return { parts, distinct, trailing };
}

/** The index of the `)` closing the `(` at `open`. */
function matching(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i]!.upper === "(") depth++;
    else if (tokens[i]!.upper === ")" && --depth === 0) return i;
  }
  throw MySqlError.of("PARSE", "You have an error in your SQL syntax (unbalanced parentheses)");
}

/** The statement inside `((...))`: every pair of parentheses that wraps it whole taken off. */
function innermost(tokens: readonly Token[], open: number, close: number): TextRange {
  let a = open;
  let b = close;
  while (tokens[a]!.upper === "(" && matching(tokens, a) === b) {
    a++;
    b--;
  }
  if (tokens[a]?.upper !== "SELECT") throw unsupported("a parenthesized UNION part that is not a plain SELECT over a sharded keyspace");
  return { start: tokens[a]!.start, end: tokens[b]!.end };
}

/** The first depth-0 ORDER BY, LIMIT or locking clause of an unparenthesized SELECT, or -1. */
function firstClause(tokens: readonly Token[], a: number, b: number): number {
  let depth = 0;
  for (let i = a; i < b; i++) {
    const upper = tokens[i]!.upper;
    if (upper === "(") depth++;
    else if (upper === ")") depth--;
    else if (depth === 0 && (upper === "ORDER" || upper === "LIMIT" || upper === "FOR" || upper === "LOCK")) return i;
  }
  return -1;
}

const TRAILING_CLAUSES = new Set(["ORDER", "LIMIT", "FOR", "LOCK", "INTO", "PROCEDURE"]);

function trailingOf(tokens: readonly Token[], a: number, b: number): UnionShape["trailing"] {
  const words = new Set<string>();
  let depth = 0;
  for (let i = a; i < b; i++) {
    const upper = tokens[i]!.upper;
    if (upper === "(") depth++;
    else if (upper === ")") depth--;
    else if (depth === 0 && TRAILING_CLAUSES.has(upper)) words.add(upper);
  }
  return { range: { start: tokens[a]!.start, end: tokens[b - 1]!.end }, words };
}
