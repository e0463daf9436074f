import { Lexer, TK_EOF, TK_ERROR, TK_OP, TK_WORD } from "../sql/lexer.ts";

/** A `[start, end)` range of the statement text. */
export interface TextRange {
  start: number;
  end: number;
}

export type SelectClause = "FROM" | "WHERE" | "GROUP" | "HAVING" | "WINDOW" | "ORDER" | "LIMIT" | "TAIL" | "UNION";

/**
 * Where the parts of a SELECT start, found with the lexer at parenthesis depth 0. The planner rewrites
 * a statement for the shards by splicing these ranges of the client's own text (adding helper columns,
 * changing LIMIT), so everything it does not need to change reaches the shard as written.
 */
export interface SelectOutline {
  /** After SELECT and its modifiers (DISTINCT, SQL_CALC_FOUND_ROWS, ...). */
  itemsStart: number;
  /** Each select expression, alias included, trimmed. */
  items: TextRange[];
  /** Where each clause's keyword starts; TAIL is `FOR UPDATE` / `LOCK IN SHARE MODE` / `INTO`. */
  clauses: Partial<Record<SelectClause, number>>;
  end: number;
}

const CLAUSE_WORDS: Record<string, SelectClause> = {
  FROM: "FROM", WHERE: "WHERE", GROUP: "GROUP", HAVING: "HAVING", WINDOW: "WINDOW", ORDER: "ORDER", LIMIT: "LIMIT",
  FOR: "TAIL", LOCK: "TAIL", INTO: "TAIL", PROCEDURE: "TAIL", UNION: "UNION", EXCEPT: "UNION", INTERSECT: "UNION",
};
const MODIFIERS = new Set([
  "ALL", "DISTINCT", "DISTINCTROW", "HIGH_PRIORITY", "STRAIGHT_JOIN", "SQL_SMALL_RESULT", "SQL_BIG_RESULT",
  "SQL_BUFFER_RESULT", "SQL_CACHE", "SQL_NO_CACHE", "SQL_CALC_FOUND_ROWS",
]);

const lexer = new Lexer();

export function outlineSelect(sql: string, from = 0): SelectOutline | undefined {
  lexer.reset(sql);
  let depth = 0;
  let itemsStart = -1;
  let itemStart = -1;
  let lastEnd = 0;
  let inItems = false;
  const items: TextRange[] = [];
  const clauses: Partial<Record<SelectClause, number>> = {};
  for (let kind = lexer.next(); kind !== TK_EOF; kind = lexer.next()) {
    if (kind === TK_ERROR) return undefined;
    const { start, end } = lexer;
    if (start < from) continue;
    const word = kind === TK_WORD ? sql.slice(start, end).toUpperCase() : "";
    if (kind === TK_OP && sql[start] === "(") depth++;
    else if (kind === TK_OP && sql[start] === ")") depth--;
    else if (depth === 0 && itemsStart < 0) {
      if (word === "SELECT") itemsStart = end;
      lastEnd = end;
      continue;
    } else if (depth === 0 && inItems === false && itemStart < 0 && items.length === 0 && MODIFIERS.has(word)) {
      itemsStart = end;
      lastEnd = end;
      continue;
    } else if (depth === 0 && word in CLAUSE_WORDS) {
      const clause = CLAUSE_WORDS[word]!;
      if (clauses[clause] === undefined) clauses[clause] = start;
      if (itemStart >= 0) {
        items.push({ start: itemStart, end: lastEnd });
        itemStart = -1;
      }
      inItems = false;
      if (clause === "UNION") break;
      lastEnd = end;
      continue;
    } else if (depth === 0 && kind === TK_OP && sql[start] === ";") {
      break;
    } else if (depth === 0 && kind === TK_OP && sql[start] === "," && inItems) {
      items.push({ start: itemStart, end: lastEnd });
      itemStart = -1;
      lastEnd = end;
      continue;
    }
    if (itemsStart >= 0 && Object.keys(clauses).length === 0 && itemStart < 0) {
      itemStart = start;
      inItems = true;
    }
    lastEnd = end;
  }
  if (itemStart >= 0) items.push({ start: itemStart, end: lastEnd });
  if (itemsStart < 0) return undefined;
  return { itemsStart, items, clauses, end: lastEnd };
}

/** Where the clause starting at `clause` ends: at the next clause that follows it, or the statement's end. */
export function clauseEnd(outline: SelectOutline, clause: SelectClause): number {
  const start = outline.clauses[clause];
  if (start === undefined) return -1;
  let end = outline.end;
  for (const other of Object.values(outline.clauses)) if (other !== undefined && other > start && other < end) end = other;
  return end;
}
