import { Lexer, TK_BIT, TK_EOF, TK_ERROR, TK_HEX, TK_NUMBER, TK_OP, TK_STRING, TK_WORD } from "../sql/lexer.ts";
import { stringValue } from "../sql/token-text.ts";
import { sqlDecimal, sqlFloat, sqlHexLiteral, sqlInt, sqlString, sqlUint, INT64_MAX, UINT64_MAX, type SqlValue } from "../vindexes/sql-value.ts";

/** One literal of the client's statement: its text exactly as written, and its value. */
export interface Literal {
  readonly source: string;
  readonly value: SqlValue;
}

export interface ParameterizedStatement {
  /** The statement with each value literal replaced by `:__sgN` (N its index in `literals`): the plan cache key. */
  readonly text: string;
  readonly literals: Literal[];
}

export const PLACEHOLDER_PREFIX = ":__sg";

/** Words after which a literal is syntax, not a value, so it stays in the text (MySQL would not take a parameter there). */
const KEEP_AFTER = new Set(["AS", "COLLATE", "CHARSET", "SET", "DATE", "TIME", "TIMESTAMP", "INTERVAL", "ESCAPE", "SEPARATOR", "REGEXP", "RLIKE", "->", "->>"]);
/** Type names whose `(n, m)` arguments are lengths, not values (`CAST(x AS DECIMAL(10,2))`). */
const TYPE_WORDS = new Set([
  "DECIMAL", "DEC", "NUMERIC", "FIXED", "CHAR", "VARCHAR", "BINARY", "VARBINARY", "FLOAT", "DOUBLE", "REAL", "INT",
  "INTEGER", "TINYINT", "SMALLINT", "MEDIUMINT", "BIGINT", "BIT", "DATETIME", "TIME", "TIMESTAMP", "YEAR", "CHARACTER",
  "NCHAR", "NVARCHAR", "SIGNED", "UNSIGNED",
]);
/** What may follow a column position in `ORDER BY 2` / `GROUP BY 1, 2`. */
const AFTER_POSITION = new Set([",", ")", ";", "", "ASC", "DESC", "LIMIT", "HAVING", "WITH", "ORDER", "FOR", "LOCK", "UNION", "WINDOW", "INTO"]);

const lexer = new Lexer();

interface Token {
  kind: number;
  start: number;
  end: number;
  /** Upper-cased text for words and operators (for context checks). */
  upper: string;
}

/**
 * Turns a statement into its parameterized form, as Vitess's normalizer does, so that statements that
 * differ only in their values share one plan: each value literal becomes a placeholder, and the literal
 * keeps its exact source text so a rewritten statement sends it to the shard exactly as the client wrote
 * it (`1e3`, `_utf8mb4'abc'`, `X'41'`). Literals that are syntax rather than values (column positions in
 * ORDER BY, type lengths, aliases, typed-literal strings, INTERVAL amounts) stay in the text.
 * Executable comments (`/*!80000 ... *\/`) are opened up, as the server (a MySQL 8.0 as presented)
 * would run their content. Returns undefined when the lexer rejects the statement.
 */
export function parameterize(sql: string): ParameterizedStatement | undefined {
  const tokens = tokenize(sql);
  if (!tokens) return undefined;
  const literals: Literal[] = [];
  let text = "";
  let copied = 0;
  const clauseAtDepth: string[] = [""];
  const typeArgsDepth: number[] = [];
  let depth = 0;
  // Only the text between tokens can hold comment markers; tokens (strings, identifiers) are copied as they are.
  let pending = 0;
  const copyUpTo = (position: number, replacement?: string) => {
    for (; pending < tokens.length && tokens[pending]!.start < position; pending++) {
      const token = tokens[pending]!;
      if (token.end <= copied) continue;
      text += openExecutableComments(sql.slice(copied, token.start)) + sql.slice(token.start, token.end);
      copied = token.end;
    }
    text += openExecutableComments(sql.slice(copied, position));
    if (replacement !== undefined) text += replacement;
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.upper === "(") {
      depth++;
      clauseAtDepth[depth] = "";
      const previous = tokens[i - 1];
      if (previous && TYPE_WORDS.has(previous.upper)) typeArgsDepth.push(depth);
      continue;
    }
    if (token.upper === ")") {
      if (typeArgsDepth.at(-1) === depth) typeArgsDepth.pop();
      depth = Math.max(0, depth - 1);
      continue;
    }
    if (token.kind === TK_WORD && CLAUSES.has(token.upper)) clauseAtDepth[depth] = token.upper;
    if (!isLiteral(token.kind)) continue;
    if (typeArgsDepth.at(-1) === depth) continue;
    const before = tokens[i - 1]?.upper ?? "";
    if (KEEP_AFTER.has(before)) continue;
    if (token.kind === TK_NUMBER && isColumnPosition(clauseAtDepth[depth]!, before, tokens[i + 1]?.upper ?? "")) continue;
    // MySQL joins adjacent string literals into one (`'ab' 'cd'` is 'abcd').
    let last = i;
    while (token.kind === TK_STRING && tokens[last + 1]?.kind === TK_STRING) last++;
    const end = tokens[last]!.end;
    let value = literalValue(token.kind, sql, token.start, token.end);
    if (last > i) {
      const parts = tokens.slice(i, last + 1).map((t) => stringValue(sql, t.start, t.end));
      value = sqlString(parts.join(""));
    }
    copyUpTo(token.start, PLACEHOLDER_PREFIX + literals.length);
    copied = end;
    literals.push({ source: sql.slice(token.start, end), value });
    i = last;
  }
  copyUpTo(sql.length);
  return { text, literals };
}

