/**
 * Turning token offsets back into values: keyword comparison without allocation, string and
 * identifier unescaping, variable names. Kept apart from the lexer so the hot loop stays small and
 * values are only built when a caller needs them.
 */

/** Explicit scope prefix of a system variable (`@@global.x`); `local` is MySQL's synonym of `session`. */
export type VariableScope = "global" | "session" | "local" | "persist" | "persist_only";

/**
 * Case-insensitive (ASCII) comparison of `sql[start, end)` with an uppercase word, without
 * slicing: the classifier calls this for nearly every word it looks at.
 */
export function wordEquals(sql: string, start: number, end: number, upperWord: string): boolean {
  const len = upperWord.length;
  if (end - start !== len) return false;
  for (let j = 0; j < len; j++) {
    let c = sql.charCodeAt(start + j);
    if (c >= 97 && c <= 122) c -= 32;
    if (c !== upperWord.charCodeAt(j)) return false;
  }
  return true;
}

/**
 * `sql[start, end)` lowercased equals `lower`, for ASCII text. False as soon as a non-ASCII
 * character shows up: callers then fall back to `toLowerCase()`, whose Unicode rules this skips.
 */
export function asciiLowercaseEquals(sql: string, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false;
  for (let j = 0; j < lower.length; j++) {
    let c = sql.charCodeAt(start + j);
    if (c >= 128) return false;
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(j)) return false;
  }
  return true;
}

/** Position of the opening quote of a string token, past an `N` or `_charset` introducer. */
export function stringQuotePos(sql: string, start: number): number {
  let p = start;
  for (;;) {
    const c = sql.charCodeAt(p);
    if (c === 39 || c === 34 || Number.isNaN(c)) return p;
    p++;
  }
}

/** The introducer of a string token (`_utf8mb4`, `N`), or undefined for a plain `'...'`. */
export function stringIntroducer(sql: string, start: number): string | undefined {
  const q = stringQuotePos(sql, start);
  return q > start ? sql.slice(start, q) : undefined;
}

/**
 * The value of a string token. Backslash escapes follow MySQL's table of special character escape
 * sequences (`\0 \b \n \r \t \Z`; `\%` and `\_` keep their backslash so LIKE patterns survive;
 * any other `\x` is `x`), and a doubled quote stands for itself.
 */
export function stringValue(sql: string, start: number, end: number): string {
  return unescapeQuoted(sql, stringQuotePos(sql, start), end);
}

/** Content of `sql[quotePos, end)`, a quoted token whose closing quote is at `end - 1`. */
export function unescapeQuoted(sql: string, quotePos: number, end: number): string {
  const quote = sql.charCodeAt(quotePos);
  const last = end - 1;
  // Backquoted identifiers have no backslash escapes, only a doubled backquote.
  const backslash = quote === 96 ? -1 : 92;
  let out = "";
  let chunk = quotePos + 1;
  let i = chunk;
  while (i < last) {
    const c = sql.charCodeAt(i);
    if (c === backslash) {
      out += sql.slice(chunk, i) + escapeChar(sql.charCodeAt(i + 1));
      i += 2;
      chunk = i;
    } else if (c === quote) {
      out += sql.slice(chunk, i + 1);
      i += 2;
      chunk = i;
    } else {
      i++;
    }
  }
  return chunk === quotePos + 1 ? sql.slice(chunk, last) : out + sql.slice(chunk, last);
}

function escapeChar(c: number): string {
  switch (c) {
    case 48: return "\0";
    case 98: return "\b";
    case 110: return "\n";
    case 114: return "\r";
    case 116: return "\t";
    case 90: return "\x1a";
    case 37: return "\\%";
    case 95: return "\\_";
    default: return String.fromCharCode(c);
  }
}

/** Name of a user variable token without the `@`, unquoted (`@'a b'` → `a b`). */
export function userVariableName(sql: string, start: number, end: number): string {
  const c = sql.charCodeAt(start + 1);
  if (c === 39 || c === 34 || c === 96) return unescapeQuoted(sql, start + 1, end);
  return sql.slice(start + 1, end);
}

/**
 * Splits a system variable token (`@@name`, `@@session.name`, ``@@`global`.`x` ``) into its
 * explicit scope and its lowercased name. Only the first part can be a scope; further parts stay
 * in the name (structured variables such as `@@hot_cache.key_buffer_size`).
 */
export function systemVariableParts(
  sql: string,
  start: number,
  end: number,
): { scope: VariableScope | undefined; name: string } {
  const parts: string[] = [];
  let p = start + 2;
  while (p < end) {
    if (sql.charCodeAt(p) === 96) {
      let q = p + 1;
      for (;;) {
        q = sql.indexOf("`", q);
        if (q < 0 || q >= end) { q = end - 1; break; }
        if (sql.charCodeAt(q + 1) === 96 && q + 1 < end) { q += 2; continue; }
        break;
      }
      parts.push(unescapeQuoted(sql, p, q + 1).toLowerCase());
      p = q + 1;
    } else {
      let q = sql.indexOf(".", p);
      if (q < 0 || q > end) q = end;
      parts.push(sql.slice(p, q).toLowerCase());
      p = q;
    }
    if (sql.charCodeAt(p) === 46) p++;
  }
  let scope: VariableScope | undefined;
  if (parts.length > 1) {
    const first = parts[0];
    if (first === "global" || first === "session" || first === "local" || first === "persist" || first === "persist_only") {
      scope = first;
      parts.shift();
    }
  }
  return { scope, name: parts.join(".") };
}

/**
 * A system variable token that may be `@@version` or `@@version_comment` (any case, any scope), checked
 * without allocating or calling out (the classifier runs it on every system variable): its name ends
 * with one of them after `@@` or a scope's `.`, or ends in a backquoted part, which the rewrite decides.
 */
export function mayNameGatewayVariable(sql: string, start: number, end: number): boolean {
  const last = sql.charCodeAt(end - 1) | 0x20;
  if (last === 0x60) return true;
  // `...version` or `...version_comment`: `n` or `t` last, the name 7 or 15 characters long.
  const from = last === 0x6e ? end - 7 : last === 0x74 ? end - 15 : -1;
  if (from <= start) return false;
  const before = sql.charCodeAt(from - 1);
  if (before !== 64 && before !== 46) return false;
  // `| 0x20` folds ASCII case (and `_` onto itself, DEL, which no name holds).
  for (let j = from; j < end; j++) {
    if ((sql.charCodeAt(j) | 0x20) !== (VERSION_COMMENT.charCodeAt(j - from) | 0x20)) return false;
  }
  return true;
}

const VERSION_COMMENT = "version_comment";
