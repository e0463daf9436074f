import { Lexer, TK_EOF, TK_ERROR, TK_OP, TK_WORD } from "../sql/lexer.ts";
import type { TextRange } from "./select-outline.ts";

/** Replace `[start, end)` with `text`. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** Applies non-overlapping edits (inserts at one position keep their order). */
export function applyEdits(sql: string, edits: readonly TextEdit[]): string {
  const sorted = edits.map((e, i) => ({ ...e, i })).sort((a, b) => a.start - b.start || a.i - b.i);
  let out = "";
  let copied = 0;
  for (const edit of sorted) {
    out += sql.slice(copied, edit.start) + edit.text;
    copied = Math.max(copied, edit.end);
  }
  return out + sql.slice(copied);
}

const lexer = new Lexer();

interface SplitItem extends TextRange {
  /** The item without a trailing ASC/DESC. */
  expression: TextRange;
  descending: boolean;
}

/** The comma-separated items of a clause body (`GROUP BY a, b` / `ORDER BY x DESC, 2`), at depth 0. */
export function splitClauseItems(sql: string, start: number, end: number): SplitItem[] {
  lexer.reset(sql.slice(0, end));
  const items: SplitItem[] = [];
  let depth = 0;
  let itemStart = -1;
  let lastEnd = -1;
  let beforeLastEnd = -1;
  let lastWord = "";
  const finish = () => {
    if (itemStart < 0) return;
    const descending = lastWord === "DESC";
    const expressionEnd = lastWord === "DESC" || lastWord === "ASC" ? beforeLastEnd : lastEnd;
    items.push({ start: itemStart, end: lastEnd, expression: { start: itemStart, end: expressionEnd }, descending });
    itemStart = -1;
  };
  for (let kind = lexer.next(); kind !== TK_EOF && kind !== TK_ERROR; kind = lexer.next()) {
    if (lexer.start < start) continue;
    const token = sql.slice(lexer.start, lexer.end);
    if (kind === TK_OP && token === "(") depth++;
    if (kind === TK_OP && token === ")") depth--;
    if (depth === 0 && kind === TK_OP && token === ",") {
      finish();
      continue;
    }
    if (itemStart < 0) itemStart = lexer.start;
    beforeLastEnd = lastEnd;
    lastEnd = lexer.end;
    lastWord = kind === TK_WORD ? token.toUpperCase() : "";
  }
  finish();
  return items;
}

/** The clause body after its keywords: `ORDER BY` / `GROUP BY` / `HAVING` / `LIMIT`. */
export function clauseBodyStart(sql: string, clauseStart: number): number {
  lexer.reset(sql);
  let words = 0;
  for (let kind = lexer.next(); kind !== TK_EOF && kind !== TK_ERROR; kind = lexer.next()) {
    if (lexer.start < clauseStart) continue;
    const word = sql.slice(lexer.start, lexer.end).toUpperCase();
    words++;
    if (word === "BY" || (words === 1 && (word === "HAVING" || word === "LIMIT" || word === "WHERE"))) return lexer.end;
    if (words > 2) break;
  }
  return clauseStart;
}

/** A select item's expression without its alias (`count(*) AS n` → `count(*)`). */
export function withoutAlias(sql: string, item: TextRange, hasAlias: boolean): TextRange {
  if (!hasAlias) return item;
  lexer.reset(sql.slice(0, item.end));
  const ends: { start: number; end: number; word: string }[] = [];
  for (let kind = lexer.next(); kind !== TK_EOF && kind !== TK_ERROR; kind = lexer.next()) {
    if (lexer.start < item.start) continue;
    ends.push({ start: lexer.start, end: lexer.end, word: kind === TK_WORD ? sql.slice(lexer.start, lexer.end).toUpperCase() : "" });
  }
  ends.pop();
  if (ends.at(-1)?.word === "AS") ends.pop();
  return { start: item.start, end: ends.at(-1)?.end ?? item.end };
}

/** Expressions compared as the same when they differ only in spacing, case or backquotes. */
export function sameExpression(a: string, b: string): boolean {
  const normal = (s: string) => s.replace(/[\s`]+/g, "").toLowerCase();
  return normal(a) === normal(b);
}