const CLAUSES = new Set(["SELECT", "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "SET", "VALUES", "ON", "USING", "PARTITION"]);

function isColumnPosition(clause: string, before: string, after: string): boolean {
  return (clause === "ORDER" || clause === "GROUP") && (before === "BY" || before === ",") && AFTER_POSITION.has(after);
}

function isLiteral(kind: number): boolean {
  return kind === TK_STRING || kind === TK_NUMBER || kind === TK_HEX || kind === TK_BIT;
}

function tokenize(sql: string): Token[] | undefined {
  lexer.reset(sql);
  const tokens: Token[] = [];
  for (let kind = lexer.next(); kind !== TK_EOF; kind = lexer.next()) {
    if (kind === TK_ERROR) return undefined;
    const upper = kind === TK_WORD || kind === TK_OP ? sql.slice(lexer.start, lexer.end).toUpperCase() : "";
    tokens.push({ kind, start: lexer.start, end: lexer.end, upper });
  }
  return tokens;
}

/** The value a literal token stands for, typed as Vitess types literals (INT64, UINT64, DECIMAL, FLOAT64, VARBINARY). */
export function literalValue(kind: number, sql: string, start: number, end: number): SqlValue {
  const source = sql.slice(start, end);
  if (kind === TK_STRING) return sqlString(stringValue(sql, start, end));
  if (kind === TK_HEX) {
    const digits = source[0] === "0" ? source.slice(2) : source.slice(2, -1);
    return sqlHexLiteral(digits);
  }
  if (kind === TK_BIT) {
    const digits = source[0] === "0" ? source.slice(2) : source.slice(2, -1);
    const value = digits === "" ? 0n : BigInt(`0b${digits}`);
    const hex = value.toString(16);
    return sqlHexLiteral(hex.length % 2 ? `0${hex}` : hex);
  }
  if (/^\d+$/.test(source)) {
    const value = BigInt(source);
    if (value > UINT64_MAX) return sqlDecimal(source);
    return value > INT64_MAX ? sqlUint(value) : sqlInt(value);
  }
  return /[eE]/.test(source) ? sqlFloat(source) : sqlDecimal(source);
}

/**
 * `/*!NNNNN body *\/` and MariaDB's `/*M!NNNNN body *\/` become their body: the parser would otherwise
 * take them for comments and plan without what the server will run. Plain comments and optimizer hints
 * stay as they are. Only the text between tokens is passed here, which is where comment markers are.
 */
function openExecutableComments(gap: string): string {
  if (!gap.includes("/*")) return gap.includes("*/") ? gap.replace("*/", () => "  ") : gap;
  let out = "";
  let p = 0;
  while (p < gap.length) {
    const open = gap.indexOf("/*", p);
    const strayClose = gap.indexOf("*/", p);
    if (strayClose >= 0 && (open < 0 || strayClose < open)) {
      out += `${gap.slice(p, strayClose)}  `;
      p = strayClose + 2;
      continue;
    }
    if (open < 0) break;
    const marker = /^\/\*M?!\d{0,6}/.exec(gap.slice(open));
    if (marker) {
      out += gap.slice(p, open) + " ".repeat(marker[0].length);
      p = open + marker[0].length;
      continue;
    }
    const close = gap.indexOf("*/", open + 2);
    const end = close < 0 ? gap.length : close + 2;
    out += gap.slice(p, end);
    p = end;
  }
  return out + gap.slice(p);
}
