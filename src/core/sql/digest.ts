import { lookupKeyword } from "./keywords.ts";
import { Lexer, TK_BIT, TK_EOF, TK_ERROR, TK_HEX, TK_NUMBER, TK_STRING, TK_WORD } from "./lexer.ts";

const lexer = new Lexer();

/**
 * A statement's shape without its values, as MySQL's statement digests have it: literals become `?`,
 * keywords are upper-cased, comments and spacing are normalized, and value lists collapse (`IN (?+)`,
 * `VALUES (?+)+`). Statements that differ only in their values share a digest, which keys plan statistics.
 */
export function statementDigest(sql: string): string {
  lexer.reset(sql);
  let out = "";
  for (let kind = lexer.next(); kind !== TK_EOF && kind !== TK_ERROR; kind = lexer.next()) {
    let token: string;
    if (kind === TK_STRING || kind === TK_NUMBER || kind === TK_HEX || kind === TK_BIT) token = "?";
    else {
      token = sql.slice(lexer.start, lexer.end);
      if (kind === TK_WORD && lookupKeyword(sql, lexer.start, lexer.end) !== 0) token = token.toUpperCase();
    }
    const glue = out === "" || out.endsWith("(") || out.endsWith(".") || token === ")" || token === "." || token === ",";
    out += glue ? token : ` ${token}`;
  }
  return out.replace(/\?(?:, \?)+/g, "?+").replace(/\(\?\+?\)(?:, \(\?\+?\))+/g, "(?+)+");
}
