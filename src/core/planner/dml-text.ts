import { Lexer, TK_EOF, TK_ERROR, TK_OP, TK_WORD } from "../sql/lexer.ts";
import type { TextRange } from "./select-outline.ts";

/** Where the parts of an `INSERT ... VALUES` sit in its text. */
export interface ValuesLayout {
  /** The `)` that closes the column list. */
  columnsClose: number | undefined;
  /** Each `( ... )` row after VALUES, with the range of each of its values. */
  rows: { start: number; end: number; values: TextRange[] }[];
}

const lexer = new Lexer();

/**
 * The column list and the rows of `INSERT ... VALUES (...), (...)`, found with the lexer (rows at
 * depth 0 up to ON DUPLICATE KEY UPDATE or a row alias). Undefined when the text does not lex.
 */
export function valuesLayout(sql: string): ValuesLayout | undefined {
  lexer.reset(sql);
  let depth = 0;
  let seenValues = false;
  let columnsClose: number | undefined;
  let row: { start: number; end: number; values: TextRange[] } | undefined;
  let value: TextRange | undefined;
  const rows: ValuesLayout["rows"] = [];
  for (let kind = lexer.next(); kind !== TK_EOF; kind = lexer.next()) {
    if (kind === TK_ERROR) return undefined;
    const token = sql.slice(lexer.start, lexer.end);
    if (!seenValues) {
      if (depth === 0 && kind === TK_WORD && /^VALUES?$/i.test(token)) seenValues = true;
      if (kind === TK_OP && token === "(") depth++;
      if (kind === TK_OP && token === ")" && --depth === 0) columnsClose = lexer.start;
      continue;
    }
    if (depth === 0) {
      if (kind === TK_OP && token === "(") {
        row = { start: lexer.start, end: -1, values: [] };
        value = undefined;
        depth = 1;
      } else if (kind === TK_WORD) {
        break;
      }
      continue;
    }
    if (depth === 1 && kind === TK_OP && (token === "," || token === ")")) {
      if (value) row!.values.push(value);
      value = undefined;
      if (token === ")") {
        depth = 0;
        row!.end = lexer.end;
        rows.push(row!);
      }
      continue;
    }
    if (kind === TK_OP && token === "(") depth++;
    if (kind === TK_OP && token === ")") depth--;
    if (value) value.end = lexer.end;
    else value = { start: lexer.start, end: lexer.end };
  }
  return { columnsClose, rows };
}

/**
 * The part of a single-table `DELETE` from its FROM to its last token (a trailing `;` and comments
 * left out), which a SELECT of the same rows can reuse as it is. Undefined when there is no FROM.
 */
export function deleteFromClause(sql: string): TextRange | undefined {
  lexer.reset(sql);
  let depth = 0;
  let start: number | undefined;
  let end = 0;
  for (let kind = lexer.next(); kind !== TK_EOF; kind = lexer.next()) {
    if (kind === TK_ERROR) return undefined;
    const token = sql.slice(lexer.start, lexer.end);
    if (kind === TK_OP && token === "(") depth++;
    if (kind === TK_OP && token === ")") depth--;
    if (start === undefined && depth === 0 && kind === TK_WORD && /^FROM$/i.test(token)) start = lexer.start;
    if (!(kind === TK_OP && token === ";")) end = lexer.end;
  }
  return start === undefined ? undefined : { start, end };
}
