import { TK_OP, TK_WORD } from "../sql/lexer.ts";
import { TokenList } from "../sql/token-list.ts";

/** One `LOAD DATA` / `LOAD XML` statement of a batch. */
export interface LoadDataStatement {
  /** `LOCAL INFILE`: the file comes from the client (a LOCAL INFILE request), not the server's disk. */
  local: boolean;
  /** The database `INTO TABLE db.t` names, lowercased; undefined for an unqualified table. */
  keyspace: string | undefined;
}

// A token buffer of its own: the classifier's is shared, and this runs only for statements naming LOAD.
const tokens = new TokenList();

/**
 * The `LOAD {DATA | XML} [LOW_PRIORITY | CONCURRENT] [LOCAL] INFILE` statements in `sql` (each
 * statement of a batch, executable comments included, as the server would run them); empty when none.
 */
export function findLoadData(sql: string): LoadDataStatement[] {
  if (!/load/i.test(sql)) return [];
  const t = tokens;
  t.fill(sql);
  const found: LoadDataStatement[] = [];
  let statementStart = true;
  for (let i = 0; i < t.count; i++) {
    if (t.kind(i) === TK_OP && t.isOp(i, 59)) {
      statementStart = true;
      continue;
    }
    if (!statementStart) continue;
    statementStart = false;
    if (!word(t, i, "LOAD") || !(word(t, i + 1, "DATA") || word(t, i + 1, "XML"))) continue;
    let j = i + 2;
    if (word(t, j, "LOW_PRIORITY") || word(t, j, "CONCURRENT")) j++;
    const local = word(t, j, "LOCAL");
    if (local) j++;
    if (!word(t, j, "INFILE")) continue;
    // INFILE 'file' [REPLACE | IGNORE] INTO TABLE [db.]table
    j += 2;
    if (word(t, j, "REPLACE") || word(t, j, "IGNORE")) j++;
    const qualified = word(t, j, "INTO") && word(t, j + 1, "TABLE") && t.isName(j + 2) && t.isOp(j + 3, 46) && t.isName(j + 4);
    found.push({ local, keyspace: qualified ? t.name(j + 2).toLowerCase() : undefined });
  }
  return found;
}

function word(t: TokenList, i: number, upper: string): boolean {
  return t.kind(i) === TK_WORD && t.ends[i]! - t.starts[i]! === upper.length && t.text(i).toUpperCase() === upper;
}
