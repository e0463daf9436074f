import { sqlLiteral } from "../engine/pullout-subquery.ts";
import type { ColumnDefinition } from "../protocol/column-definition.ts";
import { MySqlError } from "../errors.ts";
import { Lexer, TK_EOF, TK_ERROR, TK_PARAM, TK_STRING, TK_USER_VAR, TK_WORD } from "../sql/lexer.ts";
import { stringValue, unescapeQuoted, userVariableName } from "../sql/token-text.ts";
import type { KeyspaceRoute, RoutingSnapshot } from "../routing-snapshot.ts";
import { bindPlaceholders } from "./sharded-statements.ts";
import type { Session } from "./session.ts";
import { SessionVCursor } from "./session-vcursor.ts";

/** SQL-level prepared statements (PREPARE name FROM ...) on a sharded keyspace: the gateway keeps their text. */
const statements = new WeakMap<Session, Map<string, { text: string; params: number }>>();

const lexer = new Lexer();

export type SqlPreparedResult = { kind: "ok"; info: string } | { kind: "run"; sql: string };

/**
 * `PREPARE`, `EXECUTE ... USING @a, @b` and `DEALLOCATE PREPARE` / `DROP PREPARE` behave as on one MySQL:
 * the statement's text is kept by the gateway, and EXECUTE reads the user variables' values from the
 * session (a shard holds them, as SET put them there), binds them as literals and runs the statement as
 * a query through the planner, so each execution routes by its own values.
 */
export async function handleSqlPrepared(
  sql: string,
  session: Session,
  snapshot: RoutingSnapshot,
  route: KeyspaceRoute,
): Promise<SqlPreparedResult> {
  const tokens = tokenize(sql);
  const word = (i: number) => (tokens[i]?.kind === TK_WORD ? tokens[i]!.text.toUpperCase() : "");
  const name = (i: number) => {
    const token = tokens[i];
    if (!token) throw syntax(sql);
    return (token.text.startsWith("`") ? unescapeQuoted(token.text, 0, token.text.length) : token.text).toLowerCase();
  };
  const own = statements.get(session) ?? new Map();
  statements.set(session, own);
  if (word(0) === "PREPARE" && word(2) === "FROM") {
    const source = tokens[3];
    if (!source || tokens.length !== 4) throw syntax(sql);
    let text: string;
    if (source.kind === TK_STRING) text = stringValue(source.text, 0, source.text.length);
    else if (source.kind === TK_USER_VAR) {
      const [variable] = await userVariables(session, snapshot, route, [source.text]);
      if (!variable?.value) throw MySqlError.of("PARSE", `You have an error in your SQL syntax: ${source.text} holds no statement`);
      text = new TextDecoder().decode(variable.value);
    }
    else throw syntax(sql);
    own.set(name(1), { text, params: countParams(text) });
    return { kind: "ok", info: "Statement prepared" };
  }
  if ((word(0) === "DEALLOCATE" || word(0) === "DROP") && word(1) === "PREPARE") {
    const key = name(2);
    if (!own.delete(key)) throw unknown(key, "DEALLOCATE PREPARE");
    return { kind: "ok", info: "" };
  }
  if (word(0) === "EXECUTE") {
    const key = name(1);
    const prepared = own.get(key);
    if (!prepared) throw unknown(key, "EXECUTE");
    const variables = word(2) === "USING" ? tokens.slice(3).filter((t) => t.kind === TK_USER_VAR).map((t) => t.text) : [];
    if (variables.length !== prepared.params) throw new MySqlError(1210, "HY000", "Incorrect arguments to EXECUTE");
    const values = variables.length > 0 ? await userVariables(session, snapshot, route, variables) : [];
    return { kind: "run", sql: bindPlaceholders(prepared.text, values.map((v) => sqlLiteral(v.field, v.value))) };
  }
  throw syntax(sql);
}

/** The values of user variables (with their types), read on a shard of the keyspace, where SET put them. */
async function userVariables(
  session: Session,
  snapshot: RoutingSnapshot,
  route: KeyspaceRoute,
  names: readonly string[],
): Promise<{ field: ColumnDefinition; value: Uint8Array | null }[]> {
  const vcursor = new SessionVCursor(session, snapshot, { pinReasons: [], usesLastInsertId: false });
  const select = `SELECT ${names.map((n) => `@\`${userVariableName(n, 0, n.length).replace(/`/g, "``")}\``).join(", ")}`;
  const [answer] = await vcursor.executeMulti([{ pool: route.pools[0]!, sql: select }]);
  const row = answer!.rows[0] ?? [];
  return answer!.fields.map((field, i) => ({ field, value: row[i] ?? null }));
}

function countParams(text: string): number {
  lexer.reset(text);
  let count = 0;
  for (let kind = lexer.next(); kind !== TK_EOF && kind !== TK_ERROR; kind = lexer.next()) if (kind === TK_PARAM) count++;
  return count;
}

function tokenize(sql: string): { kind: number; text: string }[] {
  lexer.reset(sql);
  const tokens: { kind: number; text: string }[] = [];
  for (let kind = lexer.next(); kind !== TK_EOF; kind = lexer.next()) {
    if (kind === TK_ERROR) throw syntax(sql);
    const text = sql.slice(lexer.start, lexer.end);
    if (text !== ";" && text !== ",") tokens.push({ kind, text });
  }
  return tokens;
}

function syntax(sql: string): MySqlError {
  return MySqlError.of("PARSE", `You have an error in your SQL syntax near '${sql.slice(0, 80)}'`);
}

function unknown(name: string, command: string): MySqlError {
  return MySqlError.of("UNKNOWN_STMT_HANDLER", `Unknown prepared statement handler (${name}) given to ${command}`);
}
